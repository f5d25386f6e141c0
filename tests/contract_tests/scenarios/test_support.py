"""Who the drift scenarios judge: the reference poller always, another poller only when it claims drift safety."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cwmock.contract_tests.harness.options import DRIFT_OPTION
from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.targets import ExternalCommandTarget, PollerTarget
from cwmock.contract_tests.scenarios.support import judge_drift_strictly


@dataclass
class FakeHarness:
    target: PollerTarget
    strict_drift: bool = False


@dataclass
class FakeConfig:
    claimed: bool

    def getoption(self, name: str) -> Any:
        assert name == DRIFT_OPTION
        return self.claimed


@pytest.mark.parametrize(
    "target", [ReferencePoller(), ExternalCommandTarget("python -m cwmock poller once")], ids=["in-process", "command"]
)
def test_the_reference_poller_is_always_judged_strictly(target: PollerTarget) -> None:
    harness = FakeHarness(target)
    judge_drift_strictly(harness, FakeConfig(claimed=False))  # type: ignore[arg-type]
    assert harness.strict_drift


def test_another_poller_is_judged_only_when_it_claims_it() -> None:
    harness = FakeHarness(ExternalCommandTarget("./my-poller"))
    with pytest.raises(pytest.skip.Exception, match=DRIFT_OPTION):
        judge_drift_strictly(harness, FakeConfig(claimed=False))  # type: ignore[arg-type]
    assert not harness.strict_drift
    judge_drift_strictly(harness, FakeConfig(claimed=True))  # type: ignore[arg-type]
    assert harness.strict_drift
