"""`python -m cwmock ...` as a user starts it: read its output until it is ready, stop it with Ctrl-C afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

READY = "Press Ctrl-C"


@contextlib.contextmanager
def cwmock_running(*arguments: str, timeout: float = 60) -> Iterator[list[str]]:
    """Start `python -m cwmock ARGUMENTS`; yield its output lines once it printed that it is ready.

    Afterwards Ctrl-C (SIGINT) must stop it cleanly (exit status 0).
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "cwmock", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    ready = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if READY in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(timeout), f"cwmock {' '.join(arguments)} did not come up:\n" + "".join(lines)
        yield lines
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 0, "Ctrl-C must stop cwmock cleanly:\n" + "".join(lines)
        assert process.stdout is not None
        process.stdout.close()
