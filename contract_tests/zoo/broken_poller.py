"""Pollers that never finish a window properly, to prove the suite gives them no free pass (docs/design.md#liveness).

Each `--mode` fails in every window it runs, in one way:

- `crash`: raises before doing anything (a bad query, a missing setting, a typo: exit status 1);
- `crash-after-fetch`: reads every page of the hub's answer, then raises before sending anything;
- `hang`: reads every page, then waits forever, until `--poller-timeout` kills it;
- `silent`: prints `{"next_due": null}` and exits 0 without polling or sending;
- `fetch-only`: reads every page, exits 0 and never sends a notification.

Each prints a line on stderr first, so a test can see that the suite shows the user what the poller said. Run under
the external-poller protocol: `python -m cwmock.contract_tests.zoo.broken_poller --mode MODE`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

MODES: dict[str, str] = {
    "crash": "raises before doing anything",
    "crash-after-fetch": "reads every page of the hub's answer, then raises",
    "hang": "reads every page, then waits until it is killed",
    "silent": "exits 0 without polling or sending",
    "fetch-only": "reads every page, exits 0 and never sends",
}
SAYS = "broken poller ({mode}): {what}"


def fetch_everything(env: dict[str, str]) -> int:
    """Every page the zoo poller's query gets this window (so the hub sees a complete result); how many records
    (-1 when the hub failed: that, like the zoo poller, it survives)."""
    # Imported here: the zoo poller is most of a window's start-up, and `crash` and `silent` never need it.
    from cwmock.contract_tests.zoo.poller import Window
    from cwmock.contract_tests.zoo.state import load_state
    from cwmock.contract_tests.zoo.wire import Client, HttpError

    window = Window(None, env)
    try:
        return len(
            window.fetch(Client(window.http_timeout), window.render(window.lower_bound(load_state(window.state_dir))))
        )
    except (HttpError, ValueError) as error:
        print(f"window incomplete: {error}", file=sys.stderr)
        return -1


def run(mode: str, env: dict[str, str]) -> int:
    """One window, broken as `mode` says; the exit status (0 for `silent` and `fetch-only`)."""
    print(SAYS.format(mode=mode, what=MODES[mode]), file=sys.stderr, flush=True)
    if mode == "crash":
        raise RuntimeError("cannot build the query: 'pollDelay' is not set")
    if mode != "silent":
        served = fetch_everything(env)
        if mode == "crash-after-fetch":
            raise RuntimeError(f"fetched {served} record(s), then failed to open the outbox")
        if mode == "hang":
            threading.Event().wait()  # never set: the suite kills the process at --poller-timeout
    print(json.dumps({"next_due": None}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse `--mode` and run one broken window."""
    parser = argparse.ArgumentParser(prog="broken_poller", description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), required=True, help="how the poller fails every window")
    args = parser.parse_args(argv)
    return run(args.mode, dict(os.environ))


if __name__ == "__main__":
    sys.exit(main())
