"""The seeded workload: the same seed, the same plan; every action it plans has a handler; handlers are pluggable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.live.workload import HUB_CONTACTS, Step, WorkloadDriver, WorkloadSpec, plan_workload
from cwmock.emulator.live import LiveEmulator


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    spec = WorkloadSpec(seed=7, duration=timedelta(minutes=10))
    assert plan_workload(spec) == plan_workload(spec)
    assert plan_workload(spec) != plan_workload(WorkloadSpec(seed=8, duration=timedelta(minutes=10)))


def test_a_plan_spreads_its_steps_over_the_duration_in_order_and_starts_with_a_create() -> None:
    steps = plan_workload(WorkloadSpec(seed=1, duration=timedelta(hours=2), steps_per_minute=10))
    assert len(steps) == 1200
    assert steps[0].action == "create"
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert all(timedelta(0) <= s.at <= timedelta(hours=2) for s in steps)
    assert {s.action for s in steps} == {"create", "update", "touch", "delete", "burst", "fault"}


def test_faults_are_one_request_on_the_hub_and_can_be_left_out() -> None:
    steps = plan_workload(WorkloadSpec(seed=2, duration=timedelta(hours=1)))
    faults = [s.fault for s in steps if s.action == "fault"]
    assert faults
    assert all(f is not None and f["path"] == HUB_CONTACTS and f["times"] == 1 for f in faults)
    quiet = plan_workload(WorkloadSpec(seed=2, duration=timedelta(hours=1), faults=False))
    assert "fault" not in {s.action for s in quiet}


@pytest.mark.parametrize(
    "spec",
    [
        {"duration": timedelta(0)},
        {"steps_per_minute": 0},
        {"burst_size": 0},
    ],
)
def test_an_empty_workload_is_refused(spec: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must be positive|at least one"):
        WorkloadSpec(**spec)  # type: ignore[arg-type]


def test_a_step_is_reported_as_json() -> None:
    step = Step(timedelta(seconds=1.5), "fault", fault={"kind": "status", "status": 503})
    assert step.to_json() == {"at": 1.5, "action": "fault", "count": 1, "fault": {"kind": "status", "status": 503}}


class Immediately:
    """A clock mode that never waits: the steps run back to back (the driver's own logic under test)."""

    name = "immediately"

    async def prepare(self, control: EmulatorControl) -> None:
        """Nothing to prepare."""

    async def wait_until(self, control: EmulatorControl, instant: datetime) -> None:
        """Do not wait."""

    def service_environment(self) -> dict[str, str]:
        """Nothing to add."""
        return {}


@pytest.mark.anyio
async def test_the_driver_plays_every_action_and_takes_new_ones(cwmock_live: LiveEmulator) -> None:
    control = EmulatorControl(cwmock_live.url)
    try:
        driver = WorkloadDriver(control, "cwmock", Immediately(), seed=3)
        seen: list[Step] = []

        async def reset_connection(step: Step) -> str:
            seen.append(step)
            return "a TCP fault would go here"

        with pytest.raises(ValueError, match="no handler for workload action"):
            await driver.play([Step(timedelta(0), "tcp_reset")], await control.now())
        driver.register("tcp_reset", reset_connection)
        actions = ["create", "update", "touch", "burst", "delete", "fault", "tcp_reset"]
        fault = {"kind": "status", "status": 503, "path": HUB_CONTACTS, "times": 1}
        steps = [Step(timedelta(0), a, count=3, fault=fault if a == "fault" else None) for a in actions]
        done = await driver.play(steps, await control.now())
        faults = await control.faults()
        history = await control.history("cwmock")
    finally:
        await control.aclose()
    assert len(done) == len(actions)
    assert [line.split(" ", 1)[1].split(" ")[0] for line in done[:3]] == ["created", "updated", "touched"]
    assert seen == [steps[-1]]
    assert len(faults) == 1
    assert len(driver.contacts) == 3  # one created, three in the burst, one deleted
    assert sum(v["writes"] for v in history["versions"]) >= 6  # create, update, touch, a burst of three
