"""tests/mutation/run.py as a contributor runs it: the staged tree, the changed-code mode, the report and its triage.

mutmut itself is not run here (`tox -e mutation` does that); these drive the script's own parts in subprocesses, on
the checkout or on a small git repository holding a copy of the script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
SCRIPT = CHECKOUT / "tests" / "mutation" / "run.py"


def script(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python ROOT/tests/mutation/run.py ARGUMENTS`."""
    return subprocess.run(
        [sys.executable, str(root / "tests" / "mutation" / "run.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_is_staged_as_it_installs(tmp_path: Path) -> None:
    done = script(CHECKOUT, "--work", str(tmp_path), "stage")
    assert done.returncode == 0, done.stderr
    stage = Path(done.stdout.strip())
    assert stage == tmp_path / "stage"
    windowing = stage / "cwmock" / "poller" / "windowing.py"
    assert windowing.read_bytes() == (CHECKOUT / "poller" / "windowing.py").read_bytes()
    assert (stage / "cwmock" / "contract_tests" / "oracle" / "judge.py").is_file()
    assert (stage / "cwmock" / "cli" / "main.py").is_file()
    assert (stage / "tests" / "conftest.py").is_file()
    assert (stage / "pytest_profile.py").is_file(), "the Hypothesis profile of mutation runs, a -p plugin"
    assert not (stage / "poller").exists(), "the checkout's folders go inside cwmock/, as they install"
    settings = (stage / "pyproject.toml").read_text(encoding="utf-8").split("[tool.mutmut]")[1]
    assert 'source_paths = ["cwmock"]' in settings
    assert '"cwmock/poller/windowing.py"' in settings
    assert '"cwmock/contract_tests/oracle/liveness.py"' in settings
    # A second stage copies nothing unchanged (mutmut reads mtimes) and drops what the checkout no longer has.
    stale = stage / "cwmock" / "poller" / "gone.py"
    stale.write_text("", encoding="utf-8")
    before = windowing.stat().st_mtime_ns
    assert script(CHECKOUT, "--work", str(tmp_path), "stage").returncode == 0
    assert windowing.stat().st_mtime_ns == before
    assert not stale.exists()


ENGINE = """class PollerEngine:
    def run_window(self):
        return 1

    def _select(self, item):
        return item

    def _commit(self, item):
        return item
"""
WINDOWING = """def window_bounds(a, b):
    return a < b


def effective_overlap(a):
    return a
"""


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository with a copy of the script and two target modules, committed."""
    (tmp_path / "tests" / "mutation").mkdir(parents=True)
    shutil.copy(SCRIPT, tmp_path / "tests" / "mutation" / "run.py")
    (tmp_path / "poller").mkdir()
    (tmp_path / "poller" / "engine.py").write_text(ENGINE, encoding="utf-8")
    (tmp_path / "poller" / "windowing.py").write_text(WINDOWING, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-q", "-m", "base"], check=True)
    return tmp_path


def test_changed_names_the_mutants_of_the_functions_changed_since_the_base(repository: Path) -> None:
    assert script(repository, "changed", "--base", "HEAD").stdout == "\n"
    engine = repository / "poller" / "engine.py"
    engine.write_text(ENGINE.replace("return 1", "return 2").replace("return item\n\n", "return [item]\n\n"))
    windowing = repository / "poller" / "windowing.py"
    windowing.write_text(WINDOWING.replace("a < b", "a <= b"), encoding="utf-8")
    done = script(repository, "changed", "--base", "HEAD")
    assert done.returncode == 0, done.stderr
    # run_window changed too, but only _select and _commit of the engine are mutated.
    assert done.stdout.splitlines() == [
        "cwmock.poller.windowing.x_window_bounds__mutmut_*",
        "cwmock.poller.engine.xǁPollerEngineǁ_select__mutmut_*",
    ]


MUTATED = """def x_window_bounds__mutmut_orig(a, b):
    return a < b


def x_window_bounds__mutmut_1(a, b):
    return a <= b


def x_window_bounds__mutmut_2(a, b):
    return a > b


def x_window_bounds__mutmut_3(a, b):
    return None


def x_window_bounds__mutmut_4(a, b):
    return a < None
"""


def mutated_module(work: Path, codes: dict[str, int | None]) -> None:
    """A mutated windowing.py and mutmut's results for it, as a run leaves them."""
    mutants = work / "stage" / "mutants" / "cwmock" / "poller"
    mutants.mkdir(parents=True)
    (mutants / "windowing.py").write_text(MUTATED, encoding="utf-8")
    meta = {
        "exit_code_by_key": {f"cwmock.poller.windowing.x_window_bounds__mutmut_{n}": c for n, c in codes.items()},
        "hash_by_function_name": {},
        "type_check_error_by_key": {},
        "durations_by_key": {},
        "estimated_durations_by_key": {},
    }
    (mutants / "windowing.py.meta").write_text(json.dumps(meta), encoding="utf-8")


def equivalent(repository: Path, number: int, change: str) -> None:
    entry = f'mutant = "cwmock.poller.windowing.x_window_bounds__mutmut_{number}"\nchange = "{change}"\n'
    (repository / "tests" / "mutation" / "equivalents.toml").write_text(
        f'[[equivalent]]\n{entry}reason = "the callers never pass a == b"\n', encoding="utf-8"
    )


def test_the_report_counts_each_module_and_lists_every_untriaged_survivor_with_its_change(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": 0, "2": 1, "3": 36, "4": 37})  # survived, killed, timed out, rejected by mypy
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "report", "--markdown")
    assert done.returncode == 1, "a survivor is left untriaged"
    lines = done.stdout.splitlines()
    header = (
        "| module | mutants | mypy | killed | timed out | survived | equivalent | no tests | not checked | kill rate |"
    )
    assert lines[0] == header
    assert lines[2] == "| poller/windowing.py | 4 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 66.7% |"
    assert lines[3] == "| **poller core** (MISSED: target ≥ 90%) | 4 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 66.7% |"
    assert "  cwmock.poller.windowing.x_window_bounds__mutmut_1: return a < b → return a <= b" in lines


def test_a_listed_equivalent_is_excluded_from_the_rate(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": 0, "2": 1, "3": 36})
    equivalent(repository, 1, "return a < b → return a <= b")
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "report")
    assert done.returncode == 0, done.stdout
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["poller/windowing.py", "3", "0", "1", "1", "0", "1", "0", "0", "100.0%"] in rows
    assert "Surviving" not in done.stdout


def test_an_equivalent_whose_mutant_now_changes_something_else_is_reported_stale(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": 0, "2": 1, "3": 1})
    equivalent(repository, 1, "return a < b → return a > b")
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "report")
    assert done.returncode == 1
    assert "now changes something else (renumbered?)" in done.stdout
    assert "cwmock.poller.windowing.x_window_bounds__mutmut_1: listed 'return a < b → return a > b', now " in (
        done.stdout
    )


def test_an_equivalent_without_a_reason_is_refused(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": 0})
    (repository / "tests" / "mutation" / "equivalents.toml").write_text(
        '[[equivalent]]\nmutant = "x"\nchange = "y"\n', encoding="utf-8"
    )
    done = script(repository, "--work", str(work), "report")
    assert done.returncode != 0
    assert "needs `mutant`, `change` and a one-line `reason`" in done.stderr


def test_a_partial_run_counts_mutants_not_checked_apart_and_meets_no_target(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": None, "2": 1, "3": 36})  # not checked yet, killed, timed out
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "report", "--markdown")
    assert done.returncode == 1, "an incomplete run meets no target"
    lines = done.stdout.splitlines()
    assert lines[2] == "| poller/windowing.py | 3 | 0 | 1 | 1 | 0 | 0 | 0 | 1 | 100.0% |"
    assert lines[3].startswith("| **poller core** (INCOMPLETE: target ≥ 90%) |")
    assert "Surviving" not in done.stdout


def order_run(folder: Path) -> list[str]:
    """The tests of FOLDER/test_order.py in the order pytest ran them with the mutation runs' plugin."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_profile", "-p", "no:cacheprovider", "-v", "test_order.py"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(SCRIPT.parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [line.split("::")[1].split()[0] for line in done.stdout.splitlines() if line.startswith("test_order.py::")]


def test_a_mutants_tests_run_fastest_first_by_the_durations_mutmut_recorded(tmp_path: Path) -> None:
    # mutmut stops a mutant's run at the first failure (-x): a slow test first would cost its whole duration.
    (tmp_path / "test_order.py").write_text(
        "def test_slow(): pass\ndef test_unknown(): pass\ndef test_fast(): pass\ndef test_middle(): pass\n",
        encoding="utf-8",
    )
    durations = {"test_order.py::test_slow": 9.0, "test_order.py::test_fast": 0.01, "test_order.py::test_middle": 1.0}
    (tmp_path / "mutmut-stats.json").write_text(json.dumps({"duration_by_test": durations}), encoding="utf-8")
    ran = order_run(tmp_path)
    assert ran == ["test_fast", "test_middle", "test_slow", "test_unknown"]


def test_without_recorded_durations_the_tests_keep_their_order(tmp_path: Path) -> None:
    (tmp_path / "test_order.py").write_text("def test_b(): pass\ndef test_a(): pass\n", encoding="utf-8")
    (tmp_path / "mutmut-stats.json").write_text("not json", encoding="utf-8")
    ran = order_run(tmp_path)
    assert ran == ["test_b", "test_a"]


def test_a_run_tests_what_is_left_skipping_listed_equivalents_that_still_make_their_change(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": None, "2": None, "3": None, "4": None})
    # Nothing decided, nothing listed: the whole function at once.
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "pending")
    assert done.stdout.splitlines() == ["cwmock.poller.windowing.x_window_bounds__mutmut_*"], done.stderr
    equivalent(repository, 2, "return a < b → return a > b")
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "pending")
    assert done.stdout.splitlines() == [f"cwmock.poller.windowing.x_window_bounds__mutmut_{n}" for n in (1, 3, 4)]
    # Listed with a change the mutant no longer makes (renumbered): it is tested again.
    equivalent(repository, 2, "return a < b → return a <= b")
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "pending")
    assert done.stdout.splitlines() == ["cwmock.poller.windowing.x_window_bounds__mutmut_*"]


def test_a_run_leaves_decided_mutants_alone(repository: Path) -> None:
    work = repository / "work"
    mutated_module(work, {"1": 1, "2": None, "3": 0, "4": 37})
    done = script(repository, "--work", str(work), "--module", "poller/windowing.py", "pending")
    assert done.stdout.splitlines() == ["cwmock.poller.windowing.x_window_bounds__mutmut_2"]


def test_named_mutants_are_run_alone_never_with_changed_or_survivors(repository: Path) -> None:
    """`run NAME...` tests only the named mutants (a triage's new test, checked on what it is meant to kill)."""
    name = "cwmock.poller.windowing.x_window_bounds__mutmut_1"
    for mode in ("--changed", "--survivors"):
        done = script(repository, "--work", str(repository / "work"), "run", mode, name)
        assert done.returncode == 2
        assert "name mutants, or pass --changed or --survivors, not both" in done.stderr
