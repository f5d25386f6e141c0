"""Liveness (docs/design.md#liveness): a window the poller did not finish is no evidence of exactly-once.

A rule of the judge about its evidence, not a fact about Open Connectors: the oracle can only vouch for what a poller
did in windows it finished. So a crash the suite did not inject is CRASHED, and a settle that never ran a clean,
complete window is UNSETTLED; without these, a poller that dies in every window would make every window unclean,
nothing would be required, and the verdict would pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from cwmock.contract_tests.oracle.inputs import SettleFacts, format_second
from cwmock.contract_tests.oracle.verdict import Finding, FindingKind
from cwmock.contract_tests.oracle.windows import WindowStatus

OUTPUT_LINES = 20
NOT_EVIDENCE = "the suite did not cause it, and a window the poller did not finish is no evidence of exactly-once"


def crash_findings(statuses: Sequence[WindowStatus]) -> list[Finding]:
    """CRASHED for every window the poller did not finish, unless the suite injected that crash; each shows the
    tail of what the poller printed (once: a later window that printed the same says so)."""
    findings = []
    shown: dict[tuple[str, ...], int] = {}
    for status in statuses:
        crash = status.window.crash
        if crash is None or crash.injected:
            continue
        lines = tuple(line for line in crash.output.splitlines() if line.strip())[-OUTPUT_LINES:]
        evidence = [f"starts {format_second(status.window.start)}", crash.cause, NOT_EVIDENCE]
        output: tuple[str, ...] = ()
        if not lines:
            evidence.append("it printed nothing on stderr")
        elif lines in shown:
            evidence.append(f"its stderr ends as window {shown[lines]}'s")
        else:
            shown[lines] = status.index
            evidence.append("its stderr ends")
            output = lines
        findings.append(Finding(FindingKind.CRASHED, None, tuple(evidence), (status.index,), output=output))
    return findings


def _why_not(status: WindowStatus) -> str:
    reasons = list(status.faults)
    if status.complete is False:
        reasons.append(
            f"no hub response of its {status.requests} request(s) ended a result (a page shorter than pageSize)"
        )
    return f"{status.describe()}: " + "; ".join(reasons)


def settle_findings(statuses: Sequence[WindowStatus], settle: SettleFacts) -> tuple[list[Finding], list[str]]:
    """UNSETTLED when no window of the settle was clean and complete; or why that is unknown (inconclusive)."""
    settled = [s for s in statuses if s.index >= settle.first_window]
    if any(s.clean is True and s.complete is True for s in settled):
        return [], []
    indexes = tuple(s.index for s in settled)
    unknown = [s.index for s in settled if s.clean is not False and s.complete is not False]
    if unknown:
        reason = (
            f"the journal dropped entries of settle window(s) {unknown}, so whether the settle reached a clean, "
            "complete window is unknown; enlarge the journal (or judge sooner)"
        )
        return [], [reason]
    if not settled:
        evidence: tuple[str, ...] = (f"the settle ran no window (its first would be window {settle.first_window})",)
    else:
        evidence = (
            "no window of the settle was clean and complete",
            *(_why_not(s) for s in settled),
            "so nothing shows the poller caught up with what was written",
        )
    return [Finding(FindingKind.UNSETTLED, None, evidence, indexes)], []
