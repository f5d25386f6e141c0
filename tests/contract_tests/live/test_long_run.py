"""A long run judged from the request log: hours of emulated time and thousands of hub requests, through a journal
ring far too small to hold them, judged without INCONCLUSIVE (the log is independent of the ring).

The reference poller runs in-process on the harness's manual clock (fast), but the verdict is taken from the
windows inferred from its requests, as `cwmock judge` takes it: the harness's own windows are not used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inference import RequestLog, judge_inferred
from cwmock.contract_tests.oracle.inputs import History, ServedLog
from cwmock.core.clock import ManualClock
from cwmock.emulator.app import DEFAULT_START, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.http.server import BackgroundServer
from cwmock.fixtures import SEED_INSTANCE, read_fixture
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import serve_receiver

pytestmark = pytest.mark.anyio

RING = 64
WINDOWS = 100  # 15 minutes apart: 25 hours of emulated time
TOUCHED = 20  # per window, read 1 to a page: 21 hub requests a window


@pytest.fixture
def small_ring() -> Iterator[tuple[str, Receiver, str]]:
    clock = ManualClock(DEFAULT_START)
    emulator = create_emulator(EmulatorConfig(journal_capacity=RING), clock)
    receiver = Receiver(clock)
    with BackgroundServer(emulator.app) as server, serve_receiver(receiver) as hooks:
        yield server.url, receiver, hooks.url


async def test_thousands_of_requests_through_a_tiny_ring_are_judged_conclusively(
    small_ring: tuple[str, Receiver, str], tmp_path: Path
) -> None:
    url, receiver, hooks = small_ring
    body: dict[str, Any] = json.loads(read_fixture(SEED_INSTANCE))
    body["configuration"]["event.poller.configuration"]["contacts"]["pageSize"] = 1
    control = EmulatorControl(url)
    harness = Harness(control, receiver, ReferencePoller(), body, HarnessSettings(url, f"{hooks}/hooks", tmp_path))
    try:
        await harness.start()
        ids = await control.bulk_create(harness.tenant, 40)
        for window in range(WINDOWS):
            await harness.advance(harness.refresh_interval.total_seconds() / 2)
            await control.touch(harness.tenant, ids[window % 10 : window % 10 + TOUCHED])
            await harness.advance(harness.refresh_interval.total_seconds() / 2)
            await harness.run_window()
        await harness.settle()
        assert harness.settle_facts is not None
        by_harness = await harness.judge()
        instance_id = int(harness.instance["id"])
        log = RequestLog.from_json(await control.request_log(instance_id))
        settle_window = harness.windows[harness.settle_facts.first_window - 1]
        verdict = judge_inferred(
            instance=InstanceFacts.from_instance_json({**harness.instance, "tenant": harness.tenant}),
            history=History.from_json(await control.history(harness.tenant)),
            served=ServedLog.from_json(await control.served(instance_id)),
            log=log,
            arrivals=receiver.arrivals(),
            settle_seq=settle_window.begin_seq,
            arrivals_before=harness.settle_facts.arrivals_before,
            unattributed=RequestLog.from_json(await control.request_log(None)),
        )
        journal = await control.journal()
    finally:
        await control.aclose()
    assert journal["dropped"] > 2000  # the ring kept only the last 64 requests
    # Judged from the ring, windows whose entries were dropped count as faulted: far fewer versions are vouched for.
    assert by_harness.required < WINDOWS
    assert len(log.requests) > 2000
    assert verdict.inconclusive_reasons == ()
    assert verdict.passed, verdict.report()
    assert len(verdict.windows) == len(harness.windows)
    assert verdict.required >= WINDOWS * TOUCHED
