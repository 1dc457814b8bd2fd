"""The checker must find planted errors: each file in known_bad/ is REFUTED where it says."""
from pathlib import Path

import pytest

from derivcheck import Status, run_claim
from derivcheck.registry import load_article

FILES = sorted((Path(__file__).parent / "known_bad").glob("*.py"))


def test_corpus_size():
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_refuted_at_the_planted_step(path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"kb_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    article = load_article(path)
    for c in article.claims:
        v = run_claim(c)
        want, text = mod.EXPECT[c.name]
        if want == "PASS":                                   # a sound neighbour of a bad claim
            assert v.ok, v.message
            continue
        if want == "NOT_OK":                                 # right verdict, broken support
            assert not v.ok and text in v.message, v.message
            continue
        if want == "NOT_PROVED":                             # instances are not a proof
            assert v.status is Status.CONFIRMED and not v.ok and text in v.message, v.message
            continue
        assert v.status not in (Status.PROVED, Status.CONFIRMED), v.message
        if want == "INCONCLUSIVE":                           # too little resolution: never a pass
            assert v.status is Status.INCONCLUSIVE and (text if isinstance(text, str) and text else "raise n") in v.message, v.message
            continue
        assert v.status is Status.REFUTED, v.message
        step, residual = mod.EXPECT[c.name]
        bad = next(l for l in v.links if l.status is Status.REFUTED)
        assert bad.index == step, v.message
        assert residual in bad.residual, v.message
        assert "reproduce" in v.message or bad.basis != "numeric at points"


def test_compensating_typo_is_named_local():
    article = load_article(Path(__file__).parent / "known_bad" / "compensating_typo.py")
    v = run_claim(article.claims[0])
    assert "opposite residual" in v.message and "local to step 2" in v.message
