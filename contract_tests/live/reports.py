"""A live verdict as text (the terminal), JSON (`--json`) and JUnit XML (`--junit`, for CI dashboards)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from cwmock.contract_tests.live.session import LiveResult, tenant_of
from cwmock.contract_tests.oracle.verdict import FindingKind, Verdict
from cwmock.core.timestamps import iso_z


def outcome(verdict: Verdict) -> str:
    """PASS, FAIL or INCONCLUSIVE (a failure outweighs inconclusiveness)."""
    if verdict.passed:
        return "PASS"
    return "FAIL" if verdict.failures else "INCONCLUSIVE"


def exit_status(verdict: Verdict) -> int:
    """0 for PASS, 1 for FAIL, 3 for INCONCLUSIVE (2 is left to usage errors)."""
    return {"PASS": 0, "FAIL": 1, "INCONCLUSIVE": 3}[outcome(verdict)]


def text_report(result: LiveResult) -> str:
    """What the terminal shows: what was driven, then the oracle's report with its evidence."""
    service = result.service
    lines = [
        f"cwmock judge: instance {result.instance['id']} (tenant {tenant_of(result.instance)}), "
        f"{iso_z(result.started)} to {iso_z(result.ended)} emulated",
        f"  workload: {len(result.steps)} step(s); the poller made {result.requests} request(s)",
    ]
    if service is not None:
        how = "stopped by the judge" if service.stopped_by_judge else "exited on its own"
        lines.append(f"  service: {how}, status {service.status}")
    lines.append(result.verdict.report())
    return "\n".join(lines)


def json_report(result: LiveResult) -> dict[str, Any]:
    """The verdict, its findings with evidence, and what was driven, as JSON."""
    verdict = result.verdict
    service = result.service
    return {
        "outcome": outcome(verdict),
        "headline": verdict.headline(),
        "instance": result.instance["id"],
        "started": iso_z(result.started),
        "ended": iso_z(result.ended),
        "inconclusive": list(verdict.inconclusive_reasons),
        "findings": [
            {
                "kind": f.kind.name,
                "subject": f.subject,
                "evidence": list(f.evidence),
                "windows": list(f.windows),
                "fails": f.kind.fails,
            }
            for f in verdict.findings
        ],
        "windows": list(verdict.windows),
        "required": verdict.required,
        "deliveries": verdict.deliveries,
        "arrivals": verdict.arrivals,
        "requests": result.requests,
        "workload": {"steps": [s.to_json() for s in result.steps], "done": result.done},
        "service": None
        if service is None
        else {
            "status": service.status,
            "stoppedByJudge": service.stopped_by_judge,
            "stderrTail": list(service.stderr_tail),
        },
    }


def junit_report(result: LiveResult) -> str:
    """JUnit XML: one test case per finding kind the oracle checks, plus one for conclusiveness."""
    verdict = result.verdict
    suite = ElementTree.Element("testsuite", name="cwmock judge", tests="0", failures="0", errors="0")
    cases = 0
    failures = 0
    by_kind: dict[str, list[str]] = {}
    for finding in verdict.findings:
        if finding.kind.fails:
            by_kind.setdefault(finding.kind.name, []).extend(finding.lines())
    for kind in FindingKind:
        if not kind.fails:
            continue
        case = ElementTree.SubElement(
            suite, "testcase", classname=f"cwmock.judge.instance{result.instance['id']}", name=f"no {kind.name}"
        )
        cases += 1
        found = by_kind.get(kind.name)
        if found:
            failures += 1
            failure = ElementTree.SubElement(case, "failure", message=f"{len(found)} line(s) of {kind.name}")
            failure.text = "\n".join(found)
    conclusive = ElementTree.SubElement(
        suite, "testcase", classname=f"cwmock.judge.instance{result.instance['id']}", name="conclusive"
    )
    cases += 1
    if verdict.inconclusive_reasons:
        failures += 1
        failure = ElementTree.SubElement(conclusive, "failure", message="INCONCLUSIVE")
        failure.text = "\n".join(verdict.inconclusive_reasons)
    output = ElementTree.SubElement(suite, "system-out")
    output.text = text_report(result)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


def write_reports(result: LiveResult, json_path: Path | None, junit_path: Path | None) -> None:
    """Write the JSON and JUnit files asked for."""
    if json_path is not None:
        json_path.write_text(json.dumps(json_report(result), indent=2) + "\n", encoding="utf-8")
    if junit_path is not None:
        junit_path.write_text(junit_report(result) + "\n", encoding="utf-8")
