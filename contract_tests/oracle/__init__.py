"""The exactly-once oracle: a pure function from what was recorded to a verdict with evidence."""

from cwmock.contract_tests.oracle.judge import judge
from cwmock.contract_tests.oracle.verdict import Finding, FindingKind, Verdict

__all__ = [
    "Finding",
    "FindingKind",
    "Verdict",
    "judge",
]
