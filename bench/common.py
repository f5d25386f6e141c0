"""What the bench scripts share: the machine the figures came from, a process's memory, a directory's size."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(), "platform": platform.platform()}


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of process `pid` in MiB: resident now, and the peak resident so far."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def directory_bytes(path: Path) -> int:
    """The total size of the files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def verdict_line(verdict: dict[str, Any]) -> str:
    """`MET  target: value` or `MISS target: value`."""
    return f"{'MET ' if verdict['met'] else 'MISS'} {verdict['target']}: {verdict['value']}"


def fresh_directory(path: Path) -> Path:
    """`path`, created empty; refused when it already holds files (a poller's old state would skew the run)."""
    if path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path} is not empty: a poller state left there would change the run; give an empty dir")
    path.mkdir(parents=True, exist_ok=True)
    return path


async def profiled(work: Awaitable[T], report: Path | None) -> T:
    """Await `work`, under pyinstrument when `report` names where its text report goes."""
    if report is None:
        return await work
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="enabled")
    profiler.start()
    try:
        return await work
    finally:
        profiler.stop()
        report.write_text(profiler.output_text(unicode=True, show_all=False))
        print(f"profile: {report}", file=sys.stderr)
