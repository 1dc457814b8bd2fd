"""The lossless-widening engines: the block against a plain reimplementation (loops over tokens and
heads, math.erf, no shared helpers), the widening contract in float64 and mpmath (dps 15, 30, 100),
the article's printed FFN-2 bias, the argument checks, and a property test over random shapes."""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numerics import lossless_widening as lw
from numerics.lossless_widening import bert_block, widen_bert_block


# --- a second route: the block written out from its definition, token by token ---------------------

def _ln_ref(u, g, b, eps):
    out = np.empty_like(u)
    for t in range(u.shape[0]):
        row = u[t]
        m = sum(row) / len(row)
        v = sum((r - m) ** 2 for r in row) / len(row)
        out[t] = [g[i] * (row[i] - m) / math.sqrt(v + eps) + b[i] for i in range(len(row))]
    return out


def block_ref(x, p, n_heads, eps=0.0):
    n, d = x.shape
    dh = d // n_heads
    q = x.dot(p["wq"]) + p["bq"]
    k = x.dot(p["wk"]) + p["bk"]
    v = x.dot(p["wv"]) + p["bv"]
    concat = np.zeros((n, d))
    for h in range(n_heads):
        lo = h * dh
        for i in range(n):
            scores = [sum(q[i, lo + c] * k[j, lo + c] for c in range(dh)) / math.sqrt(dh) for j in range(n)]
            top = max(scores)
            w = [math.exp(s - top) for s in scores]
            w = [t / sum(w) for t in w]
            for c in range(dh):
                concat[i, lo + c] = sum(w[j] * v[j, lo + c] for j in range(n))
    z = _ln_ref(x + concat.dot(p["wo"]) + p["bo"], p["ln1_g"], p["ln1_b"], eps)
    u = z.dot(p["w1"]) + p["b1"]
    f = np.vectorize(lambda t: 0.5 * t * (1 + math.erf(t / math.sqrt(2))))(u)
    return _ln_ref(z + f.dot(p["w2"]) + p["b2"], p["ln2_g"], p["ln2_b"], eps)


def widen_ref(p, k=2):
    """The k-fold table written entry by entry: W~[i, j] = W[i // k, j // k] times the factor."""
    def R(a, f):
        return np.array([a[i // k] * f for i in range(k * len(a))])

    def R2(w, f):
        r, c = w.shape
        return np.array([[w[i // k, j // k] * f for j in range(k * c)] for i in range(k * r)])
    s, q4 = math.sqrt(k), k ** 0.25
    out = {"wq": R2(p["wq"], q4 / k), "bq": R(p["bq"], q4 / s), "wk": R2(p["wk"], q4 / k), "bk": R(p["bk"], q4 / s),
           "wv": R2(p["wv"], 1 / k), "bv": R(p["bv"], 1 / s), "wo": R2(p["wo"], 1 / k), "bo": R(p["bo"], 1 / s),
           "w1": R2(p["w1"], 1 / s), "b1": R(p["b1"], 1), "w2": R2(p["w2"], 1 / (k * s)), "b2": R(p["b2"], 1 / s)}
    for i in (1, 2):
        out[f"ln{i}_g"], out[f"ln{i}_b"] = R(p[f"ln{i}_g"], 1 / s), R(p[f"ln{i}_b"], 1 / s)
    return out


def _setup(d=12, h=3, dff=24, n=5, seed=0):
    p = lw.random_params(d, dff, seed=seed)
    x = np.random.default_rng(seed + 100).standard_normal((n, d))
    return p, x


@pytest.mark.parametrize("d,h,dff,n", [(8, 2, 16, 1), (8, 2, 16, 5), (12, 3, 24, 4), (16, 4, 64, 3)])
def test_block_matches_reference(d, h, dff, n):
    p, x = _setup(d, h, dff, n)
    assert np.max(np.abs(bert_block(x, p, h) - block_ref(x, p, h))) < 1e-13
    assert np.max(np.abs(bert_block(x, p, h, ln_eps=1e-5) - block_ref(x, p, h, 1e-5))) < 1e-13


@pytest.mark.parametrize("k", [1, 2, 3])
def test_widen_matches_reference_table(k):
    p, _ = _setup()
    wide = widen_bert_block(p, 3, k=k)
    ref = widen_ref(p, k)
    assert set(wide) == set(lw.KEYS)
    for key in lw.KEYS:
        assert np.max(np.abs(wide[key] - ref[key])) < 1e-15, key


@pytest.mark.parametrize("k", [2, 3])
def test_contract_float64(k):
    p, x = _setup()
    y = block_ref(x, p, 3)
    yw = block_ref(np.repeat(x, k, 1) / math.sqrt(k), widen_ref(p, k), 3)       # both routes independent
    assert np.max(np.abs(yw - np.repeat(y, k, 1) / math.sqrt(k))) < 1e-12
    yw2 = bert_block(np.repeat(x, k, 1) / math.sqrt(k), widen_bert_block(p, 3, k=k), 3)
    assert np.max(np.abs(yw2 - yw)) < 1e-13


def test_printed_bias_breaks_and_equals_scaled_bias():
    p, x = _setup()
    y = block_ref(x, p, 3)
    yw = bert_block(np.repeat(x, 2, 1) / math.sqrt(2), widen_bert_block(p, 3, ffn2_bias="as_printed"), 3)
    assert np.max(np.abs(yw - np.repeat(y, 2, 1) / math.sqrt(2))) > 1e-3
    q = dict(p, b2=p["b2"] / math.sqrt(2))       # the printed rule = the narrow block with b2 / sqrt 2
    assert np.max(np.abs(yw - np.repeat(block_ref(x, q, 3), 2, 1) / math.sqrt(2))) < 1e-12
    for b2 in (np.zeros(12), np.full(12, 0.7)):  # zero or constant b2 hide the error
        r = dict(p, b2=b2)
        yw = bert_block(np.repeat(x, 2, 1) / math.sqrt(2), widen_bert_block(r, 3, ffn2_bias="as_printed"), 3)
        assert np.max(np.abs(yw - np.repeat(block_ref(x, r, 3), 2, 1) / math.sqrt(2))) < 1e-12


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_contract_mpmath(dps):
    p, x = _setup(8, 2, 16, 3)
    before = mp.mp.dps
    with mp.workdps(dps):
        conv = np.vectorize(lambda t: mp.mpf(float(t)), otypes=[object])
        pm, xm = {k: conv(v) for k, v in p.items()}, conv(x)
        y = lw.bert_block_mp(xm, pm, 2, dps)
        yw = lw.bert_block_mp(np.repeat(xm, 2, 1) / mp.sqrt(2), widen_bert_block(pm, 2), 2, dps)
        delta = max(abs(t) for t in (yw - np.repeat(y, 2, 1) / mp.sqrt(2)).ravel())
        assert delta < mp.mpf(10) ** -(dps - 5)
        assert max(abs(float(a) - b) for a, b in zip(y.ravel(), block_ref(x, p, 2).ravel())) < 1e-13
    assert mp.mp.dps == before


def test_input_not_modified_and_shapes():
    p, _ = _setup()
    copy = {k: v.copy() for k, v in p.items()}
    wide = widen_bert_block(p, 3, k=2)
    assert all(np.array_equal(p[k], copy[k]) for k in p)
    assert wide["w1"].shape == (24, 48) and wide["w2"].shape == (48, 24) and wide["b1"].shape == (48,)


def test_argument_errors():
    p, x = _setup()
    with pytest.raises(ValueError, match="missing keys \\['wq'\\]"):
        bert_block(x, {k: v for k, v in p.items() if k != "wq"}, 3)
    with pytest.raises(ValueError, match="unexpected keys \\['extra'\\]"):
        widen_bert_block(dict(p, extra=1), 3)
    with pytest.raises(ValueError, match="params\\['w2'\\] has shape"):
        bert_block(x, dict(p, w2=np.zeros((3, 12))), 3)
    with pytest.raises(ValueError, match="n_heads=5 does not divide d=12"):
        bert_block(x, p, 5)
    for k in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="k="):
            widen_bert_block(p, 3, k=k)
    with pytest.raises(ValueError, match="ffn2_bias='half'"):
        widen_bert_block(p, 3, ffn2_bias="half")
    with pytest.raises(ValueError, match="x has shape"):
        bert_block(x[:, :5], p, 3)


def test_variants_fail_with_two_tokens_and_pass_with_one():
    p, x = _setup()
    for kw in ({"qk": (1.0, 1.0)}, {"layout": "tile"}):
        f = (lambda a: np.tile(a, (1, 2))) if kw.get("layout") else (lambda a: np.repeat(a, 2, 1))
        pw = lw.widen_variant(p, 3, **kw)
        for n, big in ((5, True), (1, False)):
            y = bert_block(x[:n], p, 3)
            delta = np.max(np.abs(bert_block(f(x[:n]) / math.sqrt(2), pw, 3) - f(y) / math.sqrt(2)))
            assert (delta > 1e-3) == big, (kw, n, delta)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(h=st.integers(1, 4), dh=st.integers(1, 4), dff=st.integers(1, 12), n=st.integers(1, 6),
       seed=st.integers(0, 10**6), shift=st.floats(-2, 2))
def test_property_corrected_always_printed_when_centred(h, dh, dff, n, seed, shift):
    d = max(4, h * dh)
    d -= d % h
    p = lw.random_params(d, dff, seed=seed)
    rng = np.random.default_rng(seed)
    centred = rng.standard_normal(d)
    centred = 0.01 * (centred - centred.mean()) / np.max(np.abs(centred - centred.mean()))
    p["b2"] = shift + centred            # a constant plus a centred part of size 1e-2: never constant
    x = rng.standard_normal((n, d))
    ref = np.repeat(block_ref(x, p, h), 2, 1) / math.sqrt(2)
    scale = max(1.0, np.max(np.abs(ref)))
    good = bert_block(np.repeat(x, 2, 1) / math.sqrt(2), widen_bert_block(p, h), h)
    assert np.max(np.abs(good - ref)) <= 1e-12 * scale
    bad = bert_block(np.repeat(x, 2, 1) / math.sqrt(2), widen_bert_block(p, h, ffn2_bias="as_printed"), h)
    assert np.max(np.abs(bad - ref)) > 1e-9 * scale


def test_rope_duplicated_frequencies_exact():
    p, x = _setup(16, 2, 32, 6)
    dh = 8
    narrow = 10000.0 ** (-2 * np.arange(dh // 2) / dh)
    y = bert_block(x, p, 2, rope=narrow)
    yw = bert_block(np.repeat(x, 2, 1) / math.sqrt(2), lw.widen_variant(p, 2, rope_pairs=True), 2,
                    rope=np.repeat(narrow, 2))
    assert np.max(np.abs(yw - np.repeat(y, 2, 1) / math.sqrt(2))) < 1e-12
    recomputed = 10000.0 ** (-2 * np.arange(dh) / (2 * dh))
    yw = bert_block(np.repeat(x, 2, 1) / math.sqrt(2), lw.widen_variant(p, 2, rope_pairs=True), 2, rope=recomputed)
    assert np.max(np.abs(yw - np.repeat(y, 2, 1) / math.sqrt(2))) > 1e-3
