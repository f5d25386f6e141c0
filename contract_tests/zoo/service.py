"""The bug-zoo poller as a long-running service on its own timer, for the live judge (`cwmock judge`).

    python -m cwmock.contract_tests.zoo.service [--bug NAME] [--interval SECONDS] [--native]

Every `--interval` seconds of wall time it runs one zoo window (`cwmock.contract_tests.zoo.poller.run`) with
`CWMOCK_NOW` set to the wall clock's now; the rest of its environment is what `cwmock judge` gives a service
(CWMOCK_INSTANCE, CWMOCK_HUB_URL, CWMOCK_HUB_AUTH, CWMOCK_STATE_DIR, CWMOCK_START). With `--native` it reads the
native API instead (`cwmock.contract_tests.zoo.native`). It runs until it is stopped.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from datetime import timedelta

from cwmock.contract_tests.zoo.native import NativeWindow
from cwmock.contract_tests.zoo.poller import BUGS, Window, run
from cwmock.core.clock import SystemClock
from cwmock.core.timestamps import iso_z


def serve(
    bug: str | None, interval: timedelta, env: dict[str, str], stop: threading.Event, kind: type[Window] = Window
) -> int:
    """Run a window (of `kind`) every `interval` until `stop` is set; returns how many windows ran."""
    clock = SystemClock()
    windows = 0
    next_window = clock.now()
    while not stop.is_set():
        run(bug, {**env, "CWMOCK_NOW": iso_z(clock.now())}, kind=kind)
        windows += 1
        print(f"zoo service ({bug or 'correct'}): window {windows} done", file=sys.stderr, flush=True)
        next_window = max(next_window + interval, clock.now())
        stop.wait((next_window - clock.now()).total_seconds())
    return windows


def main(argv: list[str] | None = None) -> int:
    """Parse `--bug` and `--interval`, then poll until stopped."""
    parser = argparse.ArgumentParser(prog="zoo_service", description=__doc__.splitlines()[0])
    parser.add_argument("--bug", choices=sorted(BUGS), help="the one bug to have (default: none)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between windows (default: 1)")
    parser.add_argument("--native", action="store_true", help="read the native API (`cwmock judge --client-id`)")
    args = parser.parse_args(argv)
    if not args.interval > 0:
        parser.error(f"--interval {args.interval:g}: give a positive number of seconds")
    kind = NativeWindow if args.native else Window
    serve(args.bug, timedelta(seconds=args.interval), dict(os.environ), threading.Event(), kind)
    return 0


if __name__ == "__main__":
    sys.exit(main())
