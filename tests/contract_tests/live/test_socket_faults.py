"""Socket faults in a live workload: planned only when asked for, each scheduled at its step's emulated instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.live.clock_modes import RealTime
from cwmock.contract_tests.live.workload import HUB_CONTACTS, Step, WorkloadDriver, WorkloadSpec, plan_workload
from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.faults.tcp_proxy import BackgroundFaultProxy, TcpFaultProxy
from cwmock.emulator.http.server import BackgroundServer

pytestmark = pytest.mark.anyio
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_socket_faults_are_planned_only_when_asked_for() -> None:
    spec: dict[str, Any] = {"seed": 30, "duration": timedelta(seconds=12), "steps_per_minute": 50}
    without = plan_workload(WorkloadSpec(**spec))
    with_them = plan_workload(WorkloadSpec(**spec, socket_faults=True))
    assert "socket_fault" not in {step.action for step in without}
    planned = [step.fault for step in with_them if step.action == "socket_fault"]
    assert {fault["kind"] for fault in planned if fault} == {"reset_before_response", "cut_body_after"}
    assert all(fault and fault["path"] == HUB_CONTACTS and fault["times"] == 1 for fault in planned)


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = create_emulator(clock=ManualClock(START))
    with BackgroundServer(emulator.app) as server:
        proxy = BackgroundFaultProxy(TcpFaultProxy(server.host, server.port, faults=emulator.socket_faults)).start()
        try:
            yield emulator, server.url
        finally:
            proxy.stop()


async def test_a_socket_fault_step_is_added_from_its_emulated_instant(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    control = EmulatorControl(url)
    try:
        assert (await control.fault_proxy_url()) == emulator.socket_faults.proxy_url
        driver = WorkloadDriver(control, "cwmock", RealTime())
        fault = {"kind": "cut_body_after", "cutAfter": 10, "path": HUB_CONTACTS, "times": 1}
        done = await driver.play([Step(timedelta(0), "socket_fault", fault=fault)], START)
        assert "socket fault 1: cut_body_after" in done[0]
        listed = emulator.socket_faults.all()
        assert [(f.kind, f.cut_after, f.scope.starts, f.scope.times) for f in listed] == [
            ("cut_body_after", 10, START, 1)
        ]
        await control.clear_socket_faults()
        assert emulator.socket_faults.all() == []
    finally:
        await control.aclose()
