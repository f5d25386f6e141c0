"""`--clock accelerated --speed F --start T`: the clock follows the wall x F from T; bad values are refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cwmock.cli.commands import _clock as clock_of
from cwmock.cli.commands import build_parser
from cwmock.cli.main import main

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("command", ["emulator", "up"])
def test_an_accelerated_clock_follows_the_wall_at_its_speed_from_its_start(command: str) -> None:
    args = build_parser().parse_args(
        [command, "--clock", "accelerated", "--speed", "120", "--start", "2026-01-01T00:00:00Z"]
    )
    clock = clock_of(args)
    try:
        status = clock.status()
        assert (status.mode, status.speed) == ("following", 120)
        assert START <= status.now < START + timedelta(minutes=10), "it starts at --start, whatever the wall says"
    finally:
        clock.close()


def test_accelerated_runs_at_60x_by_default() -> None:
    clock = clock_of(build_parser().parse_args(["emulator", "--clock", "accelerated"]))
    assert clock.status().speed == 60
    clock.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--speed", "5"], "--speed sets the pace of --clock accelerated"),
        (["--clock", "accelerated", "--speed", "0"], "--speed must be"),
        (["--clock", "accelerated", "--speed", "fast"], "'fast' is not a number"),
        (["--clock", "manual", "--start", "yesterday"], "'yesterday' is not an ISO-8601 instant"),
    ],
)
def test_bad_clock_options_are_usage_errors(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", *arguments])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
