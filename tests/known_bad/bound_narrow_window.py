"""A bound that fails only in a window of width 2e-4: x^2 + 1/9 >= 2x/3 + 1e-8 on [-5, 5].

Article: planted error (the inequality fails for |x - 1/3| < 1e-4, which seeded points miss).
"""
import sympy as sp

from derivcheck import bound, claim

x = sp.Symbol("x", real=True)
EXPECT = {"window": (1, "")}


@claim("window", r"$x^2 + 1/9 \ge 2x/3 + 10^{-8}$ on $[-5, 5]$")
def window():
    return bound(2 * x / 3 + sp.Rational(1, 10**8), x**2 + sp.Rational(1, 9), domain={x: (-5, 5)})
