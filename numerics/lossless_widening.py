"""A Post-LN BERT block and its lossless k-fold widening by interleaved repetition.

Row vectors, y = x W + b. The block is z = LN1(x + MHA(x)), y = LN2(z + GeLU(z W1 + b1) W2 + b2),
with heads as contiguous column blocks, attention scale 1/sqrt(d/n_heads), exact (erf) GeLU and
LayerNorm with the population variance and ``ln_eps`` inside the square root.

Widening by k (interleaved repetition ``rep(a, k)`` = each entry k times in a row): x -> rep(x)/sqrt(k);
LayerNorm gamma, beta -> rep/sqrt(k); W_v, W_o -> rep2(W)/k with bias rep(b)/sqrt(k); W_q, W_k the same
times k**(1/4); FFN 1 -> rep2(W1)/sqrt(k), bias rep(b1); FFN 2 -> rep2(W2)/(k sqrt(k)), bias
rep(b2)/sqrt(k) ("corrected") or rep(b2)/k ("as_printed", the article's rule for k = 2).

Public: ``bert_block(x, params, n_heads, ln_eps=0.0)`` and ``widen_bert_block(params, n_heads, k=2,
ffn2_bias="corrected")``. The rest (variants with other q/k factors, tiled layouts, RoPE, an
mpmath version of the block, the MLM head) serves the checks of the article's variants.

>>> import numpy as np
>>> p = random_params(8, 16, seed=1)
>>> x = np.random.default_rng(2).normal(size=(3, 8))
>>> y = bert_block(x, p, 2)
>>> yw = bert_block(rep(x) / np.sqrt(2), widen_bert_block(p, 2), 2)
>>> bool(np.max(np.abs(yw - rep(y) / np.sqrt(2))) < 1e-12)
True
"""
from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy.special import erf

__all__ = ["bert_block", "widen_bert_block",                       # the public API
           "KEYS", "bert_block_mp", "mlm_logits", "random_params", "rel_max_diff", "rep", "rep2",
           "rope_scores", "tile", "widen_variant"]

KEYS = ("wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo", "ln1_g", "ln1_b",
        "w1", "b1", "w2", "b2", "ln2_g", "ln2_b")
FFN2_BIAS = ("corrected", "as_printed")


def rep(a, k: int = 2, axis: int = -1):
    """Interleaved repetition along ``axis``: [a1, a1, a2, a2, ...] for k = 2 (``np.repeat``)."""
    return np.repeat(a, k, axis=axis)


def rep2(w, k: int = 2):
    """A matrix with rows and columns repeated: W~[i, j] = W[i // k, j // k]."""
    return np.repeat(np.repeat(w, k, axis=0), k, axis=1)


def tile(a, k: int = 2, axis: int = -1):
    """Tiled repetition [a, a, ...] along ``axis`` (the layout the article rejects)."""
    reps = [1] * np.ndim(a)
    reps[axis] = k
    return np.tile(a, reps)


# --- argument checks ------------------------------------------------------------------------------

def _shapes(params, n_heads):
    """(d, d_ff) of a parameter dict; ValueError naming what is wrong."""
    if not isinstance(params, dict):
        raise ValueError(f"params={type(params).__name__}: give a dict with the keys {', '.join(KEYS)}")
    missing, extra = [k for k in KEYS if k not in params], sorted(set(params) - set(KEYS))
    if missing or extra:
        raise ValueError(f"params: missing keys {missing}, unexpected keys {extra}; give exactly {', '.join(KEYS)}")
    if isinstance(n_heads, bool) or not isinstance(n_heads, (int, np.integer)) or n_heads < 1:
        raise ValueError(f"n_heads={n_heads!r}: give an int >= 1")
    d, d_ff = np.shape(params["w1"]) if np.ndim(params["w1"]) == 2 else (None, None)
    if d is None:
        raise ValueError(f"params['w1'] has shape {np.shape(params['w1'])}: give a (d, d_ff) matrix")
    want = {"wq": (d, d), "wk": (d, d), "wv": (d, d), "wo": (d, d), "w2": (d_ff, d), "b1": (d_ff,)}
    want.update({k: (d,) for k in ("bq", "bk", "bv", "bo", "ln1_g", "ln1_b", "b2", "ln2_g", "ln2_b")})
    for key, shape in want.items():
        if np.shape(params[key]) != shape:
            raise ValueError(f"params['{key}'] has shape {np.shape(params[key])}, expected {shape} "
                             f"(d = {d}, d_ff = {d_ff} from params['w1'])")
    if d % n_heads:
        raise ValueError(f"n_heads={n_heads} does not divide d={d}; give a divisor of the hidden size")
    return d, d_ff


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k={k!r}: give an int >= 1 (the widening factor)")
    return int(k)


# --- the block, written once for float64 and for mpmath object arrays ------------------------------

class _Ops:
    """The elementwise functions the block needs, for one number type."""

    def __init__(self, erf_, sqrt_, exp_, const):
        self.erf, self.sqrt, self.exp, self.const = erf_, sqrt_, exp_, const


_F64 = _Ops(erf, np.sqrt, np.exp, float)
_MP = _Ops(np.vectorize(mp.erf, otypes=[object]), np.vectorize(mp.sqrt, otypes=[object]),
           np.vectorize(mp.exp, otypes=[object]), mp.mpf)


def _layer_norm(u, g, b, eps, ops):
    mean = np.sum(u, axis=-1, keepdims=True) / u.shape[-1]
    c = u - mean
    var = np.sum(c * c, axis=-1, keepdims=True) / u.shape[-1]     # population variance
    return g * c / ops.sqrt(var + eps) + b


def _softmax(s, ops):
    e = ops.exp(s - np.max(s, axis=-1, keepdims=True))            # row maximum subtracted
    return e / np.sum(e, axis=-1, keepdims=True)


def _attention(x, p, n_heads, ops, rope=None):
    d = p["wq"].shape[0]
    dh = d // n_heads
    q, k, v = x @ p["wq"] + p["bq"], x @ p["wk"] + p["bk"], x @ p["wv"] + p["bv"]
    heads = []
    for h in range(n_heads):
        cols = slice(h * dh, (h + 1) * dh)
        qh, kh = q[:, cols], k[:, cols]
        s = rope_scores(qh, kh, rope) if rope is not None else qh @ kh.T
        heads.append(_softmax(s / ops.const(dh) ** 0.5, ops) @ v[:, cols])
    return np.concatenate(heads, axis=1) @ p["wo"] + p["bo"]


def _block(x, p, n_heads, ln_eps, ops, rope=None):
    z = _layer_norm(x + _attention(x, p, n_heads, ops, rope), p["ln1_g"], p["ln1_b"], ln_eps, ops)
    u = z @ p["w1"] + p["b1"]
    f = u * (1 + ops.erf(u / ops.const(2) ** 0.5)) / 2         # exact GeLU
    return _layer_norm(z + f @ p["w2"] + p["b2"], p["ln2_g"], p["ln2_b"], ln_eps, ops)


def _check_x(x, d):
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"x has shape {x.shape}: give an (n, d) array with d = {d}")
    return x


def bert_block(x, params, n_heads, ln_eps=0.0, rope=None):
    """The Post-LN block on ``x`` (n, d) in float64; returns an (n, d) float64 array.

    ``rope`` (optional: None, or the d'/2 pair frequencies of a head, d' = d/n_heads) rotates each
    query and key pair (2j, 2j+1) of every head by position * frequency (RoFormer layout).

    >>> p = random_params(4, 8, seed=0)
    >>> bert_block(np.zeros((2, 4)), p, 3)
    Traceback (most recent call last):
    ...
    ValueError: n_heads=3 does not divide d=4; give a divisor of the hidden size
    """
    d, _ = _shapes(params, n_heads)
    if not (isinstance(ln_eps, (int, float)) and ln_eps >= 0):
        raise ValueError(f"ln_eps={ln_eps!r}: give a number >= 0")
    x = _check_x(x, d).astype(float)
    p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    return _block(x, p, int(n_heads), float(ln_eps), _F64, rope)


def bert_block_mp(x, params, n_heads, dps, ln_eps=0):
    """The same block in mpmath at ``dps`` digits (inputs read exactly); an (n, d) object array."""
    d, _ = _shapes(params, n_heads)
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ValueError(f"dps={dps!r}: give an int >= 15")
    with mp.workdps(dps):
        conv = np.vectorize(lambda t: t if isinstance(t, mp.mpf) else mp.mpf(float(t)), otypes=[object])
        p = {k: conv(np.asarray(v, dtype=object)) for k, v in params.items()}
        return _block(conv(_check_x(x, d).astype(object)), p, int(n_heads), mp.mpf(ln_eps), _MP)


# --- widening -------------------------------------------------------------------------------------

def widen_bert_block(params, n_heads, k=2, ffn2_bias="corrected"):
    """The k-fold wider block (same ``n_heads``, head size times k) by interleaved repetition.

    ``ffn2_bias="corrected"`` uses rep(b2)/sqrt(k); ``"as_printed"`` the article's rep(b2)/k.
    The input dict is not modified.

    >>> widen_bert_block(random_params(4, 8), 2, ffn2_bias="half")
    Traceback (most recent call last):
    ...
    ValueError: ffn2_bias='half': give 'corrected' or 'as_printed'
    """
    return widen_variant(params, n_heads, k=k, ffn2_bias=ffn2_bias)


def widen_variant(params, n_heads, *, k=2, ffn2_bias="corrected", qk=None, layout="interleave",
                  rope_pairs=False):
    """``widen_bert_block`` with the variants the article discusses: ``qk=(alpha, beta)`` the extra
    factors on the query and key transforms (default k**(1/4) each); ``layout="tile"`` the tiled
    repetition [x, x]/sqrt(k); ``rope_pairs=True`` pairwise repetition [q1, q2, q1, q2, ...] of the
    query and key columns inside each head (for RoPE). ``ffn2_bias`` may also be a number c: bias
    rep(b2) * c. Parameters given as mpf object arrays are widened in mpmath at the working precision."""
    d, _ = _shapes(params, n_heads)
    k = _check_k(k)
    if isinstance(ffn2_bias, str):
        if ffn2_bias not in FFN2_BIAS:
            raise ValueError(f"ffn2_bias={ffn2_bias!r}: give 'corrected' or 'as_printed'")
        c2 = 1 / math.sqrt(k) if ffn2_bias == "corrected" else 1 / k
    else:
        c2 = float(ffn2_bias)
    if layout not in ("interleave", "tile"):
        raise ValueError(f"layout={layout!r}: give 'interleave' or 'tile'")
    exact = any(np.asarray(v).dtype == object for v in params.values())   # mpf entries: stay in mpmath
    num = mp.mpf if exact else float
    sk = num(k) ** num(0.5)
    alpha, beta = (sk ** num(0.5), sk ** num(0.5)) if qk is None else (num(qk[0]), num(qk[1]))
    if not isinstance(ffn2_bias, str):
        c2 = num(ffn2_bias)
    elif exact:
        c2 = 1 / sk if ffn2_bias == "corrected" else 1 / num(k)
    r = rep if layout == "interleave" else tile
    r2 = (lambda w: r(r(w, k, 0), k, 1))
    p = {key: np.array(v, dtype=object if exact else float) for key, v in params.items()}
    out = {"ln1_g": r(p["ln1_g"], k) / sk, "ln1_b": r(p["ln1_b"], k) / sk,
           "ln2_g": r(p["ln2_g"], k) / sk, "ln2_b": r(p["ln2_b"], k) / sk,
           "w1": r2(p["w1"]) / sk, "b1": r(p["b1"], k), "w2": r2(p["w2"]) / (k * sk), "b2": r(p["b2"], k) * c2}
    for key, f in (("q", alpha), ("k", beta), ("v", 1.0), ("o", 1.0)):
        out["w" + key] = f * r2(p["w" + key]) / k
        out["b" + key] = f * r(p["b" + key], k) / sk
    if rope_pairs:
        cols = _pair_columns(d, n_heads, k)
        for key in ("q", "k"):
            out["w" + key] = r(p["w" + key], k, 0)[:, cols] * (alpha if key == "q" else beta) / k
            out["b" + key] = p["b" + key][cols] * (alpha if key == "q" else beta) / sk
    return out


def _pair_columns(d, n_heads, k):
    """Narrow column of each wide column for pairwise repetition inside each head."""
    dh = d // n_heads
    cols = []
    for h in range(n_heads):
        for c in range(k * dh):
            pair, off = divmod(c, 2)
            cols.append(h * dh + 2 * (pair // k) + off)
    return np.array(cols)


# --- RoPE, the MLM head, helpers ------------------------------------------------------------------

def rope_scores(q, k, freqs):
    """q R_m (k R_n)^T for token positions m, n = 0, 1, ..., each pair (2j, 2j+1) rotated by
    position * freqs[j] (RoFormer layout); q, k are (n, dh) with dh = 2 len(freqs)."""
    n, dh = q.shape
    freqs = np.asarray(freqs, dtype=float)
    if freqs.shape != (dh // 2,):
        raise ValueError(f"freqs has shape {freqs.shape}: give dh/2 = {dh // 2} pair frequencies")
    ang = np.arange(n)[:, None] * freqs[None, :]
    c, s = np.cos(ang), np.sin(ang)

    def rot(a):
        a0, a1 = a[:, 0::2], a[:, 1::2]
        out = np.empty_like(a)
        out[:, 0::2], out[:, 1::2] = a0 * c - a1 * s, a0 * s + a1 * c
        return out
    return rot(q) @ rot(k).T


def mlm_logits(y, head, ln_eps=0.0, dps=None):
    """BERT's MLM head: LN(GeLU(y W + b)) E^T + b_out, ``head`` = dict w, b, g, beta, E (V, d), b_out;
    in float64, or in mpmath at ``dps`` digits (then give mpf object arrays for exact inputs)."""
    ops = _F64 if dps is None else _MP
    with mp.workdps(dps or mp.mp.dps):
        h = {k: np.asarray(v, dtype=object if dps else float) for k, v in head.items()}
        y = np.asarray(y, dtype=object if dps else float)
        u = y @ h["w"] + h["b"]
        t = u * (1 + ops.erf(u / ops.const(2) ** 0.5)) / 2
        s = _layer_norm(t, h["g"], h["beta"], ops.const(ln_eps), ops)
        return s @ h["E"].T + h["b_out"]


def random_params(d, d_ff, seed=0, scale=0.3):
    """Seeded weights and biases 0.3 N(0, 1); gamma near 1, beta near 0 (all non-zero)."""
    rng = np.random.default_rng(seed)
    p = {k: scale * rng.standard_normal((d, d)) for k in ("wq", "wk", "wv", "wo")}
    p.update({k: scale * rng.standard_normal(d) for k in ("bq", "bk", "bv", "bo", "b2")})
    p.update(w1=scale * rng.standard_normal((d, d_ff)), b1=scale * rng.standard_normal(d_ff),
             w2=scale * rng.standard_normal((d_ff, d)))
    for i in (1, 2):
        p[f"ln{i}_g"] = 1 + 0.1 * rng.standard_normal(d)
        p[f"ln{i}_b"] = 0.1 * rng.standard_normal(d)
    return {k: p[k] for k in KEYS}


def rel_max_diff(a, b):
    """max|a - b| / max(1, max|b|), the float64 tolerance rule of the block checks."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    diff = max(abs(t) for t in (a - b).ravel())
    return diff / max(1, max(abs(t) for t in b.ravel()))
