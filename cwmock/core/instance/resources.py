"""Per-resource poller configuration: `event.poller.configuration` and the legacy `event.poller.urls`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cached_property
from typing import Any

from cwmock.core.instance.errors import Path, Problems
from cwmock.core.instance.url_template import UrlTemplate, UrlTemplateError, parse_url_template
from cwmock.core.instance.values import read_bool, read_object, read_text, read_whole_number, reject_unknown_keys
from cwmock.core.javadate.errors import JavaDateError, UnknownZoneError
from cwmock.core.javadate.formatting import EPOCH_MILLIS, JavaDateFormat
from cwmock.core.javadate.zones import resolve_zone
from cwmock.core.validation import MAX_DURATION_SECONDS

DEFAULT_TIMEZONE = "GMT"
DEFAULT_ID_FIELD = "id"
DEFAULT_CREATED_CHECK_TOLERANCE = timedelta(seconds=10)
# Documented per-resource keys (UiPath Integration Service, "Events Reference", of the same platform lineage) that
# the reference poller keeps but does not emulate: hooks run platform code, and what batchSize, objectName and
# parameters change is not documented. docs/reference-poller.md#instance-keys
NOT_EMULATED_KEYS = (
    "batchSize",
    "postHooks",
    "postHookPipelines",
    "useHydrationBeforePostHooks",
    "objectName",
    "parameters",
)
RESOURCE_KEYS = (
    "url",
    "idField",
    "datesConfiguration",
    "filterByUpdatedDate",
    "filterByCurrentDate",
    "createdCheckTolerance",
    "pageSize",
    "pollDelay",
    "useLastPollDate",
    *NOT_EMULATED_KEYS,
)
DATES_KEYS = (
    "updatedDateField",
    "updatedDateFormat",
    "updatedDateTimezone",
    "createdDateField",
    "createdDateFormat",
    "createdDateTimezone",
)
LEGACY_FIELDS = ("resource", "url", "xPathFilter", *DATES_KEYS)


@dataclass(frozen=True)
class DateField:
    """Where a record keeps a date and how it is written: dot path, Java pattern (or `milliseconds`), zone."""

    field: str
    format: str
    timezone: str

    def formatter(self) -> JavaDateFormat:
        """The Java date format that reads this field (compiled once: every served record is read with it)."""
        return self._formatter

    @cached_property
    def _formatter(self) -> JavaDateFormat:
        return JavaDateFormat(self.format, self.timezone)

    def path(self) -> tuple[str, ...]:
        """The dot path split into keys: `_info.lastUpdated` → ("_info", "lastUpdated")."""
        return tuple(self.field.split("."))


@dataclass(frozen=True)
class ResourcePoller:
    """How one resource (e.g. `contacts`) is polled."""

    name: str
    url: UrlTemplate
    id_field: str = DEFAULT_ID_FIELD
    updated: DateField | None = None
    created: DateField | None = None
    filter_by_updated_date: bool = True
    filter_by_current_date: bool = False
    created_check_tolerance: timedelta = DEFAULT_CREATED_CHECK_TOLERANCE
    page_size: int | None = None
    poll_delay: timedelta = timedelta(0)
    x_path_filter: str | None = None
    # Documented keys given for this resource that the reference poller does not emulate (kept in the instance JSON).
    not_emulated: tuple[str, ...] = ()

    @property
    def filter_field(self) -> DateField | None:
        """The date the window filters on: updated, or created when filterByUpdatedDate is false."""
        return self.updated if self.filter_by_updated_date else self.created


def parse_resources(value: object, path: Path, problems: Problems) -> tuple[ResourcePoller, ...]:
    """`event.poller.configuration`: {resource: {...}}, as an object or as a JSON-encoded string."""
    body = read_object(value, path, problems, what='one entry per resource, e.g. {"contacts": {...}}')
    if body is None:
        return ()
    resources = []
    for name, config in body.items():
        resource = _parse_resource(name, config, (*path, name), problems)
        if resource is not None:
            resources.append(resource)
    return tuple(resources)


def parse_legacy_urls(value: object, path: Path, problems: Problems) -> tuple[ResourcePoller, ...]:
    """`event.poller.urls`: lines of `resource|url|xPathFilter|updatedField|updatedFormat|updatedTZ|...`."""
    text = read_text(value, path, problems, required=True, what="one line per resource")
    if text is None:
        return ()
    resources = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        line_path = (*path, f"line {number}")
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or len(parts) > len(LEGACY_FIELDS):
            problems.add(
                line_path,
                f"has {len(parts)} '|'-separated fields; expected 2 to {len(LEGACY_FIELDS)}: "
                + "|".join(LEGACY_FIELDS),
            )
            continue
        fields = dict(zip(LEGACY_FIELDS, parts, strict=False))
        config: dict[str, Any] = {"url": fields["url"]}
        dates = {key: fields[key] for key in DATES_KEYS if fields.get(key)}
        if dates:
            config["datesConfiguration"] = dates
        resource = _parse_resource(fields["resource"], config, line_path, problems)
        if resource is not None and fields.get("xPathFilter"):
            resource = _with_x_path(resource, fields["xPathFilter"])
        if resource is not None:
            resources.append(resource)
    return tuple(resources)


def _with_x_path(resource: ResourcePoller, x_path_filter: str) -> ResourcePoller:
    return replace(resource, x_path_filter=x_path_filter)


def _parse_resource(name: str, value: object, path: Path, problems: Problems) -> ResourcePoller | None:
    if not name.strip():
        problems.add(path, "a resource needs a name, e.g. contacts")
    config = read_object(value, path, problems, what="the resource's url, idField and datesConfiguration")
    if config is None:
        return None
    reject_unknown_keys(config, RESOURCE_KEYS, path, problems)
    url = _parse_url(config.get("url"), (*path, "url"), problems)
    id_field = read_text(
        config.get("idField", DEFAULT_ID_FIELD),
        (*path, "idField"),
        problems,
        required=False,
        what="the record's id field, e.g. id",
    )
    by_updated = read_bool(config.get("filterByUpdatedDate"), (*path, "filterByUpdatedDate"), problems, True)
    by_current = read_bool(config.get("filterByCurrentDate"), (*path, "filterByCurrentDate"), problems, False)
    tolerance = _seconds(config, "createdCheckTolerance", path, problems, DEFAULT_CREATED_CHECK_TOLERANCE)
    poll_delay = _seconds(config, "pollDelay", path, problems, timedelta(0))
    page_size = None
    if config.get("pageSize") is not None:
        page_size = read_whole_number(
            config["pageSize"], (*path, "pageSize"), problems, unit="records", example=200, minimum=1
        )
    not_emulated = _not_emulated(config, path, problems)
    dates_path = (*path, "datesConfiguration")
    dates: Mapping[str, Any] = {}
    if config.get("datesConfiguration") is not None:
        dates = read_object(config["datesConfiguration"], dates_path, problems, what="the date fields") or {}
        reject_unknown_keys(dates, DATES_KEYS, dates_path, problems)
    updated = _date_field(dates, "updated", dates_path, problems, required=by_updated)
    created = _date_field(dates, "created", dates_path, problems, required=not by_updated)
    if url is None:
        return None
    return ResourcePoller(
        name=name,
        url=url,
        id_field=id_field or DEFAULT_ID_FIELD,
        updated=updated,
        created=created,
        filter_by_updated_date=by_updated,
        filter_by_current_date=by_current,
        created_check_tolerance=tolerance,
        page_size=page_size,
        poll_delay=poll_delay,
        not_emulated=not_emulated,
    )


def _not_emulated(config: Mapping[str, Any], path: Path, problems: Problems) -> tuple[str, ...]:
    """The documented keys given that polling does not honour: checked where their type is known, then kept.

    `useLastPollDate: true` is what the poller does anyway (the url's dates are the last poll time); false would
    take another time, which no source describes, so it is reported as not emulated.
    """
    if config.get("batchSize") is not None:
        read_whole_number(config["batchSize"], (*path, "batchSize"), problems, unit="events", example=10, minimum=1)
    given = [key for key in NOT_EMULATED_KEYS if key in config]
    if not read_bool(config.get("useLastPollDate"), (*path, "useLastPollDate"), problems, True):
        given.insert(0, "useLastPollDate")
    return tuple(given)


def _parse_url(value: object, path: Path, problems: Problems) -> UrlTemplate | None:
    text = read_text(value, path, problems, required=True, what="the resource URL, e.g. /hubs/crm/contacts")
    if text is None:
        return None
    try:
        return parse_url_template(text)
    except UrlTemplateError as error:
        problems.add(path, str(error))
        return None


def _seconds(config: Mapping[str, Any], key: str, path: Path, problems: Problems, default: timedelta) -> timedelta:
    if config.get(key) is None:
        return default
    seconds = read_whole_number(
        config[key], (*path, key), problems, unit="seconds", example=10, maximum=MAX_DURATION_SECONDS
    )
    return default if seconds is None else timedelta(seconds=seconds)


def _date_field(
    dates: Mapping[str, Any], prefix: str, path: Path, problems: Problems, *, required: bool
) -> DateField | None:
    field_key, format_key, zone_key = (f"{prefix}Date{suffix}" for suffix in ("Field", "Format", "Timezone"))
    field_value, format_value = dates.get(field_key), dates.get(format_key)
    if field_value is None and format_value is None and not required:
        return None
    why = "filterByUpdatedDate is true" if prefix == "updated" else "filterByUpdatedDate is false"
    field = read_text(
        field_value,
        (*path, field_key),
        problems,
        required=True,
        what=f"the record's {prefix} date field (needed: {why}), e.g. _info.lastUpdated",
    )
    pattern = read_text(
        format_value,
        (*path, format_key),
        problems,
        required=True,
        what=f"a Java date pattern or {EPOCH_MILLIS}, e.g. yyyy-MM-dd'T'HH:mm:ss'Z'",
    )
    zone = read_text(
        dates.get(zone_key, DEFAULT_TIMEZONE),
        (*path, zone_key),
        problems,
        required=False,
        what="a time zone id such as GMT or America/Denver",
    )
    zone_ok = True
    if zone is not None:
        try:
            resolve_zone(zone)
        except UnknownZoneError as error:
            problems.add((*path, zone_key), str(error))
            zone_ok = False
    if pattern is not None and zone_ok:
        try:
            JavaDateFormat(pattern, zone or DEFAULT_TIMEZONE).check_parseable()
        except JavaDateError as error:
            problems.add((*path, format_key), str(error))
            return None
    if field is None or pattern is None or zone is None or not zone_ok:
        return None
    return DateField(field, pattern, zone)
