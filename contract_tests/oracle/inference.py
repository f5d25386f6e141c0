"""Windows inferred from what a live poller did: the oracle's input adapter for a poller on its own schedule.

A harness knows its windows because it runs them; a live judge only sees the poller's requests. This module turns
one subject's request log (every request of one instance, or of a native-API subject, from
`GET /__admin/instances/{id}/requests`) into the
`Window`s and the journal the oracle already judges, by the rules of docs/contract-suite/live-judge.md#windows-inferred:

1. A window is a run of the subject's requests, in sequence order. A request starts a new run when there is no run
   yet, when more than `gap` of server time passed since the run's last request, or when the run is complete and
   the request is the first page (no `nextPage` or `pageId`, `page` absent or 1, no keyset bound `id > N` closing its
   filter) of a resource the run already read.
2. Its start is the server time of its first request (a pollDate may name a second up to `start_tolerance` earlier).
3. It is complete when, for every resource (list path) it read, the last page it read of it ended the result.
4. It is clean when none of its requests was faulted, a 5xx or a 429.

Where those rules cannot tell what the poller did, the inference says why, and the verdict is INCONCLUSIVE with that
reason, never a silent pass: a run that is clean but never completes (it stopped mid-result, or the gap split one
window), a first page while a read of the same resource was still open (interleaved windows), a continuation page
with no first page in its run, hub requests whose token named no instance, and a log that refused requests.
Nothing here judges: the windows and journal go to `judge` unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import (
    Crash,
    History,
    JournalLog,
    JournalRecord,
    ServedLog,
    SettleFacts,
    Window,
    format_second,
)
from cwmock.contract_tests.oracle.judge import judge
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.receiver.records import Arrival

DEFAULT_GAP = timedelta(seconds=0.5)
DEFAULT_START_TOLERANCE = timedelta(seconds=1)
STOPPED_BY_JUDGE = "stopped by the judge while this run was still reading"


@dataclass(frozen=True)
class RequestLog:
    """`GET /__admin/instances/{id}/requests` (or `/__admin/requests/unattributed`, instance None)."""

    instance: int | None
    requests: tuple[JournalRecord, ...]
    refused: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RequestLog:
        """Parse the response body."""
        requests = data.get("requests")
        if not isinstance(requests, list):
            raise ValueError("request log: expected {'instance', 'refused', 'requests': [...]} from /__admin")
        instance = data.get("instance")
        refused = data.get("refused", 0)
        if instance is not None and (isinstance(instance, bool) or not isinstance(instance, int)):
            raise ValueError(f"request log: instance must be an integer or null, got {instance!r}")
        if isinstance(refused, bool) or not isinstance(refused, int):
            raise ValueError(f"request log: refused must be an integer, got {refused!r}")
        records = tuple(JournalRecord.from_json(r, f"requests[{i}]") for i, r in enumerate(requests))
        return cls(instance, tuple(sorted(records, key=lambda r: r.moment.seq)), refused)


@dataclass(frozen=True)
class InferenceSettings:
    """How runs are told apart, and what the judge did that the log cannot show."""

    gap: timedelta = DEFAULT_GAP
    """More idle server time than this between two requests ends a run that is not complete."""
    start_tolerance: timedelta = DEFAULT_START_TOLERANCE
    """How long before its first request a poller may have read the clock it put in pollDate."""
    stopped_seq: int | None = None
    """The last sequence number before the judge stopped the poller: a run still reading then was cut by the judge."""


@dataclass(frozen=True)
class InferredWindows:
    """What the oracle needs about windows, inferred, and why the inference is unsure (empty: it is sure)."""

    windows: tuple[Window, ...]
    journal: JournalLog
    reasons: tuple[str, ...]


@dataclass
class _Run:
    requests: list[JournalRecord] = field(default_factory=list)
    # Per list path: the last request that read it (decides open / ended).
    last_read: dict[str, JournalRecord] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.last_read) and all(r.result_end for r in self.last_read.values())

    @property
    def clean(self) -> bool:
        return not any(r.faulted for r in self.requests)

    def open_read(self, path: str) -> JournalRecord | None:
        """The last page of `path` when its read is still open: it neither ended the result nor failed."""
        last = self.last_read.get(path)
        return last if last is not None and not last.result_end and not last.faulted else None


# Keyset paging through the filter: `id > N` alone, or `(<filter>) and id > N` (the reference poller's drift-safe
# paging, docs/reference-poller.md#drift; ConnectWise's forward-only paging is a keyset on id too).
KEYSET_BOUND = re.compile(r"(?:^|\)\s+and\s+)id\s*>\s*\d+\s*$", re.IGNORECASE)


def is_first_page(record: JournalRecord) -> bool:
    """A request that starts reading a result: no cursor (the hub's `nextPage`, the native API's forward-only
    `pageId`), `page` absent or 1 (parameter names in any case, as ConnectWise reads them), and no keyset bound
    (`id > N`) closing its `where` or `conditions`."""
    query = {key.lower(): values for key, values in parse_qs(record.query).items()}
    if "nextpage" in query or "pageid" in query or query.get("page", ["1"])[-1] not in ("", "1"):
        return False
    filters = query.get("where", []) + query.get("conditions", [])
    return not any(KEYSET_BOUND.search(text.strip()) for text in filters)


def _describe(record: JournalRecord) -> str:
    return f"seq {record.moment.seq} at {format_second(record.moment.at)} ({record.method} {record.path})"


def _split(records: Sequence[JournalRecord], gap: timedelta) -> tuple[list[_Run], list[str]]:
    """Rule 1: group requests into runs; note interleaved reads and orphan continuation pages as they appear."""
    runs: list[_Run] = []
    notes: list[str] = []
    for record in records:
        run = runs[-1] if runs else None
        listing = record.result_end is not None
        first = is_first_page(record)
        if (
            run is None
            or record.moment.at - run.requests[-1].moment.at > gap
            or (run.complete and listing and first and record.path in run.last_read)
        ):
            run = _Run()
            runs.append(run)
        number = len(runs)
        if listing:
            open_read = run.open_read(record.path)
            if first and open_read is not None:
                notes.append(
                    f"run {number}: {_describe(record)} began a new read of {record.path} while the read that "
                    f"reached {_describe(open_read)} was still open (interleaved windows, or a read abandoned "
                    "without a fault)"
                )
            elif not first and open_read is None and not _retries_failed_page(run, record):
                notes.append(f"run {number}: {_describe(record)} continues a read whose first page is not in it")
            run.last_read[record.path] = record
        run.requests.append(record)
    return runs, notes


def _retries_failed_page(run: _Run, record: JournalRecord) -> bool:
    """A continuation page right after the same resource's page failed: the poller retrying that page."""
    last = run.last_read.get(record.path)
    return last is not None and last.faulted


def infer_windows(
    log: RequestLog, settings: InferenceSettings = InferenceSettings(), unattributed: RequestLog | None = None
) -> InferredWindows:
    """The windows and journal of one subject's request log, and every reason the inference is unsure."""
    if log.instance is None:
        raise ValueError("infer windows from one instance's request log, not the unattributed one")
    runs, reasons = _split(log.requests, settings.gap)
    windows = []
    for number, run in enumerate(runs, start=1):
        first, last = run.requests[0], run.requests[-1]
        crash = None
        is_last = number == len(runs)
        if not run.complete and run.clean:
            if is_last and settings.stopped_seq is not None and last.moment.seq <= settings.stopped_seq:
                crash = Crash(STOPPED_BY_JUDGE, injected=True)
            else:
                unended = sorted(p for p, r in run.last_read.items() if not r.result_end) or ["any resource"]
                reasons.append(
                    f"run {number} (from {_describe(first)}, {len(run.requests)} request(s)) never completed and "
                    f"met no fault: no page ended the result of {', '.join(unended)}; the poller stopped mid-result, "
                    "or paused longer than the gap between two pages of one window (raise the gap)"
                )
        windows.append(
            Window(number, first.moment.at, first.moment.seq - 1, last.moment.seq, crash, settings.start_tolerance)
        )
    if log.refused:
        reasons.append(
            f"the request log of instance {log.instance} was full and refused {log.refused} later request(s): "
            "windows after it are unknown; restart the emulator with a larger request log"
        )
    if unattributed is not None and unattributed.requests:
        first = unattributed.requests[0]
        reasons.append(
            f"{len(unattributed.requests) + unattributed.refused} hub request(s) named no instance's token (first: "
            f"{_describe(first)}, status {first.status}); if the judged poller sent them, its windows are unknown"
        )
    return InferredWindows(tuple(windows), JournalLog(log.requests, dropped=0), tuple(reasons))


def judge_inferred(
    *,
    instance: InstanceFacts,
    history: History,
    served: ServedLog,
    log: RequestLog,
    arrivals: Sequence[Arrival],
    settle_seq: int,
    arrivals_before: int,
    settings: InferenceSettings = InferenceSettings(),
    unattributed: RequestLog | None = None,
) -> Verdict:
    """Judge a live poller: infer its windows, then run the oracle's `judge` on them unchanged; the settle is every
    run that began after sequence number `settle_seq`; an unsure inference makes the verdict INCONCLUSIVE."""
    inferred = infer_windows(log, settings, unattributed)
    first_settle = next((w.index for w in inferred.windows if w.begin_seq >= settle_seq), len(inferred.windows) + 1)
    verdict = judge(
        instance=instance,
        history=history,
        served=served,
        journal=inferred.journal,
        windows=inferred.windows,
        arrivals=arrivals,
        settle=SettleFacts(arrivals_before, first_settle),
    )
    return replace(verdict, inconclusive_reasons=(*verdict.inconclusive_reasons, *inferred.reasons))
