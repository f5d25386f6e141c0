"""Which requests a fault hits: a path pattern, a method, an emulated time span, and a count window or probability."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cwmock.core.timestamps import iso_z
from cwmock.core.validation import LinearRegex, check_glob


@dataclass(frozen=True)
class PathPattern:
    """A glob (`fnmatch`: `*` matches any run of characters, `/` included) or a regex matched on the whole path.

    A regex is RE2 syntax, matched in linear time (docs/limits.md#patterns); InputError when it is refused.
    """

    text: str = "*"
    regex: bool = False
    _linear: LinearRegex | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Checked (and compiled) when the fault is added, not on the first request.
        if self.regex:
            object.__setattr__(self, "_linear", LinearRegex("pathRegex", self.text))
        else:
            check_glob("path", self.text)

    def matches(self, path: str) -> bool:
        """True when `path` (the URL path, no query) matches."""
        if self._linear is not None:
            return self._linear.fullmatch(path)
        return fnmatch.fnmatchcase(path, self.text)

    @classmethod
    def of(cls, path: str = "*", path_regex: str | None = None) -> PathPattern:
        """The regex when one is given, else the glob."""
        return cls(path_regex, regex=True) if path_regex is not None else cls(path)

    def to_json(self) -> dict[str, str]:
        """`{"path": glob}` or `{"pathRegex": regex}`."""
        return {"pathRegex": self.text} if self.regex else {"path": self.text}


@dataclass
class FaultScope:
    """Matching requests are counted; skip the first `after`, then fire on the next `times` (all when None).

    With `starts` and/or `ends` (emulated instants), only requests served while the emulator's clock is in
    `[starts, ends)` match: a fault scheduled for later counts nothing until then.

    With a `probability`, each counted request past `after` fires with that chance, drawn from a
    `random.Random(seed)` owned by this scope: the same seed over the same requests gives the same hits.
    """

    pattern: PathPattern = field(default_factory=PathPattern)
    method: str | None = None
    times: int | None = None
    after: int = 0
    probability: float | None = None
    seed: int = 0
    starts: datetime | None = None
    ends: datetime | None = None
    matched: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.method is not None:
            self.method = self.method.upper()
        if self.times is not None and self.times < 0:
            raise ValueError(f"times must be zero or more, got {self.times}")
        if self.after < 0:
            raise ValueError(f"after must be zero or more, got {self.after}")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError(f"probability must be between 0 and 1, got {self.probability}")
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValueError(f"until ({iso_z(self.ends)}) must be after from ({iso_z(self.starts)})")
        self._random = random.Random(self.seed)

    @property
    def timed(self) -> bool:
        """True when the scope matches only within an emulated time span."""
        return self.starts is not None or self.ends is not None

    def matches(self, method: str, path: str, now: datetime | None = None) -> bool:
        """True when the request's method, path and emulated instant are in scope (counting nothing).

        A timed scope never matches without `now` (a transport that cannot tell the time must not fire it early).
        """
        if self.timed and (
            now is None
            or (self.starts is not None and now < self.starts)
            or (self.ends is not None and now >= self.ends)
        ):
            return False
        return (self.method is None or self.method == method.upper()) and self.pattern.matches(path)

    @property
    def exhausted(self) -> bool:
        """True once the fault has fired `times` times."""
        return self.times is not None and self.fired >= self.times

    def hit(self) -> bool:
        """Count one matching request; True when the fault fires on it."""
        self.matched += 1
        if self.matched <= self.after or self.exhausted:
            return False
        if self.probability is not None and self._random.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def to_json(self) -> dict[str, Any]:
        """The scope and its counters, as the admin API lists them."""
        return {
            **self.pattern.to_json(),
            "method": self.method,
            "times": self.times,
            "after": self.after,
            "probability": self.probability,
            "seed": self.seed,
            "from": None if self.starts is None else iso_z(self.starts),
            "until": None if self.ends is None else iso_z(self.ends),
            "matched": self.matched,
            "fired": self.fired,
        }
