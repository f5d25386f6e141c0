"""The `cwmock` command line: a small dispatcher, so `cwmock poller once` and `cwmock contract` start without the
emulator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cwmock.core.startup import skip_httpx_cli


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cwmock` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["poller"]:
        # An external poller runs once per window: importing the emulator and the stack would cost every window.
        skip_httpx_cli()
        from cwmock.poller.cli import add_poller_parser, run_poller

        parser = argparse.ArgumentParser(prog="cwmock")
        add_poller_parser(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
        return run_poller(parser.parse_args(arguments))
    if arguments[:1] == ["contract"]:
        # Every zoo test starts the suite this way: the other commands' imports would cost each run half a second.
        from cwmock.cli.contract import main as run_contract

        return run_contract(arguments)
    from cwmock.cli.commands import main as run_command

    return run_command(arguments)
