"""Accelerated time for a live judgement: the emulator's clock at speed, the service told the same offset and pace.

The oracle judges by server time: a poller whose own clock starts seconds behind the emulator's (here five, on top
of its start-up drift) still passes. A wall clock that reads ahead stands for that lag: the offset the service is
told is measured against it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cwmock.cli.judge import ACCELERATED_GAP_PER_SPEED, ACCELERATED_TOLERANCE_PER_SPEED
from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.live.clock_modes import CLOCK_MODES, Accelerated
from cwmock.contract_tests.live.session import JudgeSettings, LiveJudge, LiveResult
from cwmock.contract_tests.live.workload import WorkloadSpec
from cwmock.contract_tests.oracle.inference import InferenceSettings
from cwmock.core.clock import ClockArgumentError, ManualClock, SystemClock
from cwmock.emulator.app import create_emulator
from cwmock.emulator.http.server import BackgroundServer
from cwmock.fixtures import SEED_INSTANCE, read_fixture
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import ReceiverServer

from support.runtimes import required_libfaketime, required_program

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
POLLER = Path(__file__).resolve().parents[3] / "examples" / "node-poller" / "poller.mjs"
SPEED = 60
LAG = timedelta(seconds=5)  # the poller's clock starts this far behind the emulator's, on top of its start-up drift


class ShiftedWall:
    """The wall clock read `shift` ahead (so a service's clock, set from it, starts `shift` behind)."""

    def __init__(self, shift: timedelta) -> None:
        self.shift = shift
        self.wall = SystemClock()

    def now(self) -> datetime:
        return self.wall.now() + self.shift

    async def sleep_until(self, deadline: datetime) -> None:
        await self.wall.sleep_until(deadline - self.shift)


@pytest.fixture
def stack() -> Iterator[tuple[str, str]]:
    clock = ManualClock(SystemClock().now())
    clock.follow_wall()
    with (
        BackgroundServer(create_emulator(clock=clock).app) as emulator,
        ReceiverServer(Receiver(clock), "127.0.0.1", 0).start() as receiver,
    ):
        yield emulator.url, receiver.url
    clock.close()


def test_accelerated_is_offered_and_refuses_a_bad_speed() -> None:
    assert CLOCK_MODES["accelerated"] is Accelerated
    with pytest.raises(ClockArgumentError, match="speed"):
        Accelerated(speed=0)


def test_the_service_is_told_the_emulators_offset_and_pace(stack: tuple[str, str]) -> None:
    library = required_libfaketime()
    mode = Accelerated(speed=30, library=library)

    async def prepare() -> tuple[dict[str, str], datetime]:
        control = EmulatorControl(stack[0])
        try:
            await control.set_clock(START, allow_backwards=True)
            await mode.prepare(control)
            environment = mode.service_environment()
            status = await control.now()
            return environment, status
        finally:
            await control.aclose()

    environment, emulated = asyncio.run(prepare())
    offset, speed = environment["FAKETIME"].split(" ")
    assert speed == "x30.0"
    told = SystemClock().now() + timedelta(seconds=float(offset))
    assert abs(told - emulated) < timedelta(seconds=3), "the service starts at the emulator's instant"
    assert environment["LD_PRELOAD"].startswith(str(library))
    assert environment["FAKETIME_DONT_RESET"] == "1"


def test_a_poller_whose_clock_starts_behind_the_emulators_still_passes(stack: tuple[str, str], tmp_path: Path) -> None:
    library = required_libfaketime()
    node = required_program("node")
    settings = JudgeSettings(
        emulator_url=stack[0],
        receiver_url=stack[1],
        work_dir=tmp_path,
        instance_body=json.loads(read_fixture(SEED_INSTANCE)),
        command=[node, str(POLLER), "--interval", "60"],
        workload=WorkloadSpec(seed=3, duration=timedelta(minutes=10), steps_per_minute=4),
        clock=Accelerated(speed=SPEED, wall=ShiftedWall(LAG), library=library),
        # `cwmock judge`'s accelerated defaults: their pollDate slack covers the service's start-up drift (0.2 s of
        # real time); the lag this test adds comes on top of it. With the slack alone (12 s), a run under a loaded
        # `pytest -n auto` failed: pollDate 16 s before the first request, 5 s of lag and 11 s of drift.
        inference=InferenceSettings(
            timedelta(seconds=ACCELERATED_GAP_PER_SPEED * SPEED),
            timedelta(seconds=ACCELERATED_TOLERANCE_PER_SPEED * SPEED) + LAG,
        ),
        settle_timeout=timedelta(minutes=10),
    )

    async def run() -> LiveResult:
        judge = LiveJudge(settings)
        try:
            return await judge.run()
        finally:
            await judge.aclose()

    result = asyncio.run(run())
    verdict = result.verdict
    stderr = (tmp_path / "service.stderr").read_text(encoding="utf-8", errors="replace")
    assert verdict.findings == (), f"{verdict.findings}\n{stderr}"
    assert not verdict.inconclusive_reasons
    assert verdict.required, "the workload wrote versions the poller had to deliver"
