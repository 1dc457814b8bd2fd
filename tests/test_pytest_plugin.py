"""Claims as pytest items: node ids, -k, the checker's text as the failure."""
import textwrap

DERIVATION = textwrap.dedent('''
    """Demo

    Article: test
    """
    import sympy as sp
    from derivcheck import chain, claim, identity

    x = sp.Symbol("x", real=True)

    @claim("good", "a square")
    def good():
        return identity((x + 1)**2, x**2 + 2*x + 1)

    @claim("bad", "a wrong square")
    def bad():
        return chain(("start", (x + 1)**2), ("expanded", x**2 + 2*x + 2))

    @claim("slow-one", "a slow claim", slow=True)
    def slow_one():
        return identity(x, x)
''')


def _setup(pytester):
    pytester.makeconftest('pytest_plugins = ["derivcheck.pytest_plugin"]')
    pytester.mkdir("derivations")
    (pytester.path / "derivations" / "demo.py").write_text(DERIVATION)


def test_claims_are_items_with_checker_text(pytester):
    _setup(pytester)
    res = pytester.runpytest("derivations", "-rf", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=2, failed=1)
    res.stdout.fnmatch_lines(['*claim derivations/demo.py::bad REFUTED at step 2 of 2: "expanded"*',
                              "*residual  : step2 - step1 = 1*"])


def test_node_id_and_k_selection(pytester):
    _setup(pytester)
    pytester.runpytest("derivations/demo.py::good").assert_outcomes(passed=1)
    pytester.runpytest("derivations", "-k", "good or slow").assert_outcomes(passed=2)
    pytester.runpytest("derivations", "-m", "not slow", "-k", "good or slow").assert_outcomes(passed=1)
