"""The verdict a QA engineer reads: its outcome, and findings in an order independent of how they were found."""

from __future__ import annotations

from cwmock.contract_tests.oracle.inputs import version_key
from cwmock.contract_tests.oracle.verdict import Finding, FindingKind, Verdict

from support.oracle import T0, at


def verdict(findings: list[Finding], reasons: tuple[str, ...] = ()) -> Verdict:
    return Verdict(4242, tuple(findings), reasons, T0, (), 2, 0, 0)


def test_a_failure_fails_even_when_something_else_is_inconclusive() -> None:
    missing = Finding(FindingKind.MISSING, version_key(1, at(5)), ("no delivery carried it",))
    judged = verdict([missing], ("the journal dropped entries",))
    assert not judged.passed
    assert judged.headline().startswith("FAIL instance 4242: 1 missing;")
    assert verdict([], ("the journal dropped entries",)).headline().startswith("INCONCLUSIVE instance 4242:")


def test_findings_are_reported_by_kind_then_contact_then_stamp_whatever_order_they_were_found_in() -> None:
    later, earlier, other = version_key(2, at(9)), version_key(2, at(5)), version_key(1, at(30))
    found = [Finding(FindingKind.MISSING, key, ("no delivery carried it",)) for key in (later, other, earlier)]
    found.insert(0, Finding(FindingKind.DUPLICATED, earlier, ("required, in 2 deliveries",)))
    lines = [line for line in verdict(found).report().splitlines() if line.startswith(("MISSING", "DUPLICATED"))]
    assert [line.partition(": ")[0] for line in lines] == [
        f"MISSING {other}",
        f"MISSING {earlier}",
        f"MISSING {later}",
        f"DUPLICATED {earlier}",
    ]


def test_a_finding_about_a_whole_notification_comes_before_those_about_one_version_of_the_same_kind() -> None:
    whole = Finding(FindingKind.MALFORMED, None, ("an arrival without webhook id carrying no version",))
    one = Finding(FindingKind.MALFORMED, version_key(0, at(5)), ("carrying contact 0",), (), ("a",), ("7",))
    lines = [line for line in verdict([one, whole]).report().splitlines() if line.startswith("MALFORMED")]
    assert lines == ["MALFORMED notification without id (webhook id none):", "MALFORMED notification 7 (webhook id a):"]
