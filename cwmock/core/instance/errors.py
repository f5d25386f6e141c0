"""Validation problems in an instance JSON: each names its key path; all are reported together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with one key, e.g. `/configuration/event.poller.refresh_interval`: not a number."""

    path: Path
    problem: str

    @property
    def pointer(self) -> str:
        """The key path as a JSON Pointer (RFC 6901), e.g. `/configuration/event.poller.refresh_interval`."""
        return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.path)

    def __str__(self) -> str:
        return f"{self.pointer}: {self.problem}"


class InstanceConfigError(ValueError):
    """The instance JSON was refused; `problems` lists every offending key with what is wrong with it."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"the instance JSON has {count} problem{'s' if count != 1 else ''}:\n{lines}")


class Problems:
    """Collects problems while a whole body is checked, so the user sees all of them at once."""

    def __init__(self) -> None:
        self._problems: list[ConfigProblem] = []

    def add(self, path: Path, problem: str) -> None:
        """Record that the key at `path` has `problem`."""
        self._problems.append(ConfigProblem(path, problem))

    def has(self, path: Path) -> bool:
        """Whether a problem was already recorded for exactly `path`."""
        return any(problem.path == path for problem in self._problems)

    def has_under(self, prefix: Path) -> bool:
        """Whether a problem was recorded for `prefix` or any key below it."""
        return any(problem.path[: len(prefix)] == prefix for problem in self._problems)

    def raise_if_any(self) -> None:
        """Raise InstanceConfigError with everything collected, if anything was."""
        if self._problems:
            raise InstanceConfigError(self._problems)
