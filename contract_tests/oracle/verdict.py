"""The oracle's verdict: findings with their evidence, and a report a QA engineer reads at a glance."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from cwmock.contract_tests.oracle.inputs import VersionKey, format_second


class FindingKind(str, enum.Enum):
    """What went wrong with one version, one notification, or one window the poller ran."""

    CRASHED = "crashed"
    """A window the poller did not finish (non-zero exit, killed at the timeout, protocol error, exception) and the
    suite did not make it crash."""
    UNSETTLED = "unsettled"
    """The settle ran no window that was clean and complete, so nothing shows the poller caught up."""
    MISSING = "missing"
    """A required version no delivery carried."""
    DUPLICATED = "duplicated"
    """A version in two or more deliveries (or twice in one notification)."""
    FABRICATED = "fabricated"
    """An event for an (objectId, stamp) never served to this instance's token."""
    MALFORMED = "malformed"
    """A notification that breaks the format (schema, eventType, pollDate, ids, signature, resend bytes)."""
    PARKED = "parked"
    """A required version whose only delivery was refused on every attempt before the settle (not a failure)."""
    EARLY = "early"
    """An event stamped at or before s₀, the instance's createdDate."""

    @property
    def fails(self) -> bool:
        """True for every kind except PARKED, which is the receiver's doing, not the target's."""
        return self is not FindingKind.PARKED


@dataclass(frozen=True)
class Finding:
    """One finding: its kind, the version (None for a notification-level problem) and the evidence."""

    kind: FindingKind
    version: VersionKey | None
    evidence: tuple[str, ...]
    windows: tuple[int, ...] = ()
    webhook_ids: tuple[str, ...] = ()
    notification_ids: tuple[str, ...] = ()
    output: tuple[str, ...] = ()
    """For CRASHED: the last lines the poller printed on stderr (or its traceback)."""
    policy: bool = False
    """True when the finding rests only on cwmock policy (cwmock.contract_tests.oracle.rules)."""
    judged: bool = True
    """False for a policy finding when the judge was not asked to hold the poller to cwmock policy."""

    @property
    def fails(self) -> bool:
        """True when it fails the target: its kind fails, and policy findings only when policy was judged."""
        return self.kind.fails and self.judged

    @property
    def subject(self) -> str:
        """The version, the window(s) for CRASHED and UNSETTLED, or the notification (always for MALFORMED)."""
        if self.kind is FindingKind.CRASHED:
            return "window " + ", ".join(map(str, self.windows))
        if self.kind is FindingKind.UNSETTLED:
            return "settle"
        if self.version is not None and self.kind is not FindingKind.MALFORMED:
            return str(self.version)
        ids = ", ".join(self.notification_ids) or "without id"
        hooks = ", ".join(self.webhook_ids) or "none"
        return f"notification {ids} (webhook id {hooks})"

    def lines(self) -> list[str]:
        """`KIND subject: evidence` — one line, or a headline and one indented line per problem (or output line)."""
        head = f"{self.kind.name} {self.subject}"
        if self.policy:
            head = ("" if self.judged else "(not judged) ") + head + " [cwmock policy]"
        if self.kind is FindingKind.MALFORMED:
            return [f"{head}:", *(f"    - {item}" for item in self.evidence)]
        end = ":" if self.output else "."
        return [f"{head}: " + "; ".join(self.evidence) + end, *(f"    | {line}" for line in self.output)]


@dataclass(frozen=True)
class Verdict:
    """The judgement on one instance: findings, whether the inputs sufficed, and a summary of what was judged."""

    instance_id: int
    findings: tuple[Finding, ...]
    inconclusive_reasons: tuple[str, ...]
    created: datetime
    windows: tuple[str, ...]
    required: int
    deliveries: int
    arrivals: int
    judge_policy: bool = True
    """True when findings that rest only on cwmock policy fail the target too."""

    @property
    def inconclusive(self) -> bool:
        """True when the inputs cannot decide the verdict (it is then never a pass)."""
        return bool(self.inconclusive_reasons)

    @property
    def failures(self) -> tuple[Finding, ...]:
        """The findings that fail the target (all but PARKED, and policy findings when policy was not judged)."""
        return tuple(f for f in self.findings if f.fails)

    @property
    def passed(self) -> bool:
        """Every record produced exactly one correctly formatted event, as far as the inputs can decide."""
        return not self.failures and not self.inconclusive

    def of_kind(self, kind: FindingKind) -> tuple[Finding, ...]:
        """The findings of one kind."""
        return tuple(f for f in self.findings if f.kind is kind)

    @property
    def missing(self) -> tuple[Finding, ...]:
        """MISSING findings."""
        return self.of_kind(FindingKind.MISSING)

    @property
    def duplicated(self) -> tuple[Finding, ...]:
        """DUPLICATED findings."""
        return self.of_kind(FindingKind.DUPLICATED)

    @property
    def fabricated(self) -> tuple[Finding, ...]:
        """FABRICATED findings."""
        return self.of_kind(FindingKind.FABRICATED)

    @property
    def malformed(self) -> tuple[Finding, ...]:
        """MALFORMED findings."""
        return self.of_kind(FindingKind.MALFORMED)

    @property
    def parked(self) -> tuple[Finding, ...]:
        """PARKED findings."""
        return self.of_kind(FindingKind.PARKED)

    @property
    def early(self) -> tuple[Finding, ...]:
        """EARLY findings."""
        return self.of_kind(FindingKind.EARLY)

    @property
    def crashed(self) -> tuple[Finding, ...]:
        """CRASHED findings."""
        return self.of_kind(FindingKind.CRASHED)

    @property
    def unsettled(self) -> tuple[Finding, ...]:
        """UNSETTLED findings."""
        return self.of_kind(FindingKind.UNSETTLED)

    def headline(self) -> str:
        """PASS, FAIL or INCONCLUSIVE with the counts."""
        outcome = "PASS" if self.passed else ("INCONCLUSIVE" if self.inconclusive and not self.failures else "FAIL")
        counts = [f"{len(self.of_kind(k))} {k.value}" for k in FindingKind if self.of_kind(k)]
        judged = (
            f"{self.required} required version(s), {self.deliveries} delivery(ies) from {self.arrivals} "
            f"arrival(s), {len(self.windows)} window(s)"
        )
        return f"{outcome} instance {self.instance_id}: " + (", ".join(counts) + "; " if counts else "") + judged

    def report(self) -> str:
        """A multi-line text: the outcome, why it is inconclusive, each finding with evidence, the windows."""
        lines = [self.headline()]
        lines += [f"INCONCLUSIVE: {reason}" for reason in self.inconclusive_reasons]
        order = list(FindingKind)
        for finding in sorted(self.findings, key=lambda f: (order.index(f.kind), _version_order(f.version))):
            lines += finding.lines()
        lines.append(f"Windows (s₀ = createdDate {format_second(self.created)}):")
        lines += [f"  {line}" for line in self.windows]
        return "\n".join(lines)


def _version_order(version: VersionKey | None) -> tuple[int, str]:
    return (-1, "") if version is None else (version.id, version.stamp.isoformat())
