"""Is a notification body well formed? The schema in fixtures/schemas plus the rules it cannot express."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cwmock.fixtures import read_fixture

NOTIFICATION_SCHEMA = "schemas/notification.schema.json"
EVENT_SCHEMA = "schemas/event.schema.json"

_UTC_SECOND = "%Y-%m-%dT%H:%M:%SZ"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_JAVA_DATE = re.compile(r"^(\w{3}) (\w{3}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) (\S+) (\d{4})$")
_UTC_SECOND_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_TOPIC = re.compile(r"^instance-(\d+)-")


@functools.cache
def notification_validator() -> Draft202012Validator:
    """A draft 2020-12 validator for the notification schema, with the event schema resolvable by its $id."""
    schemas = [json.loads(read_fixture(name)) for name in (NOTIFICATION_SCHEMA, EVENT_SCHEMA)]
    resources = [(s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas]
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft202012Validator(schemas[0], registry=registry)


def _location(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(body)"


def _summary(instance: Any) -> str:
    if isinstance(instance, list):
        return f"an array of {len(instance)} item(s)"
    if isinstance(instance, dict):
        return f"an object with keys {sorted(instance)[:8]}" + (" ..." if len(instance) > 8 else "")
    return repr(instance)


def _describe(error: ValidationError) -> str:
    """jsonschema's message, with a whole record or array quoted at the start replaced by a short summary."""
    if error.validator == "maxItems" and isinstance(error.instance, list):
        return f"{len(error.instance)} items, more than the maximum of {error.validator_value}"
    if error.validator == "minItems" and isinstance(error.instance, list):
        return f"{len(error.instance)} items, fewer than the minimum of {error.validator_value}"
    quoted = repr(error.instance)
    if isinstance(error.instance, (list, dict)) and error.message.startswith(quoted):
        return _summary(error.instance) + error.message[len(quoted) :]
    return error.message


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        duplicates = sorted(key for key, count in counts.items() if count > 1)
        raise ValueError(f"duplicate keys {duplicates} in one JSON object; a consumer silently keeps the last")
    return document


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON; send a number or null")


def parse_body(body: bytes) -> tuple[Any, list[str]]:
    """The parsed JSON document, or None and the reason it could not be parsed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"body is not UTF-8 ({exc}); send the JSON encoded as UTF-8"]
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys, parse_constant=_reject_constant), []
    except ValueError as exc:
        return None, [f"body is not valid JSON: {exc}"]


def value_at(document: Any, *path: str) -> Any:
    """The value at `path` (keys of nested objects), or None when any step is missing or of the wrong kind."""
    for step in path:
        if not isinstance(document, dict):
            return None
        document = document.get(step)
    return document


def dotted_value(record: Any, dot_path: str) -> Any:
    """The value at a dot path (`_info.lastUpdated`), or None as for `value_at`."""
    return value_at(record, *dot_path.split("."))


def _check_instant(value: Any, where: str) -> list[str]:
    if not isinstance(value, str) or not _UTC_SECOND_SHAPE.match(value):
        return []  # the schema reports the shape
    try:
        datetime.strptime(value, _UTC_SECOND)
    except ValueError:
        return [f"{where}: {value!r} is not a real calendar instant in yyyy-MM-dd'T'HH:mm:ss'Z' form"]
    return []


def _check_created_date(value: Any) -> list[str]:
    match = _JAVA_DATE.match(value) if isinstance(value, str) else None
    if match is None or match[1] not in _WEEKDAYS or match[2] not in _MONTHS:
        return []  # the schema reports the shape
    weekday, month, day, hour, minute, second, _zone, year = match.groups()
    try:
        instant = datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second))
    except ValueError:
        return [f"createdDate: {value!r} is not a real calendar date"]
    actual = _WEEKDAYS[instant.weekday()]
    if actual != weekday:
        return [f"createdDate: {value!r} says {weekday} but that date is a {actual}"]
    return []


def _check_identity(document: Any) -> list[str]:
    problems: list[str] = []
    instance_id, alias = value_at(document, "message", "instanceId"), value_at(document, "message", "instance_id")
    if isinstance(instance_id, int) and isinstance(alias, int) and instance_id != alias:
        problems.append(
            f"message.instanceId is {instance_id} but message.instance_id is {alias}; both name the instance"
        )
    topic = value_at(document, "topic")
    topic_match = _TOPIC.match(topic) if isinstance(topic, str) else None
    if topic_match and isinstance(instance_id, int) and int(topic_match[1]) != instance_id:
        problems.append(f"topic {topic!r} names instance {topic_match[1]} but message.instanceId is {instance_id}")
    return problems


def _check_events_against_raw(document: Any, id_field: str) -> list[str]:
    problems: list[str] = []
    events, records = value_at(document, "message", "events"), value_at(document, "message", "raw", "contacts")
    raw_type = value_at(document, "message", "raw", "objectType")
    if not isinstance(events, list):
        return problems
    for index, event in enumerate(events):
        object_type = value_at(event, "objectType")
        if isinstance(object_type, str) and isinstance(raw_type, str) and object_type != raw_type:
            problems.append(
                f"message.events[{index}].objectType is {object_type!r} but message.raw.objectType is {raw_type!r}"
            )
        problems += _check_instant(value_at(event, "date"), f"message.events[{index}].date")
        problems += _check_instant(value_at(event, "pollDate"), f"message.events[{index}].pollDate")
    if not isinstance(records, list):
        return problems
    # Events Overview: the full vendor body is repeated in each notification of a split, so raw is not aligned
    # with events; an event's record is found by its idField.
    raw_ids = {str(record_id) for record in records if (record_id := dotted_value(record, id_field)) is not None}
    for index, event in enumerate(events):
        object_id = value_at(event, "objectId")
        if isinstance(object_id, str) and object_id not in raw_ids:
            problems.append(
                f"message.events[{index}].objectId is {object_id!r} but no record in message.raw.contacts has "
                f"{id_field} {object_id!r}; raw must carry every event's record"
            )
    return problems


def validate_document(document: Any, *, id_field: str = "id") -> list[str]:
    """Every problem with an already parsed notification: schema violations first, then cross-field rules."""
    found = notification_validator().iter_errors(document)
    errors = sorted(found, key=lambda error: list(error.absolute_path))
    problems = [f"{_location(error.absolute_path)}: {_describe(error)}" for error in errors]
    problems += _check_identity(document)
    problems += _check_created_date(value_at(document, "createdDate"))
    problems += _check_events_against_raw(document, id_field)
    return problems


def validate_notification(body: bytes, *, id_field: str = "id") -> list[str]:
    """Every problem with a notification's raw body bytes; an empty list means correctly formatted.

    `id_field` is the resource's `idField` (a dot path); `objectId` must equal that field of its record.
    """
    document, problems = parse_body(body)
    if problems:
        return problems
    return validate_document(document, id_field=id_field)
