"""Every rule the oracle applies, what it rests on, and whether it is documented or only cwmock's policy.

A rule is *documented* when a public source states it (the source is named), a *rule of the judge* when it only
says what the recorded evidence can prove (it asks nothing of a poller beyond finishing its windows), and *cwmock
policy* when it is cwmock's own choice where the platform documents nothing. Policy never fails a poller other than
cwmock's reference poller unless its judge asks for it (docs/contract-suite/oracle.md#rules).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Basis(str, enum.Enum):
    """What a rule rests on."""

    DOCUMENTED = "documented"
    JUDGE = "rule of the judge"
    POLICY = "cwmock policy"


EVENTS_OVERVIEW = "Open Connectors, Events Overview (help.openconnectors.ext.hana.ondemand.com/home/events-overview)"
ELEMENT_BUILDER = (
    "Cloud Elements, Element Builder Events "
    "(github.com/cloud-elements/devportal: guides/elements/events.md in its docs folder)"
)
REAL_PAYLOADS = (
    "real notification payloads (github.com/CloudElementsOpenLabs/usecase-references "
    "PaymentsDemo/src/test/java/com/cloudelements/demo/APIResponseTest.java)"
)
HASH_VERIFICATION = (
    "Open Connectors, Hash Verification (help.openconnectors.ext.hana.ondemand.com/home/hash-verification)"
)
CONNECTWISE_HOST = "help.openconnectors.ext.hana.ondemand.com"
CONNECTWISE_EVENTS = f"Open Connectors, ConnectWise CRM REST Events ({CONNECTWISE_HOST}/home/connectwisecrmrest-events)"
EVENT_RETRY = "Cloud Elements, Event Retry and Queueing (docs.cloud-elements.com/home/event-retry-and-queueing)"


@dataclass(frozen=True)
class Rule:
    """One rule: a short name, the finding it yields, what it rests on and where that is written."""

    name: str
    finding: str
    basis: Basis
    source: str
    text: str

    @property
    def policy(self) -> bool:
        """True when only cwmock's policy asks for it."""
        return self.basis is Basis.POLICY


RULES: tuple[Rule, ...] = (
    Rule(
        "missing",
        "MISSING",
        Basis.DOCUMENTED,
        ELEMENT_BUILDER,
        "every required version is in a delivery (each poll turns the records updated since the last poll into events)",
    ),
    Rule(
        "duplicated",
        "DUPLICATED",
        Basis.DOCUMENTED,
        ELEMENT_BUILDER,
        "no version is in two deliveries, or twice in one",
    ),
    Rule(
        "fabricated",
        "FABRICATED",
        Basis.DOCUMENTED,
        ELEMENT_BUILDER,
        "no event for a version never served to the instance (an event is for a record the poll found)",
    ),
    Rule(
        "early",
        "EARLY",
        Basis.POLICY,
        "docs/design.md#the-first-window",
        "no event stamped at or before s₀ (the first poll's lower bound is undocumented; cwmock starts at createdDate)",
    ),
    Rule("schema", "MALFORMED", Basis.DOCUMENTED, f"{EVENTS_OVERVIEW}; {REAL_PAYLOADS}", "the notification schema"),
    Rule("at-most-ten", "MALFORMED", Basis.DOCUMENTED, EVENTS_OVERVIEW, "at most 10 events per polling notification"),
    Rule("event-type", "MALFORMED", Basis.DOCUMENTED, ELEMENT_BUILDER, "`eventType` from `datesConfiguration`"),
    Rule("signature", "MALFORMED", Basis.DOCUMENTED, HASH_VERIFICATION, "a valid `Elements-Webhook-Signature`"),
    Rule(
        "raw",
        "MALFORMED",
        Basis.DOCUMENTED,
        EVENTS_OVERVIEW,
        "every event's record is in `raw`, and every `raw` record was served to the instance in the notification's "
        "window; nothing more (the full vendor body is repeated in each notification of a split)",
    ),
    Rule(
        "poll-date",
        "MALFORMED",
        Basis.DOCUMENTED,
        f"{ELEMENT_BUILDER}; {REAL_PAYLOADS}",
        "`pollDate` is the time of the poll: a server instant from a window's start to the moment the event's "
        "record was first served in that window",
    ),
    Rule(
        "event-date",
        "MALFORMED",
        Basis.POLICY,
        "docs/design.md#where-cwmock-differs",
        "`events[].date` is the record's updated stamp (so in a NetSuite fixture; a QuickBooks fixture's is 2 s "
        "after pollDate: undocumented)",
    ),
    Rule(
        "one-id-one-body",
        "MALFORMED",
        Basis.JUDGE,
        "docs/design.md#deliveries",
        "one webhook id, one body (so arrivals sharing an id are one delivery)",
    ),
    Rule(
        "parked",
        "PARKED (no failure)",
        Basis.DOCUMENTED,
        EVENT_RETRY,
        "refused on every attempt before the settle: reported, not a failure",
    ),
    Rule(
        "crashed",
        "CRASHED",
        Basis.JUDGE,
        "docs/design.md#liveness",
        "every window finished, unless the suite injected the crash",
    ),
    Rule(
        "unsettled",
        "UNSETTLED",
        Basis.JUDGE,
        "docs/design.md#liveness",
        "the settle reaches a clean, complete window",
    ),
    Rule(
        "inconclusive",
        "INCONCLUSIVE",
        Basis.JUDGE,
        "docs/design.md#evidence",
        "the journal kept what the verdict needs",
    ),
)

_BY_NAME = {rule.name: rule for rule in RULES}


def rule(name: str) -> Rule:
    """The rule called `name` (a KeyError names a rule that does not exist)."""
    return _BY_NAME[name]
