"""`cwmock contract`: the contract suite, run by pytest in a fresh interpreter; `cwmock.cli.main` starts it alone."""

from __future__ import annotations

import argparse
import subprocess
import sys


def add_contract_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `contract` and its options to the `cwmock` parser."""
    contract = commands.add_parser(
        "contract",
        help="run the contract suite against a poller (pytest --pyargs cwmock.contract_tests)",
        description="Extra arguments are passed to pytest, e.g. `cwmock contract --poller-cmd CMD -k burst -x`.",
    )
    contract.add_argument("--poller-cmd", help="the external poller to judge (default: the reference poller)")
    contract.add_argument(
        "--judge-policy",
        action="store_true",
        help="hold the --poller-cmd poller to cwmock policy too, not only to documented behaviour "
        "(the reference poller always is)",
    )
    contract.add_argument("--poller-timeout", type=float, help="seconds before a window is killed")


def run_contract(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """Run the contract suite: exactly `python -m pytest --pyargs cwmock.contract_tests ...` in a fresh interpreter."""
    options = ["--pyargs", "cwmock.contract_tests", "-p", "no:cacheprovider"]
    if args.poller_cmd:
        options += ["--poller-cmd", args.poller_cmd]
    if args.judge_policy:
        options.append("--judge-policy")
    if args.poller_timeout is not None:
        options += ["--poller-timeout", str(args.poller_timeout)]
    # A fresh interpreter, so pytest's assertion rewriting sees modules this process has not imported yet.
    return subprocess.call([sys.executable, "-m", "pytest", *options, *pytest_args])


def main(arguments: list[str]) -> int:
    """`cwmock contract ...`: parse only its options, so that starting the suite imports none of the other commands
    (the emulator, the dashboard, the stack: half a second of every run the zoo's tests start)."""
    parser = argparse.ArgumentParser(prog="cwmock")
    add_contract_parser(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args, extra = parser.parse_known_args(arguments)
    return run_contract(args, extra)
