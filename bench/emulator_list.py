"""Benchmark: one page of `GET /company/contacts?conditions=lastUpdated>[...]&pageSize=1000` over a real socket.

    python bench/emulator_list.py [--sizes 1000,10000,100000,1000000] [--requests 200] [--concurrency 4]
                                  [--json bench-emulator-list.json]

For each store size a server process seeds the emulator so the condition matches 5,000 contacts (all of them at
1k), then serves it with uvicorn; a second server process serves the FLOOR — a bare Starlette endpoint on the same
uvicorn settings returning the very bytes the emulator answered, pre-serialized. This process is the client
(stdlib `http.client`, keep-alive): sequential requests for latency, then `--concurrency` connections for
throughput, emulator and floor alternately so both see the same machine. Server memory is read from
/proc/PID/status. Wall-clock timing is the point of a benchmark, so this script (not part of the package) reads it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common import machine, memory_mb, verdict_line

MATCHING = 5_000
PAGE_SIZE = 1_000
COMPANY = "cwmock"
CODEBASE = "v4_6_release/"
PATH = f"/{CODEBASE}apis/3.0/company/contacts"
# Every seeded stamp lies in the 100 days before the emulator's start; the condition's bound splits them.
BOUND_DAYS_BEFORE_START = 50
TARGET_P50_SPREAD = 1.5
TARGET_FLOOR_RATIO = 0.5
TARGET_RSS_MB_AT_1M = 2048


# -- server side ---------------------------------------------------------------------------------------------------


def seed_plan(size: int) -> Iterator[tuple[int, bool]]:
    """(seconds offset from the bound, matches?) for contact n = 0..size-1: `MATCHING` spread evenly over the ids.

    The matching contacts' stamps are a shuffled order of their ids, the same shuffle at every size, so the stamp
    index hands them over in as little id order at 10k as at 1M (the work of putting them back in id order does not
    vary with the store size; only the store does). Non-matching stamps are scattered before the bound.
    """
    step = max(1, size // MATCHING)
    matching = min(size, MATCHING)
    order = random.Random(0).sample(range(matching), matching)
    for n in range(size):
        if n % step == step - 1 and n // step < matching:
            yield 1 + order[n // step], True
        else:
            yield -1 - (n * 7_919) % (40 * 86_400), False


def serve_emulator(size: int, profile_to: str | None = None) -> None:
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
    for (offset, _), body in zip(seed_plan(size), bodies, strict=True):
        store.create_contact(COMPANY, body, stamp=bound + timedelta(seconds=offset))
    seed_seconds = time.perf_counter() - started
    sock = _bound_socket()
    print(json.dumps({"port": sock.getsockname()[1], "seed_seconds": seed_seconds}), flush=True)
    server = uvicorn.Server(uvicorn_config(emulator.app, LOOPBACK, sock.getsockname()[1]))
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


def serve_floor(body_file: str, link: str) -> None:
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
        uvicorn.Server(uvicorn_config(app, LOOPBACK, sock.getsockname()[1])).run(sockets=[sock])


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
def server_process(*args: str, startup_timeout: float) -> Iterator[Server]:
    """Run this script in server mode; yield once it reports its port; kill it afterwards."""
    process = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}
    )
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


def request_target(size: int) -> str:
    """The benchmarked request's path and query."""
    from cwmock.emulator.app import DEFAULT_START

    bound = (DEFAULT_START - timedelta(days=BOUND_DAYS_BEFORE_START)).strftime("%Y-%m-%dT%H:%M:%SZ")
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


def run_load(port: int, target: str, headers: dict[str, str], requests: int, concurrency: int) -> LoadResult:
    """`requests` GETs spread over `concurrency` keep-alive connections (one thread each)."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_worker = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]

    def worker(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        for _ in range(count):
            began = time.perf_counter()
            fetch(connection, target, headers)
            mine.append(time.perf_counter() - began)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(count,)) for count in per_worker]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if len(latencies) != requests:
        raise RuntimeError(f"only {len(latencies)} of {requests} requests completed; see the errors above")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return LoadResult(requests, seconds, cuts[49] * 1000, cuts[98] * 1000)


@dataclass
class SizeResult:
    """Everything measured at one store size."""

    size: int
    matching: int
    returned: int
    body_bytes: int
    seed_seconds: float
    rss_after_seed_mb: float
    rss_after_load_mb: float
    hwm_mb: float
    ours_sequential: LoadResult
    floor_sequential: LoadResult
    ours_concurrent: LoadResult
    floor_concurrent: LoadResult

    @property
    def ratio_sequential(self) -> float:
        """Ours / floor, requests per second, one connection."""
        return self.ours_sequential.rps / self.floor_sequential.rps

    @property
    def ratio_concurrent(self) -> float:
        """Ours / floor, requests per second, several connections."""
        return self.ours_concurrent.rps / self.floor_concurrent.rps


def measure_size(size: int, requests: int, concurrency: int, work_dir: Path, profile: bool = False) -> SizeResult:
    """Seed, check the answer, then load emulator and floor alternately."""
    target, headers = request_target(size), request_headers()
    print(f"[{size:,}] seeding the emulator...", file=sys.stderr, flush=True)
    profile_args = [str(work_dir / f"profile-{size}.txt")] if profile else []
    with server_process("serve-emulator", str(size), *profile_args, startup_timeout=3600) as ours:
        rss_seeded, _ = ours.memory_mb()
        connection = http.client.HTTPConnection("127.0.0.1", ours.port, timeout=120)
        first, body = fetch(connection, target, headers)
        connection.close()
        returned = len(json.loads(body))
        expected = min(PAGE_SIZE, MATCHING, size)
        if returned != expected:
            raise RuntimeError(f"the emulator returned {returned} contacts, expected {expected}")
        body_file = work_dir / f"floor-{size}.json"
        body_file.write_bytes(body)
        link = first.getheader("Link") or ""
        print(f"[{size:,}] seeded in {ours.seed_seconds:.1f} s; loading...", file=sys.stderr, flush=True)
        with server_process("serve-floor", str(body_file), link, startup_timeout=60) as floor:
            warm = max(3, requests // 20)
            for port in (ours.port, floor.port):
                run_load(port, target, headers, warm, 1)
            ours_seq = run_load(ours.port, target, headers, requests, 1)
            floor_seq = run_load(floor.port, target, headers, requests, 1)
            ours_conc = run_load(ours.port, target, headers, requests, concurrency)
            floor_conc = run_load(floor.port, target, headers, requests, concurrency)
        rss_loaded, hwm = ours.memory_mb()
    return SizeResult(
        size=size,
        matching=min(MATCHING, size),
        returned=returned,
        body_bytes=len(body),
        seed_seconds=ours.seed_seconds,
        rss_after_seed_mb=rss_seeded,
        rss_after_load_mb=rss_loaded,
        hwm_mb=hwm,
        ours_sequential=ours_seq,
        floor_sequential=floor_seq,
        ours_concurrent=ours_conc,
        floor_concurrent=floor_conc,
    )


# -- report --------------------------------------------------------------------------------------------------------


def table(results: Sequence[SizeResult], concurrency: int) -> str:
    """The figures as a markdown table."""
    head = (
        "| contacts | seed s | server RSS MB (peak) | ours req/s | p50 ms | p99 ms | floor req/s | floor p50 ms "
        f"| ours/floor | ours req/s ×{concurrency} | floor req/s ×{concurrency} | ours/floor ×{concurrency} |"
    )
    rows = [head, "|" + "---:|" * 12]
    for r in results:
        rows.append(
            f"| {r.size:,} | {r.seed_seconds:.1f} | {r.rss_after_load_mb:,.0f} ({r.hwm_mb:,.0f}) "
            f"| {r.ours_sequential.rps:.1f} | {r.ours_sequential.p50_ms:.1f} | {r.ours_sequential.p99_ms:.1f} "
            f"| {r.floor_sequential.rps:.1f} | {r.floor_sequential.p50_ms:.1f} | {r.ratio_sequential:.2f} "
            f"| {r.ours_concurrent.rps:.1f} | {r.floor_concurrent.rps:.1f} | {r.ratio_concurrent:.2f} |"
        )
    return "\n".join(rows)


def verdicts(results: Sequence[SizeResult]) -> list[dict[str, Any]]:
    """Each target the issue sets, with the measured figure (skipped when a size it needs was not run)."""
    by_size = {r.size: r for r in results}
    found: list[dict[str, Any]] = []
    if 10_000 in by_size and 1_000_000 in by_size:
        spread = by_size[1_000_000].ours_sequential.p50_ms / by_size[10_000].ours_sequential.p50_ms
        found.append({"target": f"p50 at 1M / p50 at 10k <= {TARGET_P50_SPREAD}", "value": round(spread, 3),
                      "met": spread <= TARGET_P50_SPREAD})  # fmt: skip
    if 100_000 in by_size:
        ratio = by_size[100_000].ratio_sequential
        found.append({"target": f"ours/floor req/s at 100k >= {TARGET_FLOOR_RATIO}", "value": round(ratio, 3),
                      "met": ratio >= TARGET_FLOOR_RATIO})  # fmt: skip
    if 1_000_000 in by_size:
        peak = by_size[1_000_000].hwm_mb
        found.append({"target": f"server peak RSS at 1M < {TARGET_RSS_MB_AT_1M} MB", "value": round(peak),
                      "met": peak < TARGET_RSS_MB_AT_1M})  # fmt: skip
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, measure each size, print the table, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated store sizes")
    parser.add_argument("--requests", type=int, default=200, help="requests per load phase (default 200)")
    parser.add_argument("--concurrency", type=int, default=4, help="connections in the concurrent phase (default 4)")
    parser.add_argument("--json", type=Path, default=Path("bench-emulator-list.json"), help="where to write JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the emulator server under pyinstrument (pip install pyinstrument); writes profile-SIZE.txt "
        "next to the JSON. Profiling slows the server: do not quote those figures",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    work_dir = args.json.resolve().parent
    results = [measure_size(size, args.requests, args.concurrency, work_dir, args.profile) for size in sizes]
    for size in sizes:
        (work_dir / f"floor-{size}.json").unlink(missing_ok=True)
    report = {
        "benchmark": "emulator list page",
        "request": request_target(0),
        "machine": machine(),
        "requests_per_phase": args.requests,
        "concurrency": args.concurrency,
        "results": [
            {**asdict(r), "ratio_sequential": r.ratio_sequential, "ratio_concurrent": r.ratio_concurrent}
            for r in results
        ],
        "targets": verdicts(results),
    }
    for r, row in zip(results, report["results"], strict=True):
        for phase in ("ours_sequential", "floor_sequential", "ours_concurrent", "floor_concurrent"):
            row[phase]["rps"] = getattr(r, phase).rps
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results, args.concurrency))
    for verdict in report["targets"]:
        print(verdict_line(verdict))
    print(f"machine: {report['machine']}; JSON: {args.json}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve-emulator":
        serve_emulator(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) > 1 and sys.argv[1] == "serve-floor":
        serve_floor(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
