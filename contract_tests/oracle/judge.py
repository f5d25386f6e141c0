"""The exactly-once oracle (docs/design.md#the-exactly-once-oracle), as one pure function `judge`.

Independent of the poller by construction: it reads the emulator's history, served log and journal, the
receiver's arrivals and the instance JSON, never anything from `cwmock.poller`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.deliveries import JudgedDelivery, ServeTimes, judge_deliveries
from cwmock.contract_tests.oracle.inputs import (
    History,
    HistoryVersion,
    JournalLog,
    ServedLog,
    ServedVersion,
    SettleFacts,
    VersionKey,
    Window,
    format_second,
)
from cwmock.contract_tests.oracle.liveness import crash_findings, settle_findings
from cwmock.contract_tests.oracle.verdict import Finding, FindingKind, Verdict
from cwmock.contract_tests.oracle.windows import (
    Reading,
    Requirement,
    WindowStatus,
    WindowTimeline,
    check_windows,
    window_statuses,
)
from cwmock.core.timestamps import iso_z
from cwmock.emulator.model.versions import Moment
from cwmock.receiver.records import Arrival


def _when(moment: Moment) -> str:
    return f"{iso_z(moment.at)} (seq {moment.seq})"


@dataclass(frozen=True)
class _Context:
    facts: InstanceFacts
    timeline: WindowTimeline
    served: dict[VersionKey, ServedVersion]
    served_ids: dict[int, list[VersionKey]]
    settle: SettleFacts

    def served_evidence(self, key: VersionKey) -> str:
        served = self.served.get(key)
        if served is None:
            return "it was never served to the instance's token"
        window = self.timeline.holding(served.first.seq)
        where = f", in window {window.index}" if window is not None else ", outside every window"
        return f"served to the token first at {_when(served.first)}{where}, {served.times} time(s)"

    def visibility(self, version: HistoryVersion) -> str:
        if version.became_visible is None:
            return "never became visible"
        text = f"visible from {_when(version.became_visible)}"
        ended = version.ended
        if ended is None:
            return text + ", still current"
        verb = "deleted" if ended is version.deleted else "superseded"
        return text + f", {verb} at {_when(ended)}"

    def requirement_evidence(self, found: Requirement) -> list[str]:
        facts, status = self.facts, found.window
        items = [f"{self.visibility(found.version)}, so throughout {status.describe()}"]
        if found.retried is not None:
            items.append(
                f"the poller crashed in window {status.index} after being served the whole result, no response "
                f"faulted, and it stayed visible throughout {found.retried.describe()}: a poller that committed in "
                f"window {status.index} holds it, one that did not fetches it again"
            )
        if found.previous is None:
            items.append(
                f"no complete window before it, so every stamp after s₀ = {format_second(facts.created)} was due"
            )
        else:
            items.append(
                f"previous complete window {found.previous.index} starts {format_second(found.previous.window.s)}, "
                f"so stamps ≥ {format_second(found.lower_bound)} (sⱼ − pollDelay {facts.poll_delay:g} s) were due"
            )
        if facts.filter_by_current_date:
            items.append(f"filterByCurrentDate: stamp ≤ s{status.index} = {format_second(status.window.s)}")
        items.append("so it was required")
        return items


def _group_history(history: History, facts: InstanceFacts) -> dict[VersionKey, list[HistoryVersion]]:
    grouped: dict[VersionKey, list[HistoryVersion]] = {}
    for version in history.versions:
        if facts.tenant is None or version.tenant.lower() == facts.tenant.lower():
            grouped.setdefault(version.key, []).append(version)
    return grouped


def _first_requirement(versions: Sequence[HistoryVersion], context: _Context, reading: Reading) -> Requirement | None:
    for version in versions:
        found = context.timeline.requirement(version, context.facts, reading)
        if found is not None:
            return found
    return None


def _served_index(served: ServedLog) -> dict[VersionKey, ServedVersion]:
    index: dict[VersionKey, ServedVersion] = {}
    for entry in sorted(served.versions, key=lambda v: v.first.seq):
        index.setdefault(entry.key, entry)
    return index


def _forbidden(
    key: VersionKey, carriers: list[JudgedDelivery], required: bool, context: _Context, policy: bool
) -> list[Finding]:
    """FABRICATED, EARLY and DUPLICATED findings for one delivered version."""
    findings = []
    hooks = tuple(d.webhook_id for d in carriers if d.webhook_id is not None)
    ids = tuple(i for d in carriers for i in d.notification_ids)
    carried = "carried by " + "; ".join(d.label() for d in carriers)
    if key not in context.served:
        stamps = [format_second(k.stamp) for k in context.served_ids.get(key.id, [])]
        served = (
            f"stamps served for contact {key.id}: {', '.join(stamps)}"
            if stamps
            else f"contact {key.id} was never served"
        )
        findings.append(
            Finding(
                FindingKind.FABRICATED, key, ("never served to the instance's token", served, carried), (), hooks, ids
            )
        )
    if key.stamp <= context.facts.created:
        created = format_second(context.facts.created)
        findings.append(
            Finding(
                FindingKind.EARLY,
                key,
                (f"stamped at or before s₀ = {created}", carried),
                (),
                hooks,
                ids,
                policy=True,
                judged=policy,
            )
        )
    if len(carriers) > 1 or any(d.repeats(key) for d in carriers):
        role = "required" if required else "optional"
        times = f"in {len(carriers)} deliveries" if len(carriers) > 1 else "twice in one notification"
        findings.append(Finding(FindingKind.DUPLICATED, key, (f"{role}, {times}", carried), (), hooks, ids))
    return findings


def _undelivered(
    key: VersionKey, found: Requirement, carriers: list[JudgedDelivery], context: _Context
) -> Finding | None:
    """MISSING or PARKED for a required version, or None when a delivery was acknowledged."""
    windows = (found.window.index,) + (() if found.previous is None else (found.previous.index,))
    evidence = [*context.requirement_evidence(found), context.served_evidence(key)]
    hooks = tuple(d.webhook_id for d in carriers if d.webhook_id is not None)
    ids = tuple(i for d in carriers for i in d.notification_ids)
    if not carriers:
        return Finding(FindingKind.MISSING, key, (*evidence, "no delivery carried it"), windows)
    if any(d.acknowledged for d in carriers):
        return None
    refused = "; ".join(d.label() for d in carriers)
    arrivals = [a for d in carriers for a in d.delivery.arrivals]
    if all(context.settle.before(a) for a in arrivals):
        evidence.append(f"every attempt was refused before the settle: {refused}")
        return Finding(FindingKind.PARKED, key, tuple(evidence), windows, hooks, ids)
    evidence.append(f"every attempt was refused, some after the settle began: {refused}")
    return Finding(FindingKind.MISSING, key, tuple(evidence), windows, hooks, ids)


def _malformed(delivery: JudgedDelivery, policy: bool) -> list[Finding]:
    """MALFORMED findings of a delivery: one for its documented problems, one for those only cwmock policy asks."""
    keys = delivery.versions()
    hooks = () if delivery.webhook_id is None else (delivery.webhook_id,)
    head = f"{delivery.label()} carrying {', '.join(map(str, keys)) or 'no version'}"
    version = keys[0] if len(keys) == 1 else None
    findings = []
    if delivery.problems:
        findings.append(
            Finding(FindingKind.MALFORMED, version, (head, *delivery.problems), (), hooks, delivery.notification_ids)
        )
    if delivery.policy_problems:
        findings.append(
            Finding(
                FindingKind.MALFORMED,
                version,
                (head, *delivery.policy_problems),
                (),
                hooks,
                delivery.notification_ids,
                policy=True,
                judged=policy,
            )
        )
    return findings


def _window_line(status: WindowStatus) -> str:
    line = f"{status.describe()}: {status.requests} hub request(s)"
    if status.faults:
        line += "; faulted: " + "; ".join(status.faults)
    return line


def judge(
    *,
    instance: InstanceFacts,
    history: History,
    served: ServedLog,
    journal: JournalLog,
    windows: Sequence[Window],
    arrivals: Sequence[Arrival],
    settle: SettleFacts,
    strict_drift: bool = False,
    policy: bool = True,
) -> Verdict:
    """Judge one instance after the settle: every window finished, the settle caught up, every required version in
    exactly one delivery, nothing forbidden. With `strict_drift` (cwmock policy, for pollers that claim it), windows
    whose data changed between pages are judged as clean ones. With `policy` false, findings that rest only on cwmock
    policy (cwmock.contract_tests.oracle.rules) are reported but do not fail."""
    if served.instance != instance.id:
        raise ValueError(f"the served log is instance {served.instance}'s, but instance {instance.id} is judged")
    check_windows(windows)
    statuses = window_statuses(windows, journal, instance.id, strict_drift=strict_drift)
    served_index = _served_index(served)
    served_ids: dict[int, list[VersionKey]] = {}
    for key in served_index:
        served_ids.setdefault(key.id, []).append(key)
    context = _Context(instance, WindowTimeline(statuses), served_index, served_ids, settle)
    last_requests = {s.index: s.last_request for s in statuses if s.last_request is not None}
    # No kept request, and none lost (a window whose entries the ring may have dropped is complete None, unknown).
    silent = frozenset(s.index for s in statuses if s.requests == 0 and s.complete is False)
    answered = {e.moment.seq: e.answered_at for e in journal.entries if e.instance == instance.id}
    times = ServeTimes(answered, last_requests, silent)
    deliveries = judge_deliveries(arrivals, instance, windows, served_index, times)
    carriers: dict[VersionKey, list[JudgedDelivery]] = {}
    for delivery in deliveries:
        for key in delivery.versions():
            carriers.setdefault(key, []).append(delivery)

    reasons = list(instance.unsupported())
    findings = crash_findings(statuses)
    unsettled, unknown_settle = settle_findings(statuses, settle)
    findings += unsettled
    reasons += unknown_settle
    required: set[VersionKey] = set()
    unknown = [s.index for s in statuses if not s.known]
    for key, versions in sorted(_group_history(history, instance).items()):
        definite = _first_requirement(versions, context, Reading.DEFINITE)
        carried = carriers.get(key, [])
        if definite is not None:
            required.add(key)
            undelivered = _undelivered(key, definite, carried, context)
            if undelivered is not None:
                findings.append(undelivered)
            continue
        possible = _first_requirement(versions, context, Reading.POSSIBLE)
        if possible is not None and not any(d.acknowledged for d in carried):
            reasons.append(
                f"{key} would be required if the windows with dropped journal entries ({unknown}) were clean and "
                f"not complete (first: {possible.window.describe()}), and no acknowledged delivery carried it; "
                "enlarge the journal (or judge sooner) so it keeps every window's hub requests"
            )
    for key, carried in sorted(carriers.items()):
        findings += _forbidden(key, carried, key in required, context, policy)
    for delivery in deliveries:
        findings += _malformed(delivery, policy)
    return Verdict(
        instance_id=instance.id,
        findings=tuple(findings),
        inconclusive_reasons=tuple(reasons),
        created=instance.created,
        windows=tuple(_window_line(s) for s in statuses),
        required=len(required),
        deliveries=len(deliveries),
        arrivals=len(arrivals),
        judge_policy=policy,
    )
