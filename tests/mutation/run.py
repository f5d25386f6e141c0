"""Mutation testing of the reference poller's exactly-once core and of the oracle, with mutmut 3 (`tox -e mutation`).

mutmut names a mutant after the path of its module and switches it on only where the running function's
`__module__` matches. cwmock's folders install under `cwmock.*` (pyproject.toml maps `poller/` to `cwmock.poller`),
so a mutant of `poller/windowing.py` would be called `poller.windowing...` while the code runs as
`cwmock.poller.windowing`: no mutant would ever be switched on, and every one would survive. So this script stages
the checkout as it installs (`cwmock/` with `emulator/`, `poller/`, `contract_tests/` and `fixtures/` inside it,
`tests/` beside it, and a pyproject.toml with the [tool.mutmut] settings below) and runs mutmut there.

    python tests/mutation/run.py [--area poller|oracle] [--module PATH] run [--changed [--base main] | --survivors
                                                                           | --recheck-equivalents]
    python tests/mutation/run.py run NAME...              # only these mutants (names or globs)
    python tests/mutation/run.py report [--markdown]      # the per-module table of what the last runs found
    python tests/mutation/run.py changed [--base main]    # the mutant names --changed would run
    python tests/mutation/run.py pending                  # the mutant names a plain run would test next
    python tests/mutation/run.py show NAME                # a mutant's diff
    python tests/mutation/run.py stage                    # only build the staged tree

Only the tests that call a mutated function run for its mutants (mutmut records which tests reach which function),
each mutant with a timeout of (those tests' duration + 10 s) x 4 of wall time. Results are kept in the work
directory (default `.tox/mutation-work`), so a second run re-tests only the functions that changed. A mutant listed in
tests/mutation/equivalents.toml that still makes its recorded change is not tested (`--recheck-equivalents` tests it):
it would survive, and a survivor costs every test that reaches its function.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import filecmp
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CHECKOUT = Path(__file__).resolve().parents[2]
DEFAULT_WORK = CHECKOUT / ".tox" / "mutation-work"
HOME = CHECKOUT / "tests" / "mutation"
EQUIVALENTS = HOME / "equivalents.toml"
# The checkout's folders as they install (pyproject.toml [tool.setuptools.package-dir]); `cwmock/` is the root.
INSTALLED_AS = {"cwmock": "cwmock", "emulator": "cwmock/emulator", "poller": "cwmock/poller"}
INSTALLED_AS |= {"contract_tests": "cwmock/contract_tests", "fixtures": "cwmock/fixtures"}
POLLER, ORACLE = "poller core", "oracle + format"
TARGET_RATE = {POLLER: 0.90, ORACLE: 0.95}


@dataclass(frozen=True)
class Target:
    """A module to mutate, in the checkout's layout, and the functions of it to mutate (all when empty)."""

    area: str
    path: str
    functions: tuple[str, ...] = ()

    @property
    def staged(self) -> str:
        """Where the module is in the staged tree, e.g. `cwmock/poller/windowing.py`."""
        top, _, rest = self.path.partition("/")
        return f"{INSTALLED_AS[top]}/{rest}"

    @property
    def module(self) -> str:
        """Its import name, e.g. `cwmock.poller.windowing`."""
        return self.staged.removesuffix(".py").replace("/", ".")


TARGETS = (
    Target(POLLER, "poller/windowing.py"),
    Target(POLLER, "poller/classification.py"),
    Target(POLLER, "poller/engine.py", ("PollerEngine._select", "PollerEngine._commit")),
    Target(POLLER, "poller/notifications.py"),
    Target(POLLER, "poller/delivery.py"),
    Target(POLLER, "poller/state.py"),
    *(
        Target(ORACLE, f"contract_tests/oracle/{name}.py")
        for name in ("config", "deliveries", "inputs", "judge", "liveness", "notification_format", "verdict", "windows")
    ),
)
# What kills the mutants: the poller's unit and in-process end-to-end tests and the contract scenarios (in-process
# reference poller), the oracle's clause tests, the harness's tests and the stateful test's in-process meta-tests.
# Left out: tests that only run pollers in other processes (the zoo, --poller-cmd runs), which mutmut cannot map to
# the functions they exercise, the stateful property test itself (a minute a mutant), and the check that the docs'
# rule table matches the oracle's rules (it reads docs/, which is not staged, and no target's mutant can change it),
# and the check that the oracle imports nothing from the poller (it parses the modules' source, which in the staged
# tree holds every mutant's copy: two seconds a mutant, and no mutant changes an import).
TEST_SELECTION = (
    "tests/poller",
    "cwmock/contract_tests/scenarios",
    "tests/contract_tests/oracle",
    "tests/contract_tests/harness",
    "tests/contract_tests/stateful",
)
DESELECT = ("external", "poller_cmd", "test_cli", "docs_rule_table", "imports_nothing_from_the_poller")
PROFILE = HOME / "pytest_profile.py"
MUTMUT_SETTINGS = {
    "source_paths": ["cwmock"],
    "also_copy": [PROFILE.name],
    "pytest_add_cli_args": ["-p", "no:xdist", "-p", PROFILE.stem, "-k", " and ".join(f"not {w}" for w in DESELECT)],
    "timeout_multiplier": 4.0,
    "timeout_constant": 10.0,
}
# A mutant `mypy --strict` rejects could never pass `tox -e type`: mutmut marks it caught without running a test.
# The copies mutmut makes of each function repeat its annotated attributes, hence no-redef; and its trampolines
# carry `type: ignore`s that mypy may find unused.
TYPE_CHECK = ["mypy", "--strict", "--no-warn-unused-ignores", "--disable-error-code", "no-redef", "-O", "json"]


def mangled(function: str) -> str:
    """mutmut's name for a function (`x_name`) or a method (`xǁClassǁname`)."""
    cls, _, name = function.rpartition(".")
    return f"xǁ{cls}ǁ{name}" if cls else f"x_{name}"


def mutant_glob(target: Target, function: str) -> str:
    """The names of the mutants of one function, as `mutmut run` takes them."""
    return f"{target.module}.{mangled(function)}__mutmut_*"


def chosen(areas: Sequence[str], modules: Sequence[str]) -> list[Target]:
    """The targets of the given areas (all when none), narrowed to the given module paths (all when none)."""
    found = [t for t in TARGETS if (not areas or t.area in areas) and (not modules or t.path in modules)]
    if not found:
        raise SystemExit(f"nothing to mutate for areas {list(areas)} and modules {list(modules)}")
    return found


# -- the staged tree ---------------------------------------------------------------------------------------------


def _copy_tree(source: Path, destination: Path, skip: Iterable[str] = ()) -> None:
    """Mirror `source` into `destination`, copying only files that changed, so a later run re-tests only what changed
    (mutmut compares mtimes and function hashes); top-level names in `skip` are left alone on both sides."""
    skipped = set(skip)
    wanted = set()
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if "__pycache__" in path.parts or path.is_dir() or relative.parts[0] in skipped:
            continue
        wanted.add(relative)
        target = destination / relative
        if not target.exists() or not filecmp.cmp(path, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    for path in list(destination.rglob("*")):
        relative = path.relative_to(destination)
        kept = "__pycache__" in path.parts or relative.parts[0] in skipped or relative in wanted
        if path.is_file() and not kept:
            path.unlink()


def mutmut_settings() -> str:
    """The [tool.mutmut] table for the staged pyproject.toml: always every target, whatever this run tests (mutmut
    copies a file it does not mutate over its mutated copy, with a newer mtime, and would then take that copy for
    an already mutated one)."""
    staged = sorted({t.staged for t in TARGETS})
    settings: dict[str, object] = {
        **MUTMUT_SETTINGS,
        "only_mutate": staged,
        "type_check_command": [*TYPE_CHECK, *staged],
        "pytest_add_cli_args_test_selection": list(TEST_SELECTION),
    }
    lines = ["", "[tool.mutmut]"] + [
        f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in settings.items()
    ]
    return "\n".join(lines) + "\n"


def stage(work: Path) -> Path:
    """Build (or bring up to date) the staged tree in `work/stage`; returns it."""
    root = work / "stage"
    inside = [staged.partition("/")[2] for staged in INSTALLED_AS.values() if "/" in staged]
    for top, staged in INSTALLED_AS.items():
        _copy_tree(CHECKOUT / top, root / staged, skip=inside if top == "cwmock" else ())
    _copy_tree(CHECKOUT / "tests", root / "tests")
    if not (root / PROFILE.name).exists() or not filecmp.cmp(PROFILE, root / PROFILE.name, shallow=False):
        shutil.copy2(PROFILE, root / PROFILE.name)
    pyproject = (CHECKOUT / "pyproject.toml").read_text(encoding="utf-8") + mutmut_settings()
    destination = root / "pyproject.toml"
    if not destination.exists() or destination.read_text(encoding="utf-8") != pyproject:
        destination.write_text(pyproject, encoding="utf-8")
    return root


# -- changed code ---------------------------------------------------------------------------------------------------


def changed_lines(base: str, path: str) -> set[int]:
    """Lines of `path` (in the working tree) that differ from `base`."""
    diff = subprocess.run(
        ["git", "diff", "--unified=0", base, "--", path], cwd=CHECKOUT, capture_output=True, text=True, check=True
    ).stdout
    lines: set[int] = set()
    for start, count in re.findall(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", diff, re.MULTILINE):
        first, span = int(start), 1 if count == "" else int(count)
        lines.update(range(first, first + span))
    return lines


def functions_at(source: str, lines: Iterable[int]) -> set[str]:
    """The functions (`name`) and methods (`Class.name`) whose definitions span any of `lines`."""
    wanted = set(lines)
    found: set[str] = set()

    def visit(node: ast.AST, owner: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                if wanted & set(range(first, (child.end_lineno or child.lineno) + 1)):
                    found.add(f"{owner}.{child.name}" if owner else child.name)
            elif isinstance(child, ast.ClassDef) and not owner:
                visit(child, child.name)

    visit(ast.parse(source), "")
    return found


def changed_globs(base: str, targets: Sequence[Target]) -> list[str]:
    """Mutant names of the functions of `targets` that changed since `base`."""
    globs = []
    for target in targets:
        lines = changed_lines(base, target.path)
        if not lines:
            continue
        functions = functions_at((CHECKOUT / target.path).read_text(encoding="utf-8"), lines)
        if target.functions:
            functions &= set(target.functions)
        globs += [mutant_glob(target, f) for f in sorted(functions)]
    return globs


# -- results ------------------------------------------------------------------------------------------------------

STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 36: "timeout", -24: "timeout", 24: "timeout"}
STATUS_BY_EXIT_CODE |= {152: "timeout", 255: "timeout", 5: "no tests", 33: "no tests", 37: "mypy"}


COLUMNS = ("mutants", "mypy", "killed", "timed out", "survived", "equivalent", "no tests", "not checked")


@dataclass
class Tally:
    """What the mutants of one module came to (`mypy`: rejected by `mypy --strict` before any test ran)."""

    mutants: int = 0
    mypy: int = 0
    killed: int = 0
    timeout: int = 0
    survived: int = 0
    equivalent: int = 0
    no_tests: int = 0
    not_checked: int = 0

    @property
    def tested(self) -> int:
        """Mutants the tests judged: all but those mypy rejected, the equivalent ones and those not run yet."""
        return self.mutants - self.mypy - self.equivalent - self.not_checked

    @property
    def rate(self) -> float:
        """Killed or timed out by the tests, over the mutants they judged (a partial run shows `not checked`)."""
        return (self.killed + self.timeout) / self.tested if self.tested else 1.0

    def add(self, other: Tally) -> None:
        """Sum another tally into this one."""
        for name in ("mutants", "mypy", "killed", "timeout", "survived", "equivalent", "no_tests", "not_checked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def cells(self) -> tuple[str, ...]:
        """The table's cells for it."""
        counts = (self.mutants, self.mypy, self.killed, self.timeout, self.survived, self.equivalent, self.no_tests)
        return (*(str(n) for n in (*counts, self.not_checked)), f"{self.rate:.1%}")


@dataclass(frozen=True)
class Equivalent:
    """A mutant listed as equivalent: what it changes (so a renumbered mutant is noticed) and why it cannot be told
    apart from the original."""

    mutant: str
    change: str
    reason: str


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, Equivalent]:
    """Mutant name -> its entry in tests/mutation/equivalents.toml."""
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    found: dict[str, Equivalent] = {}
    for entry in data.get("equivalent", []):
        fields = [entry.get(key) for key in ("mutant", "change", "reason")]
        if not all(isinstance(value, str) and value.strip() for value in fields):
            raise SystemExit(f"{path}: every [[equivalent]] needs `mutant`, `change` and a one-line `reason`: {entry}")
        equivalent = Equivalent(*(str(value) for value in fields))
        found[equivalent.mutant] = equivalent
    return found


@functools.lru_cache(maxsize=32)
def _function_sources(path: Path, mtime_ns: int) -> dict[str, list[str]]:
    """Every function of a mutated module by name, from its `def` line (a default value may be what changed), with
    its name replaced by `f` so that copies compare equal; parsed once per version of the file (`mtime_ns`), not
    once per mutant: a mutated module holds thousands of copies."""
    del mtime_ns  # only part of the cache key
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    return {
        node.name: [line.replace(node.name, "f") for line in lines[node.lineno - 1 : node.end_lineno]]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def mutant_change(work: Path, target: Target, name: str) -> str:
    """What a mutant changes, e.g. `if field is not None` → `if field is None`, read from mutmut's mutated module."""
    path = work / "stage" / "mutants" / target.staged
    functions = _function_sources(path, path.stat().st_mtime_ns)
    mutant = name.rpartition(".")[2]
    original = mutant.partition("__mutmut_")[0] + "__mutmut_orig"
    bodies = {key: functions[key] for key in (mutant, original) if key in functions}
    if set(bodies) != {mutant, original}:
        return "(not found in the mutated module)"
    diff = difflib.ndiff(bodies[original], bodies[mutant])
    removed = [line[2:].strip() for line in diff if line.startswith("- ")]
    added = [line[2:].strip() for line in difflib.ndiff(bodies[original], bodies[mutant]) if line.startswith("+ ")]
    return " / ".join(removed) + " → " + " / ".join(added)


def in_scope(target: Target, name: str) -> bool:
    """True when the mutant `name` is of a function the target mutates."""
    return not target.functions or any(
        name.startswith(f"{target.module}.{mangled(f)}__mutmut_") for f in target.functions
    )


def results(work: Path, targets: Sequence[Target]) -> dict[str, dict[str, str]]:
    """Per module path: mutant name -> status, from the .meta files mutmut keeps in the staged tree."""
    found: dict[str, dict[str, str]] = {}
    for target in targets:
        meta = work / "stage" / "mutants" / f"{target.staged}.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found[target.path] = {
            name: "not checked" if code is None else STATUS_BY_EXIT_CODE.get(code, f"exit {code}")
            for name, code in sorted(codes.items())
            if in_scope(target, name)
        }
    return found


def tally(statuses: dict[str, str], equivalents: Mapping[str, object]) -> Tally:
    """Count one module's mutants; a listed equivalent counts as equivalent whatever mutmut said. A mutant not
    checked yet, or with a status of its own, counts against the rate like a survivor."""
    counts = Counter("equivalent" if name in equivalents else status for name, status in statuses.items())
    return Tally(
        mutants=len(statuses),
        mypy=counts["mypy"],
        killed=counts["killed"],
        timeout=counts["timeout"],
        survived=counts["survived"],
        equivalent=counts["equivalent"],
        no_tests=counts["no tests"],
        not_checked=counts["not checked"],
    )


# What a mutant left like this asks of whoever reads the report: a test, or an entry in tests/mutation/equivalents.toml.
UNTRIAGED = ("survived", "no tests", "not checked")


def report(work: Path, targets: Sequence[Target], *, markdown: bool) -> tuple[str, bool]:
    """The per-module table and each area's kill rate against its target, then every surviving mutant with its
    change; and whether every target is met with no survivor left untriaged."""
    found = results(work, targets)
    equivalents, stale = checked_equivalents(work, targets, found)
    header = ("module", *COLUMNS, "kill rate")
    rows: list[tuple[str, ...]] = []
    met = True
    for area in dict.fromkeys(t.area for t in targets):
        total = Tally()
        for target in (t for t in targets if t.area == area and t.path in found):
            counts = tally(found[target.path], equivalents)
            total.add(counts)
            name = target.path + (f" ({', '.join(target.functions)})" if target.functions else "")
            rows.append((name, *counts.cells()))
        ok = total.rate >= TARGET_RATE[area] and not total.not_checked
        met &= ok
        outcome = "met" if ok else ("INCOMPLETE" if total.not_checked else "MISSED")
        verdict = f"{outcome}: target ≥ {TARGET_RATE[area]:.0%}"
        rows.append((f"**{area}** ({verdict})", *total.cells()))
    survivors = [
        f"  {name}{' (no test reaches it)' if status == 'no tests' else ''}: {mutant_change(work, target, name)}"
        for target in targets
        for name, status in found.get(target.path, {}).items()
        if status in UNTRIAGED and status != "not checked" and name not in equivalents
    ]
    table = _markdown(header, rows) if markdown else _plain(header, rows)
    if survivors:
        table += "\n\nSurviving mutants (kill each with a test, or list it in tests/mutation/equivalents.toml):\n"
        table += "\n".join(survivors)
    if stale:
        table += "\n\nListed as equivalent, but the mutant now changes something else (renumbered?):\n"
        table += "\n".join(stale)
    return table, met and not survivors and not stale


def checked_equivalents(
    work: Path, targets: Sequence[Target], found: dict[str, dict[str, str]]
) -> tuple[dict[str, Equivalent], list[str]]:
    """The listed equivalents whose mutant still makes the recorded change; and a line for each that does not."""
    listed = load_equivalents()
    valid: dict[str, Equivalent] = {}
    stale: list[str] = []
    for target in targets:
        for name in found.get(target.path, {}):
            if name in listed:
                now = mutant_change(work, target, name)
                if now == listed[name].change:
                    valid[name] = listed[name]
                else:
                    stale.append(f"  {name}: listed {listed[name].change!r}, now {now!r}")
    return valid, stale


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _plain(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    plain_rows = [[cell.replace("**", "") for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in plain_rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in plain_rows
    )


# -- running mutmut -------------------------------------------------------------------------------------------------


def mutmut(root: Path, *arguments: str) -> int:
    """Run `mutmut ARGUMENTS` in the staged tree; its exit status."""
    return subprocess.run(["mutmut", *arguments], cwd=root, env=_mutmut_environment(), check=False).returncode


def _mutmut_environment() -> dict[str, str]:
    if shutil.which("mutmut") is None:
        raise SystemExit("mutmut is not installed: run `tox -e mutation`, or `pip install mutmut==3.8.1`")
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


# A name no mutant has: `mutmut run` with it generates the mutants (and type-checks them), then stops, having
# nothing to test; tests/mutation/run.py then reads which mutants are still to test.
GENERATE_ONLY = "cwmock.no_such_module.x_none__mutmut_0"


def pending(work: Path, targets: Sequence[Target], *, recheck_equivalents: bool) -> list[str]:
    """The mutants of `targets` a run has left to test, as names for `mutmut run`: one glob for a function none of
    whose mutants is decided or skipped, else each mutant's name (mutmut re-tests every mutant it is named, decided
    or not). A listed equivalent that still makes its recorded change is skipped unless `recheck_equivalents`: its
    survival is known, and a survivor costs every test that reaches its function."""
    found = results(work, targets)
    skipped = {} if recheck_equivalents else checked_equivalents(work, targets, found)[0]
    names: list[str] = []
    for statuses in found.values():
        by_function: dict[str, list[str]] = {}
        for name in statuses:
            by_function.setdefault(name.partition("__mutmut_")[0], []).append(name)
        for function, mutants in by_function.items():
            left = [n for n in mutants if statuses[n] == "not checked" and n not in skipped]
            names += [f"{function}__mutmut_*"] if len(left) == len(mutants) else left
    return names


def run(
    work: Path, targets: Sequence[Target], names: Sequence[str], max_children: int, *, recheck_equivalents: bool
) -> int:
    """Stage, mutate and test `names` (when empty: every mutant of the targets not tested yet, listed equivalents
    aside unless `recheck_equivalents`), then print the report; non-zero when mutmut failed, a kill-rate target is
    missed, or a surviving mutant is not triaged."""
    root = stage(work)
    if not names:
        generated = subprocess.run(
            ["mutmut", "run", GENERATE_ONLY],
            cwd=root,
            env=_mutmut_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        names = pending(work, targets, recheck_equivalents=recheck_equivalents)
        if not results(work, targets):
            print(generated.stdout[-4000:] + generated.stderr[-4000:], file=sys.stderr)
            raise SystemExit("mutmut generated no mutants (its output is above)")
    status = mutmut(root, "run", "--max-children", str(max_children), *names) if names else 0
    table, met = report(work, targets, markdown=False)
    print(table)
    return status or (0 if met else 1)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and do what it says."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where the staged tree and results live")
    parser.add_argument("--area", action="append", choices=(POLLER, ORACLE, "poller", "oracle"), default=[])
    parser.add_argument("--module", action="append", default=[], help="a target's path, e.g. poller/state.py")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="mutate and test (everything, or --changed)")
    run_parser.add_argument("--changed", action="store_true", help="only functions changed since --base")
    run_parser.add_argument("--base", default="main", help="the git revision --changed compares with")
    run_parser.add_argument("--survivors", action="store_true", help="only mutants that survived the last runs")
    run_parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    run_parser.add_argument(
        "--recheck-equivalents", action="store_true", help="test the listed equivalents too (skipped by default)"
    )
    run_parser.add_argument("names", nargs="*", help="only these mutants (names or globs, as `report` prints them)")
    report_parser = commands.add_parser("report", help="the per-module table of the results so far")
    report_parser.add_argument("--markdown", action="store_true", help="as a Markdown table, for the docs")
    commands.add_parser("pending", help="the mutant names a plain `run` would test next, from the last generation")
    changed_parser = commands.add_parser("changed", help="the mutant names `run --changed` would test")
    changed_parser.add_argument("--base", default="main")
    show_parser = commands.add_parser("show", help="a mutant's diff")
    show_parser.add_argument("name")
    commands.add_parser("stage", help="only stage the tree mutmut runs in, and print where it is")
    args = parser.parse_args(argv)
    areas = [{"poller": POLLER, "oracle": ORACLE}.get(a, a) for a in args.area]
    targets = chosen(areas, args.module)
    if args.command == "report":
        table, met = report(args.work, targets, markdown=args.markdown)
        print(table)
        return 0 if met else 1
    if args.command == "pending":
        print("\n".join(pending(args.work, targets, recheck_equivalents=False)))
        return 0
    if args.command == "show":
        return mutmut(stage(args.work), "show", args.name)
    if args.command == "stage":
        print(stage(args.work))
        return 0
    if args.command == "run" and args.names:
        if args.changed or args.survivors:
            parser.error("name mutants, or pass --changed or --survivors, not both")
        return run(args.work, targets, args.names, args.max_children, recheck_equivalents=True)
    if args.command == "run" and args.survivors:
        equivalents = load_equivalents()
        left = [
            name
            for statuses in results(args.work, targets).values()
            for name, status in statuses.items()
            if status in ("survived", "no tests") and name not in equivalents  # not "not checked": that is a full run
        ]
        if not left:
            print("no untriaged survivor to run again")
            return 0
        # mutmut refreshes its map of which tests reach which function only for tests that changed: a test that did
        # not change but now reaches a function a refactor created is missing from it, and that function's mutants
        # survive untested by it. A re-run of survivors checks a triage, so it maps every test afresh (a minute or two).
        (args.work / "stage" / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        return run(args.work, targets, left, args.max_children, recheck_equivalents=True)
    if args.command == "changed" or args.changed:
        globs = changed_globs(args.base, targets)
        if args.command == "changed":
            print("\n".join(globs))
            return 0
        if not globs:
            print(f"no function in the mutation targets changed since {args.base}")
            return 0
        return run(args.work, targets, globs, args.max_children, recheck_equivalents=True)
    return run(args.work, targets, [], args.max_children, recheck_equivalents=args.recheck_equivalents)


if __name__ == "__main__":
    sys.exit(main())
