"""The stateful property test: random runs of writes, clock steps, windows, receiver failures, hub faults and
crashes against the poller under judgement (`--poller-cmd`, else the reference poller in-process).

Safety is checked after every step, Required after the settle. The Hypothesis profile is `--cwmock-profile
dev|ci|deep` (else `$CWMOCK_HYPOTHESIS_PROFILE`, else `ci`); a failure prints the steps, each noting what it did,
and the oracle's report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis.stateful import run_state_machine_as_test

from cwmock.contract_tests.harness.classification import POLICY_OPTION, documented
from cwmock.contract_tests.harness.targets import ExternalCommandTarget, PollerTarget
from cwmock.contract_tests.oracle.rules import ELEMENT_BUILDER
from cwmock.contract_tests.stateful.machine import StatefulStack, machine_for
from cwmock.contract_tests.stateful.settings import profile_name, stateful_settings
from cwmock.emulator.live import LiveEmulator
from cwmock.receiver.server import ReceiverServer


@documented(ELEMENT_BUILDER)
def test_any_run_of_changes_faults_and_crashes_is_delivered_exactly_once(
    request: pytest.FixtureRequest,
    cwmock_server: LiveEmulator,
    cwmock_receiver_server: ReceiverServer,
    cwmock_poller_target: PollerTarget,
    cwmock_instance_body: dict[str, object],
    tmp_path: Path,
) -> None:
    external = isinstance(cwmock_poller_target, ExternalCommandTarget)
    stack = StatefulStack(
        cwmock_server,
        cwmock_receiver_server,
        cwmock_poller_target,
        cwmock_instance_body,
        tmp_path,
        judge_policy=not external or bool(request.config.getoption(POLICY_OPTION)),
    )
    name = profile_name(request.config.getoption("--cwmock-profile"))
    profile = stateful_settings(name, external=external)
    run_state_machine_as_test(machine_for(stack), settings=profile)
