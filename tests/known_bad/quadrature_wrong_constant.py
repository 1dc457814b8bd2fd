"""int_0^1 sqrt(x) dx = 0.6 by quadrature (it is 2/3).

Article: planted error (quadrature wrong constant).
"""
import mpmath as mp

from derivcheck import Estimate, agrees, claim

EXPECT = {"quad": (1, "")}


@claim("quad", "int_0^1 sqrt(x) dx = 0.6", tag="numeric", dps=(30,))
def quad():
    with mp.workdps(30):
        v, err = mp.quad(mp.sqrt, [0, 1], error=True)
        return agrees(Estimate(v, err, "tanh-sinh", 30), mp.mpf("0.6"), atol=mp.mpf(10) ** -20)
