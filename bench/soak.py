"""Soak: concurrent mixed traffic, hostile requests among it, against `cwmock emulator` served on loopback.

    python bench/soak.py [--clients 12] [--requests 20000] [--seconds 60] [--hostile 0.1] [--json soak.json]

A served emulator (a separate `cwmock emulator --clock manual` process) gets `--clients` concurrent clients, each
running a mix of native, hub and admin calls on contacts it created itself (create, get, replace, patch, delete,
lists with conditions and forward-only paging, hub cursor pages, admin writes, history and journal reads, small
clock advances), with a share of hostile requests (lone surrogates, deep JSON, huge ids and numbers, text/plain
bodies, catastrophic patterns) that must be refused. It stops after `--requests` requests or `--seconds`, whichever
comes first, then checks what the emulator holds against what the clients saw:

- no response was a 5xx, and every hostile request was refused (4xx);
- counts: the contacts each client holds are exactly those the emulator lists for it;
- history: each contact's writes in the snapshot are exactly the writes its client was answered 2xx for;
- journal: one entry per emulated-API request (kept or counted as dropped), no number given twice, none a 5xx.

It prints the requests served and the violations found (and exits 1 if there are any). Not a timed test: wall time
is reported, not judged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from common import machine

API = "/v4_6_release/apis/3.0/company/contacts"
HUB = "/elements/api-v2/hubs/crm/contacts"
NATIVE = {"Authorization": "Basic Y3dtb2NrK2N3bW9jay1wdWJsaWM6Y3dtb2NrLXByaXZhdGU=", "clientId": "soak"}
ACCOUNT = "User cwmock-user-secret, Organization cwmock-organization-secret"
TENANT = "cwmock"

# Requests that must be refused (4xx) and leave nothing behind, whatever else is going on.
REFUSED: list[tuple[str, str, dict[str, str], bytes]] = [
    ("POST", API, {"content-type": "application/json"}, b'{"firstName": "\\ud800"}'),
    ("POST", API, {"content-type": "application/json"}, b'{"firstName": "a\\u0000b"}'),
    ("POST", API, {"content-type": "application/json"}, b"[" * 100_000),
    ("POST", API, {"content-type": "application/json"}, b'{"firstName": "A", "company": {"id": ' + b"9" * 5000 + b"}}"),
    ("POST", API, {"content-type": "application/json"}, b'{"firstName": NaN}'),
    ("POST", API, {"content-type": "text/plain"}, b'{"firstName": "A"}'),
    ("GET", f"{API}/{'9' * 5000}", {}, b""),
    ("POST", "/__admin/clock/follow", {"content-type": "application/json"}, b'{"speed": 1e12}'),
    ("POST", "/__admin/clock/advance", {"content-type": "application/json"}, b'{"seconds": 1e308}'),
    ("POST", "/__admin/faults", {"content-type": "application/json"}, b'{"kind": "skew", "seconds": 3e11}'),
    ("POST", "/__admin/faults", {"content-type": "application/json"},
     b'{"kind": "status", "pathRegex": "(a)\\\\1"}'),
    ("PUT", f"/__admin/tenants/{TENANT}/visibility-delay", {"content-type": "application/json"}, b'{"seconds": 1e308}'),
    ("POST", f"/__admin/tenants/{TENANT}/seed", {"content-type": "application/json"}, b'{"fixture": "/etc/hostname"}'),
]  # fmt: skip
# Valid but pathological: answered (not a 5xx), and promptly, since every other client waits behind it.
PATHOLOGICAL: list[tuple[str, str, dict[str, str], bytes]] = [
    ("GET", f"{API}?conditions=firstName%20like%20%22{'*a' * 30}*b%22", {}, b"")
]


NO_ANSWER = 599  # the connection failed or was dropped: what a client sees of a server that died


@dataclass
class ClientLog:
    """What one client did and was answered."""

    name: str
    alive: set[int] = field(default_factory=set)  # contacts it created and has not deleted
    writes: Counter[int] = field(default_factory=Counter)  # contact id -> writes answered 2xx
    statuses: Counter[int] = field(default_factory=Counter)
    emulated: int = 0  # requests to the emulated APIs (journalled)
    hostile: int = 0
    violations: list[str] = field(default_factory=list)


class Budget:
    """Requests left to send and the time to stop at, shared by the clients."""

    def __init__(self, requests: int, seconds: float) -> None:
        self.left = requests
        self.stop_at = time.monotonic() + seconds

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.stop_at:
            return False
        self.left -= 1
        return True


async def call(
    client: httpx.AsyncClient, log: ClientLog, method: str, path: str, *, emulated: bool, **kwargs: Any
) -> httpx.Response:
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:  # no answer at all: counted as 599
        response = httpx.Response(NO_ANSWER, text=f"{type(exc).__name__}: {exc}")
    log.statuses[response.status_code] += 1
    log.emulated += emulated
    if response.status_code >= 500:
        log.violations.append(
            f"{log.name}: {method} {path[:80]} answered {response.status_code}: {response.text[:200]}"
        )
    return response


async def one_step(client: httpx.AsyncClient, log: ClientLog, rng: random.Random, token: str, hostile: float) -> None:
    """One request of the mix, on this client's own contacts."""
    if rng.random() < hostile:
        refused = rng.random() < 0.9
        method, path, headers, body = rng.choice(REFUSED if refused else PATHOLOGICAL)
        response = await call(client, log, method, path, emulated=not path.startswith("/__admin"), headers={
            **NATIVE, **headers}, content=body or None)  # fmt: skip
        log.hostile += 1
        if refused and not 400 <= response.status_code < 500:
            log.violations.append(f"{log.name}: hostile {method} {path[:60]} was answered {response.status_code}")
        return
    mine = sorted(log.alive)
    roll = rng.random()
    if roll < 0.25 or not mine:
        admin = rng.random() < 0.3
        contact = {"firstName": f"{log.name}-{rng.randrange(10**6)}", "lastName": "Soak", "title": "t"}
        if admin:
            response = await call(client, log, "POST", f"/__admin/tenants/{TENANT}/contacts", emulated=False,
                                  json={"contact": contact})  # fmt: skip
        else:
            response = await call(client, log, "POST", API, emulated=True, headers=NATIVE, json=contact)
        if response.status_code == 201:
            created = response.json()["id"]
            log.alive.add(created)
            log.writes[created] += 1
        return
    target = rng.choice(mine)
    if roll < 0.40:
        response = await call(client, log, "PUT", f"{API}/{target}", emulated=True, headers=NATIVE,
                              json={"firstName": f"{log.name}-r", "lastName": "Soak"})  # fmt: skip
        log.writes[target] += response.status_code == 200
    elif roll < 0.55:
        ops = [{"op": "replace", "path": "title", "value": f"v{rng.randrange(100)}"}]
        response = await call(client, log, "PATCH", f"{API}/{target}", emulated=True, headers=NATIVE, json=ops)
        log.writes[target] += response.status_code == 200
    elif roll < 0.60:
        response = await call(client, log, "DELETE", f"{API}/{target}", emulated=True, headers=NATIVE)
        if response.status_code == 204:
            log.alive.discard(target)
            log.writes[target] += 1
    elif roll < 0.70:
        response = await call(client, log, "GET", f"{API}/{target}", emulated=True, headers=NATIVE)
        if response.status_code != 200:
            log.violations.append(f"{log.name}: its contact {target} answered {response.status_code}")
    elif roll < 0.80:
        params = {"conditions": f'firstName like "{log.name}-*"', "pageSize": "50"}
        await call(client, log, "GET", API, emulated=True, headers={**NATIVE, "pagination-type": "forward-only"},
                   params=params)  # fmt: skip
    elif roll < 0.90:
        await call(client, log, "GET", HUB, emulated=True, headers={"Authorization": f"{ACCOUNT}, Element {token}"},
                   params={"where": f"firstName like '{log.name}-%'", "pageSize": "100"})  # fmt: skip
    elif roll < 0.95:
        await call(client, log, "GET", "/__admin/history", emulated=False, params={"tenant": TENANT, "id": target})
    else:
        await call(client, log, "POST", "/__admin/clock/advance", emulated=False, json={"seconds": 1})


async def run_client(base: str, name: str, seed: int, token: str, budget: Budget, hostile: float) -> ClientLog:
    log = ClientLog(name)
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while budget.take():
            await one_step(client, log, rng, token, hostile)
    return log


async def check(base: str, logs: list[ClientLog]) -> list[str]:
    """The invariants over what the emulator holds at the end."""
    try:
        return await _check(base, logs)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return [f"the emulator could not be read at the end: {type(exc).__name__}: {str(exc)[:200]}"]


async def _check(base: str, logs: list[ClientLog]) -> list[str]:
    violations: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        snapshot = (await client.get("/__admin/snapshot")).json()
        listed = []
        page_id = 0
        pages = 0
        while True:
            pages += 1
            response = await client.get(API, headers={**NATIVE, "pagination-type": "forward-only"},
                                        params={"pageSize": "1000", "pageId": str(page_id)})  # fmt: skip
            page = response.json()
            listed += [contact["id"] for contact in page]
            if "Link" not in response.headers or not page:
                break
            page_id = page[-1]["id"]
        journal = (await client.get("/__admin/journal")).json()
    alive = set().union(*(log.alive for log in logs))
    if set(listed) != alive:
        violations.append(
            f"counts: the emulator lists {len(listed)} contacts, the clients hold {len(alive)} "
            f"({len(set(listed) - alive)} unexpected, {len(alive - set(listed))} missing)"
        )
    written: Counter[int] = Counter(write["id"] for write in snapshot["tenants"][TENANT]["writes"])
    expected: Counter[int] = sum((log.writes for log in logs), Counter())
    wrong = {i for i in set(written) | set(expected) if written[i] != expected[i]}
    if wrong:
        sample = ", ".join(f"{i}: {written[i]} stored / {expected[i]} answered" for i in sorted(wrong)[:5])
        violations.append(f"history: {len(wrong)} contacts whose writes differ from those answered 2xx ({sample})")
    entries = journal["entries"]
    sent = sum(log.emulated for log in logs) + pages  # the clients' requests, then the listing above
    if len(entries) + journal["dropped"] != sent:
        violations.append(f"journal: {len(entries)} entries + {journal['dropped']} dropped for {sent} requests sent")
    # Entries are journalled as responses start, so concurrent ones may be out of order; none may share a number.
    seqs = [entry["seq"] for entry in entries]
    if len(set(seqs)) != len(seqs):
        violations.append(f"journal: {len(seqs) - len(set(seqs))} sequence numbers given twice")
    failed = [entry for entry in entries if entry["status"] >= 500]
    if failed:
        violations.append(f"journal: {len(failed)} entries answered 5xx, e.g. {failed[0]}")
    return violations


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cwmock", "emulator", "--port", str(port), "--clock", "manual"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/__admin/clock", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the emulator did not start within 30 s")


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"


async def soak(base: str, clients: int, requests: int, seconds: float, hostile: float) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as client:
        created = await client.post("/__admin/instances", json={"tenant": TENANT, "name": "soak"})
        token = created.json()["token"]
    budget = Budget(requests, seconds)
    started = time.monotonic()
    logs = await asyncio.gather(*(run_client(base, f"c{n}", n, token, budget, hostile) for n in range(clients)))
    elapsed = time.monotonic() - started
    violations = [v for log in logs for v in log.violations] + await check(base, list(logs))
    statuses: Counter[int] = sum((log.statuses for log in logs), Counter())
    served = sum(statuses.values())
    return {
        "machine": machine(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": commit(),
        "clients": clients,
        "requests_served": served,
        "hostile_requests": sum(log.hostile for log in logs),
        "seconds": round(elapsed, 1),
        "requests_per_second": round(served / elapsed, 1) if elapsed else None,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "contacts_alive": sum(len(log.alive) for log in logs),
        "violations": violations,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--requests", type=int, default=20_000, help="stop after this many requests in all")
    parser.add_argument("--seconds", type=float, default=60.0, help="or after this long, whichever comes first")
    parser.add_argument("--hostile", type=float, default=0.1, help="the share of hostile requests (0..1)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    port = free_port()
    process = start_emulator(port)
    try:
        report = asyncio.run(soak(f"http://127.0.0.1:{port}", args.clients, args.requests, args.seconds,
                                  args.hostile))  # fmt: skip
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
            stopped = True
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            stopped = False
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
    if not stopped:
        report["violations"].append("the emulator did not stop within 30 s of SIGINT")
    if "Traceback" in errors:
        report["violations"].append(f"the emulator logged an exception: {errors[-500:]}")
    print(f"soak: {report['requests_served']} requests served ({report['hostile_requests']} hostile) by "
          f"{report['clients']} clients in {report['seconds']} s ({report['requests_per_second']} requests/s); "
          f"statuses {report['statuses']}")  # fmt: skip
    print(f"soak: {len(report['violations'])} violations found")
    for violation in report["violations"]:
        print(f"  - {violation}")
    print(f"machine: {report['machine']['cpu']} ({report['machine']['nproc']} cores), python "
          f"{report['machine']['python']}; {report['date']}; commit {report['commit']}")  # fmt: skip
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
