"""The figures of issue 19 ("Unbreakable under hostile input"), measured the same way on any checkout.

    python bench/hostile_figures.py [--json hostile-figures.json]

Run it from the root of the checkout to measure (its `cwmock` is the one imported), e.g. once on the commit before
the hardening and once after, and compare. It measures:

- 5xx in a fixed battery of hostile cases across the native API, hub, platform API, admin API and receiver, each
  sent in-process to a fresh emulator (or receiver): the cases answered 5xx, and their kinds (API and exception);
- admin calls that leave the server answering 500: after each admin case, the clock, a contact list and the
  snapshot are read; a case counts when one of them answers 500;
- refused writes that change the store: a case answered 4xx after which the snapshot differs;
- silent state resets: damaged poller state files (empty, truncated, garbage, another database) that open without
  an error (the poller would start afresh and deliver everything again);
- DNS lookups by the egress guard: callback URLs the guard lets through whose host a delivery must look up;
- stop time with a long-poll open: `cwmock emulator` with a `/__admin/clock/wait` open, from SIGINT to exit
  (capped at 30 s).

Catastrophic regular expressions are left out of the battery: on a checkout that backtracks they never return.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from common import machine

API = "/v4_6_release/apis/3.0/company/contacts"
HUB = "/elements/api-v2/hubs/crm/contacts"
INSTANCES = "/elements/api-v2/instances"
NATIVE = {"Authorization": "Basic Y3dtb2NrK2N3bW9jay1wdWJsaWM6Y3dtb2NrLXByaXZhdGU=", "clientId": "figures"}
ACCOUNT = "User cwmock-user-secret, Organization cwmock-organization-secret"
JSON = {"content-type": "application/json"}
FRAGMENTS = {
    "lone surrogate": '"\\ud800"', "NUL": '"a\\u0000b"', "deep nesting": "[" * 100_000, "5,000 digits": "9" * 5000,
    "NaN": "NaN", "Infinity": "Infinity", "1e400": "1e400", "2^63": "9223372036854775808",
}  # fmt: skip
HUGE_IDS = {"5,000-digit id": "9" * 5000, "19-digit id": "1" * 19}


@dataclass(frozen=True)
class Case:
    """One hostile request: which API, what it is, and the request."""

    api: str
    what: str
    method: str
    path: str
    headers: Mapping[str, str | bytes]
    content: bytes | None = None
    params: dict[str, str] | None = None


def body_with(template: str, fragment: str) -> bytes:
    return template.replace("@", fragment).encode()


def battery(seed_json: str) -> list[Case]:
    """The hostile cases, about 170 of them."""
    cases: list[Case] = []
    contact_bodies = {
        "firstName": '{"firstName": @}',
        "lastName": '{"firstName": "A", "lastName": @}',
        "communication value": '{"firstName": "A", "communicationItems": [{"type": {"id": 1}, "value": @}]}',
        "customFields": '{"firstName": "A", "customFields": @}',
    }
    for field, template in contact_bodies.items():
        for name, fragment in FRAGMENTS.items():
            cases.append(Case("native", f"POST {field} {name}", "POST", API, {**NATIVE, **JSON},
                              body_with(template, fragment)))  # fmt: skip
    for name, fragment in FRAGMENTS.items():
        cases.append(Case("native", f"PATCH title {name}", "PATCH", f"{API}/1", {**NATIVE, **JSON},
                          body_with('[{"op": "replace", "path": "title", "value": @}]', fragment)))  # fmt: skip
        cases.append(Case("native", f"PUT body {name}", "PUT", f"{API}/1", {**NATIVE, **JSON}, fragment.encode()))
        named = seed_json.replace('"name": "', '"name": @, "was": "', 1).replace("@", fragment).encode()
        cases.append(Case("platform", f"POST /instances name {name}", "POST", INSTANCES,
                          {"Authorization": ACCOUNT, **JSON}, named))  # fmt: skip
        cases.append(Case("platform", f"POST /instances poller configuration {name}", "POST", INSTANCES,
                          {"Authorization": ACCOUNT, **JSON}, seed_json.replace(
                              '"event.poller.configuration": {', '"event.poller.configuration": ' + json.dumps(
                                  fragment) + ', "was": {', 1).encode()))  # fmt: skip
        cases.append(Case("admin", f"admin contact {name}", "POST", "/__admin/tenants/cwmock/contacts", dict(JSON),
                          body_with('{"contact": {"firstName": @}}', fragment)))  # fmt: skip
        cases.append(Case("admin", f"restore {name}", "POST", "/__admin/restore", dict(JSON), fragment.encode()))
        cases.append(Case("admin", f"mutate_between_pages {name}", "POST", "/__admin/faults", dict(JSON), body_with(
            '{"kind": "mutate_between_pages", "mutation": {"op": "create", "tenant": "cwmock", "contact": '
            '{"firstName": @}}}', fragment)))  # fmt: skip
        cases.append(Case("receiver", f"script {name}", "POST", "/__receiver/script", dict(JSON),
                          body_with('{"status": 500, "body": @}', fragment)))  # fmt: skip
    for name, raw in HUGE_IDS.items():
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            cases.append(Case("native", f"{method} {name}", method, f"{API}/{raw}", {**NATIVE, **JSON}, b"{}"))
        cases.append(Case("hub", f"GET {name}", "GET", f"{HUB}/{raw}", {"Authorization": f"{ACCOUNT}, Element @"}))
        cases.append(Case("platform", f"GET {name}", "GET", f"{INSTANCES}/{raw}", {"Authorization": ACCOUNT}))
        for path in ("/__admin/instances/@", "/__admin/faults/@", "/__admin/tenants/cwmock/contacts/@"):
            cases.append(Case("admin", f"{path} {name}", "DELETE", path.replace("@", raw), {}))
        for path in (f"{API}/@/communications", "/v4_6_release/apis/3.0/company/companies/@/sites",
                     "/v4_6_release/apis/3.0/company/contacts/types/@", f"{INSTANCES}/@/events"):  # fmt: skip
            auth = {"Authorization": ACCOUNT} if path.startswith(INSTANCES) else NATIVE
            cases.append(Case("native" if auth is NATIVE else "platform", f"GET {path} {name}", "GET",
                              path.replace("@", raw), auth))  # fmt: skip
        cases.append(Case("native", f"pageId {name}", "GET", API, {**NATIVE, "pagination-type": "forward-only"},
                          params={"pageId": raw}))  # fmt: skip
        cases.append(Case("admin", f"history id {name}", "GET", "/__admin/history", {}, params={"id": raw}))
        cases.append(
            Case("receiver", f"since_seq {name}", "GET", "/__receiver/arrivals", {}, params={"since_seq": raw})
        )
    for value in ("Basic \u00e9", "Basic \u00ff\u00ff", "Basic Y3dtb2NrK+k6w6c="):
        encoded = value.encode("latin-1")
        cases.append(Case("native", f"Authorization {value!r}", "GET", API, {**NATIVE, "Authorization": encoded}))
        cases.append(Case("hub", f"Authorization {value!r}", "GET", HUB, {"Authorization": encoded}))
        cases.append(Case("platform", f"Authorization {value!r}", "GET", f"{INSTANCES}/1", {"Authorization": encoded}))
    for params in ({"until": "9999-12-31T23:59:59-01:00", "timeout": "0"}, {"until": "2025-01-01T00:00:00Z",
                   "timeout": "nan"}, {"until": "2025-01-01T00:00:00Z", "timeout": "1e308"}):  # fmt: skip
        cases.append(Case("admin", f"clock wait {params}", "GET", "/__admin/clock/wait", {}, params=params))
    cases.append(Case("admin", "history since 0001 -01:00", "GET", "/__admin/history", {},
                      params={"since": "0001-01-01T00:00:00+01:00"}))  # fmt: skip
    cases.append(Case("admin", "touch a 19-digit id", "POST", "/__admin/tenants/cwmock/contacts/touch", dict(JSON),
                      b'{"ids": [1000000000000000000]}'))  # fmt: skip
    admin_magnitudes = [
        ("/__admin/clock/follow", '{"speed": 1e12}'), ("/__admin/clock/follow", '{"offsetSeconds": 1e308}'),
        ("/__admin/clock/advance", '{"seconds": 1e308}'), ("/__admin/clock/set", '{"instant": "9999-12-31T23:59:59Z"}'),
        ("/__admin/faults", '{"kind": "skew", "seconds": 3e11}'),
        ("/__admin/faults", '{"kind": "latency", "seconds": 3e11}'),
        ("/__admin/faults", '{"kind": "rate_limit", "retryAfter": 4611686018427387904}'),
        ("/__admin/tenants/cwmock/contacts", '{"contact": {"firstName": "A"}, "visibleAfter": 1e308}'),
        ("/__admin/tenants/cwmock/contacts", '{"contact": {"firstName": "A"}, "stamp": "0001-01-01T00:00:00+01:00"}'),
        ("/__admin/tenants/cwmock/seed", '{"fixture": "/etc/hostname"}'),
        ("/__admin/tenants/cwmock/seed", '{"contacts": [{"firstName": "ok"}, {"firstName": "\\ud800"}]}'),
    ]  # fmt: skip
    for path, options in admin_magnitudes:
        cases.append(Case("admin", f"{path} {options[:50]}", "POST", path, dict(JSON), options.encode()))
    cases.append(Case("admin", "visibility delay 1e308", "PUT", "/__admin/tenants/cwmock/visibility-delay", dict(JSON),
                      b'{"seconds": 1e308}'))  # fmt: skip
    cases.append(Case("admin", "delete visibleAfter nan", "DELETE", "/__admin/tenants/cwmock/contacts/1", {},
                      params={"visibleAfter": "nan"}))  # fmt: skip
    for content_type in ("text/plain", "multipart/form-data; boundary=x"):
        for api, path, auth, sent in (
            ("native", API, NATIVE, b'{"firstName": "A"}'),
            ("platform", INSTANCES, {"Authorization": ACCOUNT}, seed_json.encode()),
            ("admin", "/__admin/tenants/cwmock/contacts", {}, b'{"contact": {"firstName": "A"}}'),
            ("receiver", "/__receiver/script", {}, b'{"status": 500}'),
        ):
            cases.append(Case(api, f"{content_type} body", "POST", path, {**auth, "content-type": content_type}, sent))
    for script in ('{"status": 429, "retry_after": -5}', '{"delay": 1e308}', '{"status": 1e308}',
                   '{"headers": [["X Bad", "v"]]}'):  # fmt: skip
        cases.append(Case("receiver", f"script {script}", "POST", "/__receiver/script", dict(JSON), script.encode()))
    forged = base64.urlsafe_b64encode(b"[" * 10_000).decode()
    cases.append(Case("hub", "deep nextPage token", "GET", HUB, {"Authorization": f"{ACCOUNT}, Element @"},
                      params={"nextPage": forged}))  # fmt: skip
    return cases


@dataclass
class Outcome:
    """How one case went."""

    status: int
    kind: str
    bricked: bool
    trace: bool


def exception_name(text: str) -> str:
    """The exception a 500 names (the emulator's "internal error in the emulator: X: ..."; the receiver's
    {"error": "X inside the cwmock receiver"}), else the start of the answer."""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        body = json.loads(text)
        text = str(body.get("message") or body.get("error") or text)
    detail = text.split("internal error in the emulator: ", 1)[-1]
    return detail.split(":", 1)[0].split(" inside ", 1)[0][:60]


async def run_case(case: Case) -> Outcome:
    """Send one case to a fresh emulator (or receiver) holding one contact and one instance."""
    from cwmock.core.clock import ManualClock
    from cwmock.emulator.app import DEFAULT_START, create_emulator
    from cwmock.emulator.model.snapshot import take_snapshot
    from cwmock.emulator.platform.routes import PlatformApi
    from cwmock.receiver.app import create_receiver_app
    from cwmock.receiver.inbox import Receiver

    if case.api == "receiver":
        receiver = Receiver(ManualClock(DEFAULT_START))
        app: Any = create_receiver_app(receiver)
        state: Callable[[], str] = lambda: repr((receiver.scripts(), len(receiver.arrivals())))  # noqa: E731
    else:
        emulator = create_emulator(
            clock=ManualClock(DEFAULT_START),
            extra_routes=lambda store, registry, clock, config: PlatformApi(store, registry, clock, config).routes(),
        )
        emulator.store.create_contact("cwmock", {"firstName": "Ada"})
        token = emulator.registry.create("cwmock", "figures", emulator.store.server_now()).token
        app = emulator.app

        def state() -> str:
            snapshot = take_snapshot(emulator.store, emulator.registry)
            snapshot.pop("sequence")
            snapshot.pop("takenAt")
            faults = [fault.to_json() for fault in emulator.faults.all()]
            return json.dumps([snapshot, faults], sort_keys=True)

    headers = [
        (name.encode(), (value.replace("@", token) if case.api == "hub" else value).encode("latin-1"))
        if isinstance(value, str)
        else (name.encode(), value)
        for name, value in case.headers.items()
    ]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://figures.test") as client:
        before = state()
        try:
            response = await client.request(case.method, case.path, headers=headers, content=case.content,
                                            params=case.params)  # fmt: skip
            status, text = response.status_code, response.text
        except Exception as exc:  # an exception that escaped the app is a 5xx too
            status, text = 500, f"{type(exc).__name__}: {exc}"
        kind = ""
        if status >= 500:
            kind = f"{case.api}: {exception_name(text)}"
        trace = status >= 400 and state() != before  # refused (or failed), yet stored
        bricked = False
        if case.api == "admin":
            await asyncio.sleep(0.3)  # a following clock overflows a moment later
            for probe in ("/__admin/clock", "/__admin/snapshot", API):
                answered = await client.get(probe, headers=NATIVE)
                bricked = bricked or answered.status_code >= 500
        return Outcome(status, kind, bricked, trace)


def silent_resets() -> list[str]:
    """Damaged poller state files that open without an error."""
    from cwmock.poller.state import STATE_FILE, PollerState

    silent = []
    for how in ("empty", "truncated", "garbage", "another database"):
        with tempfile.TemporaryDirectory() as directory:
            state_dir = Path(directory)
            state = PollerState.open(state_dir)
            state.close()
            path = state_dir / STATE_FILE
            if how == "empty":
                path.write_bytes(b"")
            elif how == "truncated":
                path.write_bytes(path.read_bytes()[:100])
            elif how == "garbage":
                path.write_bytes(b"not a database\n" * 100)
            else:
                path.unlink()
                other = sqlite3.connect(path)
                other.execute("CREATE TABLE notes (text TEXT)")
                other.commit()
                other.close()
            try:
                PollerState.open(state_dir).close()
            except Exception:  # refused (how it should be), whatever the exception
                continue
            silent.append(how)
    return silent


def dns_lookups() -> list[str]:
    """Callback hosts the egress guard lets through that a delivery has to look up (no lookup is really made)."""
    from cwmock.poller.egress import egress_refusal

    looked_up: list[str] = []
    real = socket.getaddrinfo

    def watching(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "::1", "localhost"):
            looked_up.append(str(host))
            raise socket.gaierror("figures: no lookup is made")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = watching
    try:
        for url in ("http://app.localhost:9/x", "http://a.b.localhost:9/x", "http://localhost.:9/x",
                    "http://mycoolapp.com/x", "http://169.254.169.254/x", "http://127.0.0.1:9/x"):  # fmt: skip
            if egress_refusal(url) is None:
                with contextlib.suppress(httpx.HTTPError):
                    httpx.post(url, content=b"{}", timeout=0.5)
    finally:
        socket.getaddrinfo = real
    return looked_up


def stop_time() -> float:
    """Seconds from SIGINT to exit for `cwmock emulator` with a long-poll open (30 = did not stop within 30 s)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "cwmock", "emulator", "--port", str(port), "--clock", "manual"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/__admin/clock", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        def long_poll() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{base}/__admin/clock/wait", params={"until": "2100-01-01T00:00:00Z", "timeout": 300},
                          timeout=400)  # fmt: skip

        threading.Thread(target=long_poll, daemon=True).start()
        time.sleep(1.0)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            return 30.0
        return round(time.monotonic() - started, 2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    # Measure the checkout this is run from (every cwmock import below and in the cases is made after this).
    sys.path.insert(0, os.getcwd())
    from cwmock.fixtures import SEED_INSTANCE, read_fixture

    cases = battery(json.dumps(json.loads(read_fixture(SEED_INSTANCE))))
    outcomes = [asyncio.run(run_case(case)) for case in cases]
    failing = [(case, outcome) for case, outcome in zip(cases, outcomes, strict=True) if outcome.status >= 500]
    bricking = [case.what for case, outcome in zip(cases, outcomes, strict=True) if outcome.bricked]
    traces = [case.what for case, outcome in zip(cases, outcomes, strict=True) if outcome.trace]
    kinds = sorted({outcome.kind for _, outcome in failing})
    resets, lookups, stop = silent_resets(), dns_lookups(), stop_time()
    where = machine()
    figures: dict[str, Any] = {
        "machine": where,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": commit(),
        "hostile_cases": len(cases),
        "cases_answered_5xx": len(failing),
        "kinds_of_5xx": kinds,
        "admin_calls_leaving_500s": bricking,
        "refused_writes_changing_the_store": traces,
        "silent_state_resets": resets,
        "dns_lookups_by_the_egress_guard": lookups,
        "stop_seconds_with_a_long_poll_open": stop,
    }
    print(f"commit {figures['commit']}, {figures['date']}, {where['cpu']} ({where['nproc']} cores), "
          f"python {where['python']}")  # fmt: skip
    print(f"5xx: {len(failing)} of {len(cases)} hostile cases, {len(kinds)} kinds")
    for kind in kinds:
        print(f"  - {kind}")
    print(f"admin calls leaving the server answering 500: {len(bricking)} {bricking}")
    print(f"refused writes that change the store: {len(traces)} {traces}")
    print(f"silent state resets: {len(resets)} {resets}")
    print(f"DNS lookups by the egress guard: {len(lookups)} {lookups}")
    print(f"stop on SIGINT with a long-poll open: {stop} s (30 = not stopped)")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
