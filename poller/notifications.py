"""Open Connectors' polling notification envelope (Open Connectors, "Events Overview"), built once, kept as bytes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cwmock.core.javadate.calendar import epoch_ms
from cwmock.core.javadate.formatting import JavaDateFormat
from cwmock.core.timestamps import UTC
from cwmock.poller.classification import FoundVersion, compact_json

T = TypeVar("T")

ELEMENT_KEY = "connectwisecrmrest"
HUB_KEY = "crm"
MAX_EVENTS = 10
NOTIFICATION_USER = "notifications@cloud-elements.com"
_EVENT_INSTANT = JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'", "UTC")
# Java's Date.toString() in a JVM running on UTC.
_JAVA_DATE_STRING = JavaDateFormat("EEE MMM dd HH:mm:ss zzz yyyy", "UTC")
# Stands in for the records while the rest of a document is dumped (NULs: no record or setting writes this text).
_RECORDS_SLOT = "\u0000cwmock records\u0000"


DEFAULT_ACCOUNT_ID = 1
DEFAULT_COMPANY_ID = 1
DEFAULT_USER_ID = 1


@dataclass(frozen=True)
class InstanceIdentity:
    """What a notification says about the instance and who owns it.

    `account_id`, `company_id` and `user_id` are the platform's ids of the account, organization and user that own
    the instance; real payloads carry them (CloudElementsOpenLabs/usecase-references APIResponseTest.java), but the
    instance JSON does not, so they are settings (docs/reference-poller.md#notification-format).
    """

    instance_id: int
    name: str
    tags: tuple[str, ...]
    account_id: int = DEFAULT_ACCOUNT_ID
    company_id: int = DEFAULT_COMPANY_ID
    user_id: int = DEFAULT_USER_ID

    @property
    def topic(self) -> str:
        """`instance-{id}-connectwisecrmrest-events`."""
        return f"instance-{self.instance_id}-{ELEMENT_KEY}-events"


def event_instant(instant: datetime) -> str:
    """`yyyy-MM-dd'T'HH:mm:ss'Z'` in UTC, as events carry `date` and `pollDate`."""
    return _EVENT_INSTANT.format(instant.astimezone(UTC))


def java_date_string(instant: datetime) -> str:
    """Java `Date.toString()` on UTC: `Fri Feb 21 16:43:41 UTC 2020`."""
    return _JAVA_DATE_STRING.format(instant.astimezone(UTC))


def event_id(instance_id: int, number: int, poll_date: datetime) -> str:
    """An opaque, unique, reproducible event id (no randomness, so reruns are comparable)."""
    seed = f"{instance_id}:{number}:{epoch_ms(poll_date)}".encode()
    return "cw" + hashlib.sha256(seed).hexdigest()[:22]


def chunks(versions: Sequence[T], size: int = MAX_EVENTS) -> Iterator[Sequence[T]]:
    """The versions (or anything carrying one each) in groups of at most `size` (one notification each), in order."""
    if not 1 <= size <= MAX_EVENTS:
        raise ValueError(f"a notification carries 1 to {MAX_EVENTS} events, not {size}")
    for start in range(0, len(versions), size):
        yield versions[start : start + size]


def notification_document(
    number: int,
    identity: InstanceIdentity,
    object_type: str,
    poll_date: datetime,
    versions: Sequence[FoundVersion],
    raw: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The JSON document of notification `number` carrying `versions` (1 to 10) found at `poll_date`; `raw` is the
    JSON text of every record of the vendor response they came from (default: the versions' own records)."""
    records = [json.loads(text) for text in _raw_texts(versions, raw)]
    return _document(number, identity, object_type, poll_date, versions, records)


def notification_body(
    number: int,
    identity: InstanceIdentity,
    object_type: str,
    poll_date: datetime,
    versions: Sequence[FoundVersion],
    raw: Sequence[str] | None = None,
) -> bytes:
    """`encode(notification_document(...))`, with each record's JSON text spliced in as it was serialized when read
    (compact JSON nests: a value's text inside a document is its text alone) rather than parsed and dumped again."""
    document = _document(number, identity, object_type, poll_date, versions, _RECORDS_SLOT)
    text = compact_json(document)
    slot = compact_json(_RECORDS_SLOT)
    if text.count(slot) != 1:  # an instance name or tag holding the slot's text: build it the long way
        return encode(notification_document(number, identity, object_type, poll_date, versions, raw))
    records = "[" + ",".join(_raw_texts(versions, raw)) + "]"
    return text.replace(slot, records).encode("utf-8")


def _raw_texts(versions: Sequence[FoundVersion], raw: Sequence[str] | None) -> Sequence[str]:
    return [version.record_json for version in versions] if raw is None else raw


def _document(
    number: int,
    identity: InstanceIdentity,
    object_type: str,
    poll_date: datetime,
    versions: Sequence[FoundVersion],
    records: list[Any] | str,
) -> dict[str, Any]:
    if not 1 <= len(versions) <= MAX_EVENTS:
        raise ValueError(f"a notification carries 1 to {MAX_EVENTS} events, got {len(versions)}")
    poll_text = event_instant(poll_date)
    dates = {version.date for version in versions}  # a burst's events share their stamps: each written once
    date_texts = {date: event_instant(date) for date in dates}
    events = [
        {
            "date": date_texts[version.date],
            "elementKey": ELEMENT_KEY,
            "pollDate": poll_text,
            "eventType": version.event_type,
            "hubKey": HUB_KEY,
            "objectId": version.object_id,
            "objectType": object_type,
        }
        for version in versions
    ]
    # The keys in the order of the real payloads (usecase-references APIResponseTest.java).
    message: dict[str, Any] = {
        "elementKey": ELEMENT_KEY,
        "accountId": identity.account_id,
        "eventId": event_id(identity.instance_id, number, poll_date),
        "companyId": identity.company_id,
        "instanceId": identity.instance_id,
        "instance_id": identity.instance_id,
        "instanceName": identity.name,
    }
    if identity.tags:
        message["instanceTags"] = list(identity.tags)
    message["raw"] = {
        object_type: records,
        "pollDate": epoch_ms(poll_date),
        "objectType": object_type,
    }
    message["userId"] = identity.user_id
    message["events"] = events
    return {
        "severity": "medium",
        "createdDate": java_date_string(poll_date),
        "topic": identity.topic,
        "action": "create",
        "id": str(number),
        "message": message,
        "user": NOTIFICATION_USER,
    }


def encode(document: dict[str, Any]) -> bytes:
    """The exact bytes sent (and re-sent on every retry): compact UTF-8 JSON."""
    return compact_json(document).encode("utf-8")
