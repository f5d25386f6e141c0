"""The oracle's safety clauses mid-run: what has arrived so far, judged as if the settle began now.

CRASHED, DUPLICATED, FABRICATED, EARLY and MALFORMED are final once a window or an arrival shows them, so the
stateful test checks them after every step; MISSING, PARKED and UNSETTLED only mean something after the settle.
"""

from __future__ import annotations

from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import History, JournalLog, ServedLog, SettleFacts
from cwmock.contract_tests.oracle.judge import judge
from cwmock.contract_tests.oracle.verdict import Finding, FindingKind, Verdict

SAFETY_KINDS = frozenset(
    {FindingKind.CRASHED, FindingKind.DUPLICATED, FindingKind.FABRICATED, FindingKind.EARLY, FindingKind.MALFORMED}
)


async def verdict_so_far(harness: Harness) -> Verdict:
    """The oracle on everything arrived so far, as if the settle began now: only its safety findings mean anything."""
    arrivals = harness.receiver.arrivals()
    control = harness.control
    return judge(
        instance=InstanceFacts.from_instance_json({**harness.instance, "tenant": harness.tenant}),
        history=History.from_json(await control.history(harness.tenant)),
        served=ServedLog.from_json(await control.served(harness.instance["id"])),
        journal=JournalLog.from_json(await control.journal()),
        windows=harness.oracle_windows(),
        arrivals=arrivals,
        settle=SettleFacts(arrivals[-1].seq if arrivals else 0, first_window=len(harness.windows) + 1),
        policy=harness.settings.judge_policy,
    )


def safety_failures(verdict: Verdict) -> list[Finding]:
    """The findings no later step can undo: CRASHED, DUPLICATED, FABRICATED, EARLY, MALFORMED (those that fail)."""
    return [finding for finding in verdict.findings if finding.kind in SAFETY_KINDS and finding.fails]


def safety_report(findings: list[Finding]) -> str:
    """The findings as the oracle's report lines."""
    return "\n".join(line for finding in findings for line in finding.lines())
