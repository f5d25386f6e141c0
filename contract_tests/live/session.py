"""One live judgement: register an instance, start (or find) the poller, drive the workload, settle, stop, judge.

The poller runs on its own schedule; the judge never tells it when to poll. Its windows are inferred from its hub
requests (`cwmock.contract_tests.oracle.inference`) and judged by the oracle's unchanged rules
(docs/contract-suite/live-judge.md).
"""

from __future__ import annotations

import asyncio
import copy
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.live.clock_modes import ClockMode, RealTime
from cwmock.contract_tests.live.service import Service, ServiceExit
from cwmock.contract_tests.live.workload import Step, WorkloadDriver, WorkloadSpec, plan_workload
from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inference import InferenceSettings, RequestLog, infer_windows, judge_inferred
from cwmock.contract_tests.oracle.inputs import History, ServedLog, arrival_from_json
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.contract_tests.oracle.windows import window_statuses
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.native.auth import basic_authorization
from cwmock.receiver.records import Arrival

DEFAULT_TENANT = "cwmock"
SETTLE_CHECK_SECONDS = 0.25


@dataclass
class JudgeSettings:
    """Where the stack is, what to judge, and how long to drive and wait."""

    emulator_url: str
    receiver_url: str
    work_dir: Path
    instance_body: Mapping[str, Any]
    command: Sequence[str] = ()
    """The poller to start as a service; empty: it already runs, polling `instance_id`."""
    instance_id: int | None = None
    workload: WorkloadSpec = field(default_factory=WorkloadSpec)
    clock: ClockMode = field(default_factory=RealTime)
    inference: InferenceSettings = field(default_factory=InferenceSettings)
    settle_runs: int = 2
    """Clean, complete runs the poller must begin after the workload stops before the judge stops it."""
    settle_timeout: timedelta = timedelta(minutes=2)
    admin_token: str | None = None
    user_secret: str = EmulatorConfig.user_secret
    organization_secret: str = EmulatorConfig.organization_secret
    extra_environment: Mapping[str, str] = field(default_factory=dict)
    client_id: str | None = None
    """Judge a native-API poller: register a subject with this clientId instead of a hub instance."""
    codebase: str = EmulatorConfig.codebase
    fault_proxy_url: str | None = None
    """The emulator's TCP fault proxy: the service polls the hub through it, so it meets socket faults."""


@dataclass
class LiveResult:
    """The verdict and what led to it."""

    verdict: Verdict
    instance: dict[str, Any]
    steps: list[Step]
    done: list[str]
    requests: int
    settle_seq: int
    service: ServiceExit | None
    started: datetime
    ended: datetime


def tenant_of(body: Mapping[str, Any]) -> str:
    """The tenant the instance's `company` names (the seed's `cloudelements`), else `cwmock`."""
    company = body.get("configuration", {}).get("company")
    return company if isinstance(company, str) and company else DEFAULT_TENANT


class LiveJudge:
    """Runs one judgement (`run`); every admin call goes through `control`, arrivals through the receiver's API."""

    def __init__(self, settings: JudgeSettings) -> None:
        self.settings = settings
        self.control = EmulatorControl(settings.emulator_url, admin_token=settings.admin_token)
        self.receiver = httpx.AsyncClient(base_url=settings.receiver_url.rstrip("/"), timeout=30.0)
        self.callback_path = f"/live-judge/{secrets.token_hex(6)}"
        self.instance: dict[str, Any] = {}
        self.service: Service | None = None

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        await self.control.aclose()
        await self.receiver.aclose()

    @property
    def tenant(self) -> str:
        """The judged instance's tenant."""
        return tenant_of(self.instance or self.settings.instance_body)

    async def register(self) -> dict[str, Any]:
        """Register the instance (its callback on the receiver), or read the one given; write its JSON."""
        settings = self.settings
        if settings.instance_id is not None:
            found = await self.control.instance(settings.instance_id)
            self.instance = {**found, "configuration": dict(found.get("configuration", {}))}
        else:
            body = copy.deepcopy(dict(settings.instance_body))
            configuration = dict(body.get("configuration", {}))
            configuration["event.notification.callback.url"] = settings.receiver_url.rstrip("/") + self.callback_path
            created = await self.control.create_instance(
                tenant_of(body),
                str(body.get("name") or "cwmock-live"),
                list(body.get("tags", [])),
                configuration,
                client_id=settings.client_id,
            )
            self.instance = {
                **body,
                "configuration": configuration,
                "id": created["id"],
                "token": created["token"],
                "createdDate": created["createdDate"],
            }
        settings.work_dir.mkdir(parents=True, exist_ok=True)
        (settings.work_dir / "state").mkdir(exist_ok=True)
        self.instance_path.write_text(json.dumps(self.instance, indent=2), encoding="utf-8")
        return self.instance

    @property
    def instance_path(self) -> Path:
        """The instance JSON the service reads (`CWMOCK_INSTANCE`)."""
        return self.settings.work_dir / "instance.json"

    def environment(self) -> dict[str, str]:
        """What the service is told (docs/contract-suite/live-judge.md#the-service-environment)."""
        settings = self.settings
        emulator = self.control.base_url
        return {
            "CWMOCK_EMULATOR_URL": emulator,
            "CWMOCK_HUB_URL": f"{settings.fault_proxy_url or emulator}/elements/api-v2",
            "CWMOCK_HUB_AUTH": (
                f"User {settings.user_secret}, Organization {settings.organization_secret}, "
                f"Element {self.instance['token']}"
            ),
            "CWMOCK_RECEIVER_URL": self.instance["configuration"].get("event.notification.callback.url", ""),
            "CWMOCK_INSTANCE": str(self.instance_path),
            "CWMOCK_INSTANCE_ID": str(self.instance["id"]),
            "CWMOCK_INSTANCE_TOKEN": str(self.instance["token"]),
            "CWMOCK_STATE_DIR": str(settings.work_dir / "state"),
            "CWMOCK_START": str(self.instance["createdDate"]),
            "CWMOCK_TENANT": self.tenant,
            **self.native_environment(),
            **settings.clock.service_environment(),
            **settings.extra_environment,
        }

    def native_environment(self) -> dict[str, str]:
        """For a native-API subject: the API root, its Authorization header (the tenant's API keys, as the
        emulator's default tenants have them) and the clientId to send."""
        client_id = self.settings.client_id
        if client_id is None:
            return {}
        keys = next((t for t in EmulatorConfig.tenants if t.company.lower() == self.tenant.lower()), None)
        found = {} if keys is None else {
            "CWMOCK_API_AUTH": basic_authorization(keys.company, keys.public_key, keys.private_key),
            "CWMOCK_PUBLIC_KEY": keys.public_key,
            "CWMOCK_PRIVATE_KEY": keys.private_key,
        }  # fmt: skip
        api = f"{self.settings.fault_proxy_url or self.control.base_url}/{self.settings.codebase}apis/3.0"
        return {"CWMOCK_API_URL": api, "CWMOCK_CLIENT_ID": client_id, **found}

    async def arrivals(self) -> list[Arrival]:
        """This instance's notifications as the receiver got them, in arrival order."""
        callback = str(self.instance["configuration"].get("event.notification.callback.url") or "")
        path = httpx.URL(callback).path if callback else ""
        # Only this instance's callback path: another poller delivering to the same receiver is not judged here.
        params = {"path": path} if path not in ("", "/") else {}
        response = await self.receiver.get("/__receiver/arrivals", params=params)
        response.raise_for_status()
        return [arrival_from_json(a) for a in response.json()["arrivals"]]

    async def request_log(self) -> RequestLog:
        """Every hub request of the instance so far."""
        return RequestLog.from_json(await self.control.request_log(int(self.instance["id"])))

    async def settle(self, settle_seq: int) -> None:
        """Wait until the poller began `settle_runs` clean, complete runs after `settle_seq` (or the timeout, or it
        exits): the evidence that it caught up with everything written."""
        settings = self.settings
        deadline = await self.control.now() + settings.settle_timeout
        while await self.control.now() < deadline:
            if self.service is not None and self.service.exited is not None:
                return
            inferred = infer_windows(await self.request_log(), settings.inference)
            done = [w for w in inferred.windows if w.begin_seq >= settle_seq]
            statuses = window_statuses(done, inferred.journal, int(self.instance["id"]))
            if sum(1 for s in statuses if s.clean and s.complete) >= settings.settle_runs:
                return
            await asyncio.sleep(SETTLE_CHECK_SECONDS)

    async def run(self) -> LiveResult:
        """The whole judgement; the service is stopped whatever happens."""
        settings = self.settings
        if settings.workload.socket_faults and settings.fault_proxy_url is None:
            settings.fault_proxy_url = await self.control.fault_proxy_url()
            if settings.fault_proxy_url is None:
                raise RuntimeError(
                    "socket faults need the emulator's TCP fault proxy: start it with --fault-proxy-port PORT "
                    "(cwmock up / cwmock emulator), or let the judge start its own emulator"
                )
        await settings.clock.prepare(self.control)
        await self.register()
        started = await self.control.now()
        exit_status: ServiceExit | None = None
        if settings.command:
            self.service = Service(settings.command, self.environment(), settings.work_dir)
            await self.service.start()
        try:
            steps = plan_workload(settings.workload)
            driver = WorkloadDriver(self.control, self.tenant, settings.clock, settings.workload.seed)
            done = await driver.play(steps, started)
            await settings.clock.wait_until(self.control, started + settings.workload.duration)
            await self.control.clear_faults()
            if settings.fault_proxy_url is not None:
                await self.control.clear_socket_faults()
            settle_seq = await self.control.sequence()
            before = await self.arrivals()
            arrivals_before = before[-1].seq if before else 0
            await self.settle(settle_seq)
            stopped_seq = await self.control.sequence()
        finally:
            if self.service is not None:
                exit_status = await self.service.stop()
        inference = InferenceSettings(settings.inference.gap, settings.inference.start_tolerance, stopped_seq)
        log = await self.request_log()
        verdict = judge_inferred(
            instance=InstanceFacts.from_instance_json({**self.instance, "tenant": self.tenant}),
            history=History.from_json(await self.control.history(self.tenant)),
            served=ServedLog.from_json(await self.control.served(int(self.instance["id"]))),
            log=log,
            arrivals=await self.arrivals(),
            settle_seq=settle_seq,
            arrivals_before=arrivals_before,
            settings=inference,
            unattributed=RequestLog.from_json(await self.control.request_log(None)),
        )
        if exit_status is not None and not exit_status.stopped_by_judge:
            reason = f"the service exited on its own with status {exit_status.status} before the judge stopped it"
            tail = "; its stderr ends: " + " | ".join(exit_status.stderr_tail) if exit_status.stderr_tail else ""
            verdict = _with_reason(verdict, reason + tail)
        ended = await self.control.now()
        return LiveResult(
            verdict, self.instance, steps, done, len(log.requests), settle_seq, exit_status, started, ended
        )


def _with_reason(verdict: Verdict, reason: str) -> Verdict:
    return replace(verdict, inconclusive_reasons=(*verdict.inconclusive_reasons, reason))
