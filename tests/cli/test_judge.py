"""`cwmock judge`'s command line: usage errors exit 2 with the reason, before anything starts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cwmock.cli.judge import duration
from cwmock.cli.main import main


def test_without_a_command_or_an_instance_it_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["judge"]) == 2
    assert "after `--`" in capsys.readouterr().err


def test_a_command_and_a_running_instance_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["judge", "--instance-id", "1", "--", "true"]) == 2
    assert "already running" in capsys.readouterr().err


def test_an_unreadable_instance_json_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["judge", "--instance", str(tmp_path / "missing.json"), "--", "true"]) == 2
    assert "missing.json" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("5m", 300), ("2h", 7200), ("0.5", 0.5), (" 1m ", 60)]
)
def test_durations(text: str, seconds: float) -> None:
    assert duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "0", "-5", "1d", "ten", "8h5m", "200h"])
def test_bad_durations_are_refused(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["judge", "--duration", text, "--", "true"])
    assert exit_info.value.code == 2
    assert "--duration" in capsys.readouterr().err
