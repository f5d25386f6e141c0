"""Benchmark: one page of `GET /company/contacts?conditions=lastUpdated>[...]&pageSize=1000` over a real socket,
side by side with a floor and with the mocks people use instead.

    python bench/emulator_list.py [--sizes 1000,10000,100000,1000000] [--requests 200] [--concurrency 4]
                                  [--peers wiremock,wiremock-journal,json-server|none] [--sorted-at 100000]
                                  [--repeated-at 100000]
                                  [--json bench-emulator-list.json]

For each store size a server process seeds the emulator so the condition matches 5,000 contacts (all of them at
1k) with realistic stamps: distinct, in an order unrelated to the ids. It serves them with uvicorn. Beside it, in
the same run and against the very bytes the emulator answered (ours is asked a different bound on each request, see
below):

- the FLOOR: a bare Starlette endpoint on the same uvicorn settings returning those bytes pre-serialized;
- WireMock (a static stub with the same body and headers), with its request journal off and on (its default);
- json-server, whose database holds the page's contacts (it answers them at `/contacts`, in its own formatting).

The peers are installed with npm at bench time (bench/peers.py); a peer whose runtime is missing is skipped with a
line saying so. This process is the client (stdlib `http.client`, keep-alive): the servers take turns in short
rounds, sequential requests for latency, then `--concurrency` connections for throughput, so a noisy machine slows
them alike; every loop is bounded in requests and seconds. `--sorted-at SIZE` adds a labelled extra row at that
size where the 5,000 matches share one stamp and come in id order (the easy case, never the headline).

Each request to the emulator names a different bound (`DISTINCT_BOUNDS` of them, a second apart, taken in turn), so
no request is answered from the emulator's page-walk cache, which keeps a bound's matches in id order once a bound is
asked twice while the store is unchanged (pages 2..N of one poll). `--repeated-at SIZE` adds a labelled extra row at
that size where every request names the same bound: what those later pages of a walk cost.

The p50 growth from 10k to 1M contacts is measured side by side too (`--growth`, on when both sizes are asked
for): an emulator seeded with 10,000 contacts and one seeded with 1,000,000 serve at once and take turns in the
same rounds, so the machine's drift between the size phases, which come minutes apart, does not enter the ratio.
The target's verdict uses that figure; the phases' own ratio is printed beside it. Server
memory is read from /proc/PID/status. Wall-clock timing is the point of a benchmark, so this script (not part of
the package) reads it.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common import machine, memory_mb, verdict_line
from peers import PEERS, default_peers_dir, install, missing_runtime, peer_server

MATCHING = 5_000
PAGE_SIZE = 1_000
COMPANY = "cwmock"
CODEBASE = "v4_6_release/"
PATH = f"/{CODEBASE}apis/3.0/company/contacts"
# Every seeded stamp lies in the 100 days before the emulator's start; the condition's bound splits them.
BOUND_DAYS_BEFORE_START = 50
TARGET_P50_SPREAD = 1.3
TARGET_FLOOR_RATIO = 0.5
TARGET_WIREMOCK_RATIO = 2.0
TARGET_RSS_MB_AT_1M = 1500
ROUNDS = 10
# The headline case, and the labelled extra rows: sorted stamps; one bound asked again and again (a page walk).
CASES = ("shuffled", "sorted", "repeated")
# Bounds the emulator is asked in turn, a second apart: more than its page-walk cache keeps, each a full page.
DISTINCT_BOUNDS = 1_000
# uvicorn's event loop and HTTP parser, for the emulator and the floor alike: "auto" takes uvloop and httptools when
# they are installed, as uvicorn does.
STACKS: dict[str, dict[str, object]] = {"auto": {}, "uvloop+httptools": {"loop": "uvloop", "http": "httptools"},
                                         "asyncio+h11": {"loop": "asyncio", "http": "h11"}}  # fmt: skip


# -- server side ---------------------------------------------------------------------------------------------------


def seed_plan(size: int, stamps: str = "shuffled") -> Iterator[tuple[int, bool]]:
    """(seconds offset from the bound, matches?) for contact n = 0..size-1: `MATCHING` spread evenly over the ids.

    `shuffled` (realistic): the matching contacts' stamps are distinct, a shuffled order of their ids, the same
    shuffle at every size, so the stamp index hands them over in as little id order at 10k as at 1M. `sorted`: they
    all share one stamp, so the index hands them over in id order. Non-matching stamps are scattered before the bound.
    """
    step = max(1, size // MATCHING)
    matching = min(size, MATCHING)
    order = random.Random(0).sample(range(matching), matching) if stamps != "sorted" else [0] * matching
    for n in range(size):
        if n % step == step - 1 and n // step < matching:
            yield 1 + order[n // step], True
        else:
            yield -1 - (n * 7_919) % (40 * 86_400), False


def serve_emulator(size: int, stamps: str, stack: str, profile_to: str | None = None) -> None:
    """Seed an emulator with `size` contacts, bind a port, report it on stdout as JSON, and serve until killed.

    With `profile_to`, the serving (not the seeding) runs under pyinstrument, whose text report goes there.
    """
    import uvicorn

    from cwmock.emulator.app import DEFAULT_START, create_emulator
    from cwmock.emulator.http.server import LOOPBACK, uvicorn_config
    from cwmock.emulator.model.generated import generate_contacts

    emulator = create_emulator()
    bound = DEFAULT_START - timedelta(days=BOUND_DAYS_BEFORE_START)
    started = time.perf_counter()
    store = emulator.store
    bodies = generate_contacts(size, emulator.store.reference)
    for (offset, _), body in zip(seed_plan(size, stamps), bodies, strict=True):
        store.create_contact(COMPANY, body, stamp=bound + timedelta(seconds=offset))
    seed_seconds = time.perf_counter() - started
    sock = _bound_socket()
    print(json.dumps({"port": sock.getsockname()[1], "seed_seconds": seed_seconds}), flush=True)
    server = uvicorn.Server(uvicorn_config(emulator.app, LOOPBACK, sock.getsockname()[1], None, **STACKS[stack]))
    if profile_to is None:
        with suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        with suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        profiler.stop()
        Path(profile_to).write_text(profiler.output_text(unicode=True, show_all=False))


def serve_floor(body_file: str, link: str, stack: str) -> None:
    """Serve `body_file`'s bytes from a bare Starlette endpoint on the emulator's uvicorn settings."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from cwmock.emulator.http.server import LOOPBACK, uvicorn_config

    body = Path(body_file).read_bytes()

    async def page(request: Request) -> Response:
        return Response(body, headers={"Link": link}, media_type="application/json")

    app = Starlette(routes=[Route(PATH, page, methods=["GET"])])
    sock = _bound_socket()
    print(json.dumps({"port": sock.getsockname()[1], "seed_seconds": 0.0}), flush=True)
    with suppress(KeyboardInterrupt):
        uvicorn.Server(uvicorn_config(app, LOOPBACK, sock.getsockname()[1], None, **STACKS[stack])).run(sockets=[sock])


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # clients may connect at once; uvicorn accepts the queued connections when it starts
    return sock


# -- client side ---------------------------------------------------------------------------------------------------


@dataclass
class Server:
    """A server subprocess and the port it listens on."""

    process: subprocess.Popen[str]
    port: int
    seed_seconds: float

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) of the server process in MiB."""
        return memory_mb(self.process.pid)


@contextmanager
def server_process(*args: str, startup_timeout: float, checkout: Path | None = None) -> Iterator[Server]:
    """Run this script in server mode (importing `cwmock` from `checkout` when given); yield once it reports its
    port; kill it afterwards."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env)
    try:
        stdout = process.stdout
        assert stdout is not None
        ready: dict[str, Any] = {}
        reader = threading.Thread(target=lambda: ready.update(json.loads(stdout.readline() or "{}")))
        reader.start()
        reader.join(startup_timeout)
        if "port" not in ready:
            raise RuntimeError(f"server {args} did not report a port within {startup_timeout} s")
        yield Server(process, int(ready["port"]), float(ready["seed_seconds"]))
    finally:
        process.send_signal(signal.SIGINT)  # a clean stop: uvicorn shuts down, a profile gets written
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request_targets(case: str) -> list[str]:
    """The benchmarked requests, asked in turn: `DISTINCT_BOUNDS` bounds, or one for the `repeated` case."""
    return [request_target(earlier) for earlier in range(1 if case == "repeated" else DISTINCT_BOUNDS)]


def request_target(earlier_seconds: int = 0) -> str:
    """The benchmarked request's path and query, its bound `earlier_seconds` before the seeded one (a few more
    non-matching contacts then match: the page stays a full one)."""
    from cwmock.emulator.app import DEFAULT_START

    at = DEFAULT_START - timedelta(days=BOUND_DAYS_BEFORE_START, seconds=earlier_seconds)
    bound = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{PATH}?conditions={quote(f'lastUpdated>[{bound}]')}&pageSize={PAGE_SIZE}"


def request_headers() -> dict[str, str]:
    """Valid API-key headers for the `cwmock` tenant."""
    from cwmock.emulator.model.tenants import DEFAULT_TENANTS
    from cwmock.testing.plugin import native_headers

    tenant = next(t for t in DEFAULT_TENANTS if t.company == COMPANY)
    return native_headers(tenant.company, tenant.public_key, tenant.private_key)


def fetch(
    connection: http.client.HTTPConnection, target: str, headers: dict[str, str]
) -> tuple[http.client.HTTPResponse, bytes]:
    """One GET on a keep-alive connection: the response and its body, read; fails loudly on anything but 200."""
    connection.request("GET", target, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {target} answered {response.status}: {body[:300]!r}")
    return response, body


@dataclass
class Endpoint:
    """One server under load: what it is, where, which requests it answers pages on (asked in turn), its process."""

    label: str
    port: int
    targets: list[str]
    pid: int
    _turn: Iterator[int] = field(default_factory=itertools.count)

    def target(self) -> str:
        """The next request's path and query (threads share the turn: `next` on a count is atomic in CPython)."""
        return self.targets[next(self._turn) % len(self.targets)]


@dataclass
class LoadResult:
    """Figures of one load phase."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


@dataclass
class Tally:
    """Latencies and busy seconds gathered over the rounds of one phase."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def result(self) -> LoadResult:
        """The phase's figures."""
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive") if len(self.latencies) > 1 else [0.0]
        p50 = cuts[min(49, len(cuts) - 1)] * 1000
        p99 = cuts[min(98, len(cuts) - 1)] * 1000
        return LoadResult(len(self.latencies), self.seconds, p50, p99)


def run_batch(endpoint: Endpoint, headers: dict[str, str], requests: int, concurrency: int, tally: Tally,
              deadline: float) -> None:  # fmt: skip
    """`requests` GETs spread over `concurrency` keep-alive connections (one thread each), none started after
    `deadline`; the batch's wall time and latencies go to `tally`."""
    lock = threading.Lock()
    per_worker = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
    errors: list[BaseException] = []

    def worker(count: int) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=120)
            mine = []
            for _ in range(count):
                if time.monotonic() > deadline:
                    break
                began = time.perf_counter()
                fetch(connection, endpoint.target(), headers)
                mine.append(time.perf_counter() - began)
            connection.close()
            with lock:
                tally.latencies.extend(mine)
        except BaseException as exc:  # reported below, on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(count,)) for count in per_worker if count]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds += time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{endpoint.label}: {errors[0]}") from errors[0]


def run_rounds(
    endpoints: Sequence[Endpoint], headers: dict[str, str], requests: int, concurrency: int, max_seconds: float
) -> dict[str, LoadResult]:
    """Each endpoint gets `requests` GETs in `ROUNDS` turns, the endpoints taking turns, so a load spike from
    elsewhere on the machine hits them alike; one that has used `max_seconds` gets no more turns."""
    tallies = {endpoint.label: Tally() for endpoint in endpoints}
    batch = max(concurrency, -(-requests // ROUNDS))
    for _ in range(ROUNDS):
        for endpoint in endpoints:
            tally = tallies[endpoint.label]
            left = requests - len(tally.latencies)
            if left > 0 and tally.seconds < max_seconds:
                deadline = time.monotonic() + (max_seconds - tally.seconds)
                run_batch(endpoint, headers, min(batch, left), concurrency, tally, deadline)
    return {label: tally.result() for label, tally in tallies.items()}


@dataclass
class ServerResult:
    """One server's figures at one store size."""

    label: str
    sequential: LoadResult
    concurrent: LoadResult
    rss_mb: float
    hwm_mb: float


@dataclass
class SizeResult:
    """Everything measured at one store size (and stamp layout)."""

    size: int
    stamps: str
    matching: int
    returned: int
    body_bytes: int
    seed_seconds: float
    rss_after_seed_mb: float
    servers: list[ServerResult]
    skipped: dict[str, str]

    def server(self, label: str) -> ServerResult | None:
        """The figures of the server labelled `label`, if it ran."""
        return next((s for s in self.servers if s.label == label), None)

    @property
    def ours(self) -> ServerResult:
        """The emulator's figures."""
        found = self.server("cwmock")
        assert found is not None
        return found

    def ratio(self, label: str, concurrent: bool = False) -> float | None:
        """Ours / `label`, requests per second (None when `label` did not run)."""
        other = self.server(label)
        if other is None:
            return None
        if concurrent:
            return self.ours.concurrent.rps / other.concurrent.rps
        return self.ours.sequential.rps / other.sequential.rps


@dataclass
class Options:
    """How to measure."""

    requests: int
    concurrency: int
    max_seconds: float
    warmup: int
    work_dir: Path
    peers: list[str]
    peers_dir: Path
    stack: str = "auto"
    baseline: Path | None = None
    profile: bool = False


def measure_size(size: int, stamps: str, options: Options) -> SizeResult:
    """Seed, check the answer, start the floor and the peers on its bytes, then load them all in turns."""
    targets, headers = request_targets(stamps), request_headers()
    target = targets[0]
    seeded = "shuffled" if stamps == "repeated" else stamps
    print(f"[{size:,} {stamps}] seeding the emulator...", file=sys.stderr, flush=True)
    profile_args = [str(options.work_dir / f"profile-{size}-{stamps}.txt")] if options.profile else []
    skipped: dict[str, str] = {}
    with ExitStack() as stack:
        ours = stack.enter_context(
            server_process("serve-emulator", str(size), seeded, options.stack, *profile_args, startup_timeout=3600)
        )
        rss_seeded, _ = ours.memory_mb()
        first, body = _checked_page(ours.port, target, headers, size)
        returned = len(json.loads(body))
        body_file = options.work_dir / f"floor-{size}-{stamps}.json"
        body_file.write_bytes(body)
        link = first.getheader("Link") or ""
        print(f"[{size:,} {stamps}] seeded in {ours.seed_seconds:.1f} s; starting the others...", file=sys.stderr)
        floor = stack.enter_context(
            server_process("serve-floor", str(body_file), link, options.stack, startup_timeout=60)
        )
        endpoints = [Endpoint("cwmock", ours.port, targets, ours.process.pid),
                     Endpoint("floor", floor.port, [target], floor.process.pid)]  # fmt: skip
        if options.baseline is not None:
            baseline_args = ("serve-emulator", str(size), seeded, options.stack)
            baseline = stack.enter_context(
                server_process(*baseline_args, startup_timeout=3600, checkout=options.baseline)
            )
            # Its links name its own port: the same page but for that.
            renamed = body.replace(f":{ours.port}/".encode(), f":{baseline.port}/".encode())
            _check_same_page(baseline.port, target, renamed, headers)
            endpoints.append(Endpoint("baseline", baseline.port, targets, baseline.process.pid))
        peers = options.peers if stamps == "shuffled" else []
        modules, why = install(options.peers_dir) if peers else (None, "")
        for name in peers:
            reason = missing_runtime(name, modules, why)
            if reason is not None:
                skipped[name] = reason
                print(f"SKIP {name}: {reason}", file=sys.stderr, flush=True)
                continue
            assert modules is not None
            peer = stack.enter_context(peer_server(name, modules, options.work_dir / "peers", PATH, body, link))
            _check_same_page(peer.port, peer.target, body, {})
            endpoints.append(Endpoint(name, peer.port, [peer.target], peer.pid))
        print(f"[{size:,} {stamps}] loading {', '.join(e.label for e in endpoints)}...", file=sys.stderr, flush=True)
        run_rounds(endpoints, headers, options.warmup, 1, options.max_seconds)
        sequential = run_rounds(endpoints, headers, options.requests, 1, options.max_seconds)
        concurrent = run_rounds(endpoints, headers, options.requests, options.concurrency, options.max_seconds)
        servers = []
        for endpoint in endpoints:
            rss, hwm = memory_mb(endpoint.pid)
            servers.append(ServerResult(endpoint.label, sequential[endpoint.label], concurrent[endpoint.label], rss,
                                        hwm))  # fmt: skip
    body_file.unlink(missing_ok=True)
    return SizeResult(size, stamps, min(MATCHING, size), returned, len(body), ours.seed_seconds, rss_seeded, servers,
                      skipped)  # fmt: skip


@dataclass
class GrowthResult:
    """The p50 of a small and a large store, measured in the same rounds."""

    small: int
    large: int
    small_p50_ms: float
    large_p50_ms: float

    @property
    def spread(self) -> float:
        """p50 at the large size over p50 at the small one."""
        return self.large_p50_ms / self.small_p50_ms


def measure_growth(small: int, large: int, options: Options) -> GrowthResult:
    """Seed an emulator at each size, then load both in turns (sequential requests): their p50s side by side."""
    targets, headers = request_targets("shuffled"), request_headers()
    print(f"[growth {small:,} and {large:,}] seeding both emulators...", file=sys.stderr, flush=True)
    with ExitStack() as stack:
        endpoints = []
        for size in (small, large):
            server = stack.enter_context(
                server_process("serve-emulator", str(size), "shuffled", options.stack, startup_timeout=3600)
            )
            _checked_page(server.port, targets[0], headers, size)
            endpoints.append(Endpoint(f"cwmock {size:,}", server.port, targets, server.process.pid))
        print(f"[growth {small:,} and {large:,}] loading both in turns...", file=sys.stderr, flush=True)
        run_rounds(endpoints, headers, options.warmup, 1, options.max_seconds)
        sequential = run_rounds(endpoints, headers, options.requests, 1, options.max_seconds)
    return GrowthResult(small, large, *(sequential[endpoint.label].p50_ms for endpoint in endpoints))


def _checked_page(port: int, target: str, headers: dict[str, str], size: int) -> tuple[http.client.HTTPResponse, bytes]:
    """The emulator's first page, after checking it holds as many contacts as the seeding promises."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    response, body = fetch(connection, target, headers)
    connection.close()
    returned, expected = len(json.loads(body)), min(PAGE_SIZE, MATCHING, size)
    if returned != expected:
        raise RuntimeError(f"the emulator at {size:,} contacts returned {returned} contacts, expected {expected}")
    return response, body


def _check_same_page(port: int, target: str, body: bytes, headers: dict[str, str]) -> None:
    """Another server must answer the same contacts as the emulator (json-server formats them its own way)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    _, answered = fetch(connection, target, headers)
    connection.close()
    if answered != body and json.loads(answered) != json.loads(body):
        raise RuntimeError(f"the server on port {port} answers a different page at {target}")


# -- report --------------------------------------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(results: Sequence[SizeResult], concurrency: int) -> str:
    """The figures as markdown tables: the emulator against the floor per size, then every server side by side."""
    rows = [
        "| contacts | stamps | seed s | server RSS MB (peak) | ours req/s | p50 ms | p99 ms | floor req/s | "
        f"floor p50 ms | ours/floor | ours/floor ×{concurrency} |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        floor = r.server("floor")
        assert floor is not None
        label = {"shuffled": "shuffled", "sorted": "**sorted (extra row, not the headline)**",
                 "repeated": "**one bound repeated (extra row: a page walk's later pages)**"}[r.stamps]  # fmt: skip
        rows.append(
            f"| {r.size:,} | {label} | {r.seed_seconds:.1f} | {r.ours.rss_mb:,.0f} ({r.ours.hwm_mb:,.0f}) "
            f"| {r.ours.sequential.rps:,.0f} | {r.ours.sequential.p50_ms:.2f} | {r.ours.sequential.p99_ms:.2f} "
            f"| {floor.sequential.rps:,.0f} | {floor.sequential.p50_ms:.2f} | {_ratio(r.ratio('floor'))} "
            f"| {_ratio(r.ratio('floor', concurrent=True))} |"
        )
    rows += [
        "",
        f"| contacts | stamps | server | req/s | p50 ms | p99 ms | req/s ×{concurrency} | RSS MB (peak) | ours / it "
        f"| ours / it ×{concurrency} |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for s in r.servers:
            rows.append(
                f"| {r.size:,} | {r.stamps} | {s.label} | {s.sequential.rps:,.1f} | {s.sequential.p50_ms:.2f} "
                f"| {s.sequential.p99_ms:.2f} | {s.concurrent.rps:,.1f} | {s.rss_mb:,.0f} ({s.hwm_mb:,.0f}) "
                f"| {_ratio(r.ratio(s.label))} | {_ratio(r.ratio(s.label, concurrent=True))} |"
            )
        for name, reason in r.skipped.items():
            rows.append(f"| {r.size:,} | {r.stamps} | {name} | skipped: {reason} | | | | | | |")
    return "\n".join(rows)


def phases_spread(results: Sequence[SizeResult]) -> float | None:
    """p50 at 1M over p50 at 10k from the size phases, minutes apart (None unless both sizes ran)."""
    by_size = {r.size: r for r in results if r.stamps == "shuffled"}
    if 10_000 not in by_size or 1_000_000 not in by_size:
        return None
    return by_size[1_000_000].ours.sequential.p50_ms / by_size[10_000].ours.sequential.p50_ms


def verdicts(results: Sequence[SizeResult], growth: GrowthResult | None = None) -> list[dict[str, Any]]:
    """Each target the issue sets, with the measured figure (skipped when a size it needs was not run). The p50
    growth is the side-by-side one when it was measured, else the size phases' own."""
    by_size = {r.size: r for r in results if r.stamps == "shuffled"}
    found: list[dict[str, Any]] = []
    spread = phases_spread(results)
    if growth is not None:
        found.append({"target": f"p50 at 1M / p50 at 10k <= {TARGET_P50_SPREAD} (side by side)",
                      "value": round(growth.spread, 3), "met": growth.spread <= TARGET_P50_SPREAD})  # fmt: skip
    elif spread is not None:
        found.append({"target": f"p50 at 1M / p50 at 10k <= {TARGET_P50_SPREAD}", "value": round(spread, 3),
                      "met": spread <= TARGET_P50_SPREAD})  # fmt: skip
    if 100_000 in by_size:
        ratio = by_size[100_000].ratio("floor")
        assert ratio is not None
        found.append({"target": f"ours/floor req/s at 100k >= {TARGET_FLOOR_RATIO}", "value": round(ratio, 3),
                      "met": ratio >= TARGET_FLOOR_RATIO})  # fmt: skip
        wiremock = by_size[100_000].ratio("wiremock")
        if wiremock is not None:
            found.append({"target": f"ours/WireMock (journal off) req/s at 100k >= {TARGET_WIREMOCK_RATIO}",
                          "value": round(wiremock, 3), "met": wiremock >= TARGET_WIREMOCK_RATIO})  # fmt: skip
    if 1_000_000 in by_size:
        peak = by_size[1_000_000].ours.hwm_mb
        found.append({"target": f"server peak RSS at 1M <= {TARGET_RSS_MB_AT_1M} MB", "value": round(peak),
                      "met": peak <= TARGET_RSS_MB_AT_1M})  # fmt: skip
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, measure each size, print the tables, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated store sizes")
    parser.add_argument("--requests", type=int, default=200, help="requests per server and phase (default 200)")
    parser.add_argument("--concurrency", type=int, default=4, help="connections in the concurrent phase (default 4)")
    parser.add_argument(
        "--warmup", type=int, default=100, help="requests per server before measuring (a JVM needs them; default 100)"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=30.0,
        help="at most this long per server and phase; a slower server gets fewer requests (default 30)",
    )
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated peers ({','.join(PEERS)}) or none")
    parser.add_argument("--peers-dir", type=Path, default=default_peers_dir(), help="where npm installs the peers")
    parser.add_argument(
        "--sorted-at",
        default="100000",
        help="sizes that also get the sorted-stamps extra row (comma-separated; none for no row)",
    )
    parser.add_argument(
        "--repeated-at",
        default="100000",
        help="sizes that also get the one-bound-repeated extra row (comma-separated; none for no row)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of cwmock (e.g. a worktree of main) served beside ours, seeded alike, as `baseline`: "
        "before and after measured side by side",
    )
    parser.add_argument(
        "--growth",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="measure the p50 growth 10k -> 1M with both emulators serving at once, in turns (default: when --sizes "
        "has both; costs one more seeding of each)",
    )
    parser.add_argument("--stack", choices=sorted(STACKS), default="auto", help="uvicorn loop and HTTP parser")
    parser.add_argument("--json", type=Path, default=Path("bench-emulator-list.json"), help="where to write JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the emulator server under pyinstrument (pip install pyinstrument); writes profile-SIZE-STAMPS.txt "
        "next to the JSON. Profiling slows the server: do not quote those figures",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    sorted_at, repeated_at = (
        {int(s.replace("_", "")) for s in text.split(",") if s.strip() and s.strip() != "none"}
        for text in (args.sorted_at, args.repeated_at)
    )
    peers = [p.strip() for p in args.peers.split(",") if p.strip() and p.strip() != "none"]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")
    work_dir = args.json.resolve().parent
    results = []
    with tempfile.TemporaryDirectory(prefix="cwmock-bench-") as scratch:
        options = Options(args.requests, args.concurrency, args.max_seconds, args.warmup, Path(scratch), peers,
                          args.peers_dir, args.stack, args.baseline.resolve() if args.baseline else None)  # fmt: skip
        if args.profile:
            options.work_dir, options.profile = work_dir, True
        for size in sizes:
            results.append(measure_size(size, "shuffled", options))
            if size in sorted_at:
                results.append(measure_size(size, "sorted", options))
            if size in repeated_at:
                results.append(measure_size(size, "repeated", options))
        wants_growth = args.growth if args.growth is not None else {10_000, 1_000_000} <= set(sizes)
        growth = measure_growth(10_000, 1_000_000, options) if wants_growth else None
    report = {
        "benchmark": "emulator list page",
        "request": request_target(),
        "distinct_bounds": DISTINCT_BOUNDS,
        "machine": machine(),
        "requests_per_phase": args.requests,
        "concurrency": args.concurrency,
        "stack": args.stack,
        "results": [asdict(r) for r in results],
        "growth": None if growth is None else {**asdict(growth), "spread": growth.spread},
        "targets": verdicts(results, growth),
    }
    for r, row in zip(results, report["results"], strict=True):
        for server, server_row in zip(r.servers, row["servers"], strict=True):
            for phase in ("sequential", "concurrent"):
                server_row[phase]["rps"] = getattr(server, phase).rps
            server_row["ours_over_it"] = r.ratio(server.label)
            server_row["ours_over_it_concurrent"] = r.ratio(server.label, concurrent=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results, args.concurrency))
    if growth is not None:
        print(
            f"\np50 side by side, both served at once: {growth.small:,} contacts {growth.small_p50_ms:.2f} ms, "
            f"{growth.large:,} contacts {growth.large_p50_ms:.2f} ms: growth {growth.spread:.3f}"
        )
        phases = phases_spread(results)
        if phases is not None:
            print(f"(the size phases above, minutes apart, give {phases:.3f})")
    for verdict in report["targets"]:
        print(verdict_line(verdict))
    print(f"machine: {report['machine']}; JSON: {args.json}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve-emulator":
        serve_emulator(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    elif len(sys.argv) > 1 and sys.argv[1] == "serve-floor":
        serve_floor(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(main())
