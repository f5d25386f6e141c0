"""A pytest plugin for the mutation runs only (tests/mutation/run.py stages it and passes `-p pytest_profile`).

Each mutant reruns the tests that reach it: Hypothesis must try the same examples every time (derandomized, no
example database), and no health check may fail a test because a loaded machine generated data slowly.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "cwmock-mutation", derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile("cwmock-mutation")
