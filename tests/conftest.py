import mpmath
import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]
collect_ignore_glob = ["known_bad/*"]           # planted errors: loaded by test_known_bad.py

settings.register_profile("dev", deadline=None, max_examples=30)
settings.register_profile("ci", deadline=None, max_examples=30, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _reset_mpmath():
    """Every test starts and ends at mpmath's default precision."""
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15
