"""What a timeline shows, computed from a judged case with the oracle's own functions: nothing is re-judged here.

Windows become bands, each spanning from the previous window's start (s₀ for the first) to its own start sₖ: the
changes it was the first to be able to see. Versions are marks on their contact's row, required when a clean
window made them required (docs/design.md#required-versions), optional otherwise; deliveries are marks at their
arrivals; findings are placed where they happened (a missing version at the window that required it, a duplicate at
the second delivery, a malformed notification at its arrival).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cwmock.contract_tests.oracle.deliveries import JudgedDelivery, judge_deliveries
from cwmock.contract_tests.oracle.inputs import HistoryVersion, ServedVersion, VersionKey
from cwmock.contract_tests.oracle.verdict import Finding, FindingKind, Verdict
from cwmock.contract_tests.oracle.windows import Reading, WindowStatus, WindowTimeline, check_windows, window_statuses
from cwmock.contract_tests.timeline.case import Case

# Contact rows drawn at most; the rest are counted (findings first, then required, delivered, the others).
MAX_ROWS = 40


@dataclass(frozen=True)
class Band:
    """One window: from the previous window's start (s₀ for the first) to its own start."""

    index: int
    begin: datetime
    start: datetime
    clean: bool | None
    complete: bool | None
    requests: int
    faults: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class VersionMark:
    """A version (id, stamp) of a contact, when it was visible, why it was required, which deliveries carried it."""

    key: VersionKey
    visible_from: datetime | None
    ended: datetime | None
    required_by: int | None
    carried_by: tuple[int, ...]
    findings: tuple[int, ...]

    @property
    def required(self) -> bool:
        """True when a clean window made it required (it must then be in exactly one delivery)."""
        return self.required_by is not None


@dataclass(frozen=True)
class ArrivalMark:
    """One HTTP arrival of a delivery: receiver sequence number, time, status answered."""

    seq: int
    at: datetime
    status: int


@dataclass(frozen=True)
class DeliveryMark:
    """A delivery (arrivals sharing one webhook id): what it carried and whether it was acknowledged."""

    number: int
    webhook_id: str | None
    notification_ids: tuple[str, ...]
    arrivals: tuple[ArrivalMark, ...]
    acknowledged: bool
    versions: tuple[VersionKey, ...]
    problems: tuple[str, ...]
    label: str

    @property
    def first_at(self) -> datetime:
        """When its first arrival came."""
        return self.arrivals[0].at


@dataclass(frozen=True)
class FindingMark:
    """A finding of the verdict, numbered (its anchor is `finding-N`), placed on its row at an instant."""

    number: int
    kind: FindingKind
    version: VersionKey | None
    subject: str
    evidence: tuple[str, ...]
    at: datetime
    contact: int | None
    deliveries: tuple[int, ...]
    windows: tuple[int, ...]
    judged: bool = True
    """False for a cwmock-policy finding the judge was not asked to hold the poller to."""

    @property
    def fails(self) -> bool:
        """True when the finding fails the poller (all but PARKED and policy findings not judged)."""
        return self.kind.fails and self.judged


@dataclass(frozen=True)
class Timeline:
    """Everything one drawing of a verdict needs, and nothing it has to compute."""

    instance_id: int
    headline: str
    passed: bool
    inconclusive: tuple[str, ...]
    created: datetime
    begin: datetime
    end: datetime
    bands: tuple[Band, ...]
    versions: tuple[VersionMark, ...]
    deliveries: tuple[DeliveryMark, ...]
    findings: tuple[FindingMark, ...]
    rows: tuple[int, ...]
    hidden_rows: int
    hidden_versions: int

    def versions_of(self, contact: int) -> tuple[VersionMark, ...]:
        """The drawn versions of one contact, oldest stamp first."""
        return tuple(v for v in self.versions if v.key.id == contact)


def _ordered_findings(verdict: Verdict) -> list[Finding]:
    """The verdict's findings in the order its report lists them, so numbers match between report and drawing."""
    order = list(FindingKind)

    def position(finding: Finding) -> tuple[int, int, str]:
        version = finding.version
        return (
            order.index(finding.kind),
            -1 if version is None else version.id,
            "" if version is None else version.stamp.isoformat(),
        )

    return sorted(verdict.findings, key=position)


def _served_index(case: Case) -> dict[VersionKey, ServedVersion]:
    index: dict[VersionKey, ServedVersion] = {}
    for entry in sorted(case.served.versions, key=lambda v: v.first.seq):
        index.setdefault(entry.key, entry)
    return index


def _grouped_history(case: Case) -> dict[VersionKey, list[HistoryVersion]]:
    tenant = case.instance.tenant
    grouped: dict[VersionKey, list[HistoryVersion]] = {}
    for version in case.history.versions:
        if tenant is None or version.tenant.lower() == tenant.lower():
            grouped.setdefault(version.key, []).append(version)
    return grouped


def _requiring_window(versions: Sequence[HistoryVersion], case: Case, timeline: WindowTimeline) -> int | None:
    for version in versions:
        found = timeline.requirement(version, case.instance, Reading.DEFINITE)
        if found is not None:
            return found.window.index
    return None


def _bands(statuses: Sequence[WindowStatus], created: datetime) -> list[Band]:
    bands, begin = [], created
    for status in statuses:
        start = status.window.start
        bands.append(
            Band(
                index=status.index,
                begin=min(begin, start),
                start=start,
                clean=status.clean,
                complete=status.complete,
                requests=status.requests,
                faults=status.faults,
                description=status.describe(),
            )
        )
        begin = start
    return bands


def _delivery_mark(number: int, judged: JudgedDelivery) -> DeliveryMark:
    return DeliveryMark(
        number=number,
        webhook_id=judged.webhook_id,
        notification_ids=judged.notification_ids,
        arrivals=tuple(ArrivalMark(a.seq, a.arrived_at, a.status) for a in judged.delivery.arrivals),
        acknowledged=judged.acknowledged,
        versions=tuple(judged.versions()),
        problems=judged.problems,
        label=judged.label(),
    )


def _finding_deliveries(finding: Finding, deliveries: Sequence[DeliveryMark]) -> list[DeliveryMark]:
    hooks, ids = set(finding.webhook_ids), set(finding.notification_ids)
    matched = [
        d
        for d in deliveries
        if (d.webhook_id is not None and d.webhook_id in hooks) or (ids and ids & set(d.notification_ids))
    ]
    if finding.version is not None and finding.kind is not FindingKind.MALFORMED:
        carrying = [d for d in matched if finding.version in d.versions]
        matched = carrying or matched
    return matched


def _finding_instant(
    finding: Finding, carriers: Sequence[DeliveryMark], bands: dict[int, Band], created: datetime
) -> datetime:
    if carriers:
        if finding.kind is FindingKind.DUPLICATED and len(carriers) > 1:
            return carriers[1].first_at
        if finding.kind in (FindingKind.MISSING, FindingKind.PARKED):
            return carriers[-1].arrivals[-1].at
        return carriers[0].first_at
    if finding.windows and finding.windows[0] in bands:
        return bands[finding.windows[0]].start
    return finding.version.stamp if finding.version is not None else created


def _finding_marks(
    verdict: Verdict, deliveries: Sequence[DeliveryMark], bands: Sequence[Band], created: datetime
) -> list[FindingMark]:
    by_index = {band.index: band for band in bands}
    marks = []
    for number, finding in enumerate(_ordered_findings(verdict), start=1):
        carriers = _finding_deliveries(finding, deliveries)
        on_row = finding.version is not None and finding.kind is not FindingKind.MALFORMED
        marks.append(
            FindingMark(
                number=number,
                kind=finding.kind,
                version=finding.version,
                subject=finding.subject,
                evidence=finding.evidence,
                at=_finding_instant(finding, carriers, by_index, created),
                contact=finding.version.id if on_row and finding.version is not None else None,
                deliveries=tuple(d.number for d in carriers),
                windows=finding.windows,
                judged=finding.judged,
            )
        )
    return marks


def _rows(versions: Sequence[VersionMark], findings: Sequence[FindingMark]) -> tuple[tuple[int, ...], int]:
    """The contacts drawn (at most MAX_ROWS, by id) and how many were left out."""
    contacts = {v.key.id for v in versions} | {f.contact for f in findings if f.contact is not None}
    with_findings = {f.contact for f in findings if f.contact is not None}

    def priority(contact: int) -> tuple[int, int]:
        mine = [v for v in versions if v.key.id == contact]
        if contact in with_findings:
            rank = 0
        elif any(v.required for v in mine):
            rank = 1
        elif any(v.carried_by for v in mine):
            rank = 2
        else:
            rank = 3
        return rank, -contact

    kept = sorted(sorted(contacts, key=priority)[:MAX_ROWS])
    return tuple(kept), len(contacts) - len(kept)


def build_timeline(case: Case, verdict: Verdict) -> Timeline:
    """The timeline of `verdict`, which the oracle gave on `case`."""
    facts = case.instance
    check_windows(case.windows)
    statuses = window_statuses(case.windows, case.journal, facts.id)
    windows = WindowTimeline(statuses)
    bands = _bands(statuses, facts.created)
    judged = judge_deliveries(case.arrivals, facts, case.windows, _served_index(case))
    deliveries = [_delivery_mark(number, d) for number, d in enumerate(judged, start=1)]
    findings = _finding_marks(verdict, deliveries, bands, facts.created)

    carried: dict[VersionKey, list[int]] = {}
    for delivery in deliveries:
        for key in delivery.versions:
            carried.setdefault(key, []).append(delivery.number)
    versions, hidden_versions = [], 0
    history = _grouped_history(case)
    for key in sorted(set(history) | set(carried)):
        group = history.get(key, [])
        numbers = tuple(f.number for f in findings if f.contact is not None and f.version == key)
        if key.stamp <= facts.created and key not in carried and not numbers:
            hidden_versions += 1  # older than the instance, never delivered, nothing found: not this verdict's story
            continue
        became = [v.became_visible.at for v in group if v.became_visible is not None]
        ends = [v.ended for v in group]
        versions.append(
            VersionMark(
                key=key,
                visible_from=min(became) if became else None,
                ended=None if not ends or any(e is None for e in ends) else max(e.at for e in ends if e is not None),
                required_by=_requiring_window(group, case, windows) if group else None,
                carried_by=tuple(carried.get(key, ())),
                findings=numbers,
            )
        )
    rows, hidden_rows = _rows(versions, findings)
    instants = [facts.created, *(b.start for b in bands), *(f.at for f in findings)]
    instants += [a.at for d in deliveries for a in d.arrivals]
    instants += [v.key.stamp for v in versions if v.key.id in rows]
    begin, end = min(instants), max(instants)
    margin = max((end - begin) / 20, timedelta(seconds=30))
    return Timeline(
        instance_id=facts.id,
        headline=verdict.headline(),
        passed=verdict.passed,
        inconclusive=verdict.inconclusive_reasons,
        created=facts.created,
        begin=begin - margin,
        end=end + margin,
        bands=tuple(bands),
        versions=tuple(versions),
        deliveries=tuple(deliveries),
        findings=tuple(findings),
        rows=rows,
        hidden_rows=hidden_rows,
        hidden_versions=hidden_versions,
    )
