"""The Open Connectors instance JSON (the body POSTed to /instances) as typed, frozen configuration."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cwmock.core.instance.errors import Path, Problems
from cwmock.core.instance.resources import ResourcePoller, parse_legacy_urls, parse_resources
from cwmock.core.instance.values import (
    find_placeholders,
    read_bool,
    read_http_url,
    read_object,
    read_text,
    read_whole_number,
)
from cwmock.core.timestamps import UTC, parse_iso
from cwmock.core.validation import MAX_DURATION_SECONDS, InputError, check_json_value, read_json_document

ELEMENT_KEY = "connectwisecrmrest"
POLLER_CONFIGURATION = "event.poller.configuration"
POLLER_URLS = "event.poller.urls"
CONNECTWISE_AUTH_KEYS = ("baseUrl", "company", "public.key", "private.key")


@dataclass(frozen=True)
class InstanceConfiguration:
    """The `configuration` object: ConnectWise credentials, event delivery and polling settings."""

    base_url: str
    company: str
    public_key: str
    private_key: str
    notification_enabled: bool = False
    callback_url: str | None = None
    signature_key: str | None = None
    refresh_interval_minutes: int | None = None
    filter_response_nulls: bool = True
    vendor_type: str | None = None
    resources: tuple[ResourcePoller, ...] = ()

    def resource(self, name: str) -> ResourcePoller:
        """The poller configuration of resource `name` (KeyError naming the configured ones if absent)."""
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(f"no poller configured for {name!r}; configured: {[r.name for r in self.resources]}")


@dataclass(frozen=True)
class Instance:
    """An instance as GET /instances/{id} returns it: the POST body plus id, token and createdDate."""

    element_key: str
    name: str
    tags: tuple[str, ...]
    configuration: InstanceConfiguration
    id: int | None
    token: str | None
    created_date: datetime | None
    raw_json: str

    def to_json(self) -> dict[str, Any]:
        """The instance JSON, every key as given (unknown ones such as providerData included)."""
        body: dict[str, Any] = json.loads(self.raw_json)
        return body

    def with_platform_fields(self, *, instance_id: int, token: str, created_date: datetime) -> Instance:
        """This instance as the platform stores it after POST /instances: with id, token and createdDate."""
        body = self.to_json()
        body["id"] = instance_id
        body["token"] = token
        body["createdDate"] = format_created_date(created_date)
        return parse_instance(body)


def format_created_date(instant: datetime) -> str:
    """`createdDate` as cwmock writes it: ISO-8601 UTC with milliseconds, 2024-06-15T12:00:00.000Z."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_instance(body: Mapping[str, Any] | str) -> Instance:
    """Check and type an instance JSON (a mapping or its text); InstanceConfigError lists every problem."""
    problems = Problems()
    try:  # bounded nesting, finite numbers, valid text: docs/limits.md#json
        body = read_json_document(body, key="the instance JSON") if isinstance(body, str) else check_json_value(body)
    except InputError as error:
        problems.add((), str(error))
        problems.raise_if_any()
    root = read_object(body, (), problems, what="element, configuration and name")
    problems.raise_if_any()
    assert root is not None, "read_object reports a non-object"
    _reject_oauth(root.get("configuration"), problems)
    find_placeholders(root, (), problems)
    element_key = _element_key(root.get("element"), problems)
    name = read_text(root.get("name"), ("name",), problems, required=True, what="the instance name")
    tags = _tags(root.get("tags"), problems)
    configuration = _configuration(root.get("configuration"), problems)
    instance_id, token, created_date = _platform_fields(root, problems)
    problems.raise_if_any()
    assert name is not None, "a missing name was raised above"
    assert configuration is not None, "a bad configuration was raised above"
    return Instance(
        element_key=element_key,
        name=name,
        tags=tags,
        configuration=configuration,
        id=instance_id,
        token=token,
        created_date=created_date,
        raw_json=json.dumps(root, ensure_ascii=False),
    )


def _element_key(value: object, problems: Problems) -> str:
    element = read_object(value, ("element",), problems, what='the connector key: {"key": "connectwisecrmrest"}')
    if element is None:
        return ""
    key = element.get("key")
    if key != ELEMENT_KEY and not problems.has(("element", "key")):
        problems.add(("element", "key"), f"{key!r}: cwmock emulates only the {ELEMENT_KEY} connector")
    return ELEMENT_KEY


def _tags(value: object, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(("tags",), f"expected a list of strings, got {value!r}")
        return ()
    tags = []
    for index, tag in enumerate(value):
        text = read_text(tag, ("tags", index), problems, required=True, what="a tag")
        if text is not None:
            tags.append(text)
    return tuple(tags)


def _configuration(value: object, problems: Problems) -> InstanceConfiguration | None:
    path: Path = ("configuration",)
    config = read_object(value, path, problems, what="the connector's credentials and event settings")
    if config is None:
        return None
    auth = {key: _auth_value(config, key, problems) for key in CONNECTWISE_AUTH_KEYS}
    enabled = read_bool(
        config.get("event.notification.enabled"), (*path, "event.notification.enabled"), problems, False
    )
    callback_url = read_http_url(
        config.get("event.notification.callback.url"),
        (*path, "event.notification.callback.url"),
        problems,
        required=enabled,
        what="the URL events are POSTed to (needed when events are enabled)",
    )
    signature_key = read_text(
        config.get("event.notification.signature.key"),
        (*path, "event.notification.signature.key"),
        problems,
        required=False,
        what="the HMAC key for Elements-Webhook-Signature",
    )
    refresh = None
    refresh_value = config.get("event.poller.refresh_interval")
    if refresh_value is not None or enabled:
        refresh = read_whole_number(
            refresh_value,
            (*path, "event.poller.refresh_interval"),
            problems,
            unit="minutes",
            example=15,
            minimum=1,
            maximum=MAX_DURATION_SECONDS // 60,
        )
    nulls = read_bool(config.get("filter.response.nulls"), (*path, "filter.response.nulls"), problems, True)
    vendor_type = config.get("event.vendor.type")
    if vendor_type is not None and vendor_type != "polling":
        problems.add((*path, "event.vendor.type"), f"{vendor_type!r}: {ELEMENT_KEY} events come only by polling")
    resources = _resources(config, path, problems, enabled=enabled)
    if any(value is None for value in auth.values()):
        return None
    return InstanceConfiguration(
        base_url=auth["baseUrl"] or "",
        company=auth["company"] or "",
        public_key=auth["public.key"] or "",
        private_key=auth["private.key"] or "",
        notification_enabled=enabled,
        callback_url=callback_url,
        signature_key=signature_key,
        refresh_interval_minutes=refresh,
        filter_response_nulls=nulls,
        vendor_type=vendor_type if isinstance(vendor_type, str) else None,
        resources=resources,
    )


def _reject_oauth(config: object, problems: Problems) -> None:
    if not isinstance(config, Mapping):
        return
    for key in config:
        if key.startswith("oauth."):
            problems.add(
                ("configuration", key),
                f"{ELEMENT_KEY} does not use OAuth; it authenticates with baseUrl, company, public.key and "
                "private.key, so remove this key",
            )


def _auth_value(config: Mapping[str, Any], key: str, problems: Problems) -> str | None:
    path = ("configuration", key)
    what = {
        "baseUrl": "your ConnectWise API URL, e.g. https://api-na.myconnectwise.net/v4_6_release/apis/3.0",
        "company": "the ConnectWise company you log in with",
        "public.key": "the ConnectWise API member's public key",
        "private.key": "the ConnectWise API member's private key",
    }[key]
    if key == "baseUrl":
        return read_http_url(config.get(key), path, problems, required=True, what=what)
    return read_text(config.get(key), path, problems, required=True, what=what)


def _resources(
    config: Mapping[str, Any], path: Path, problems: Problems, *, enabled: bool
) -> tuple[ResourcePoller, ...]:
    json_form, legacy_form = config.get(POLLER_CONFIGURATION), config.get(POLLER_URLS)
    if json_form is not None and legacy_form is not None:
        problems.add((*path, POLLER_URLS), f"give either {POLLER_CONFIGURATION} or {POLLER_URLS}, not both")
        return ()
    if legacy_form is not None:
        resources = parse_legacy_urls(legacy_form, (*path, POLLER_URLS), problems)
    elif json_form is not None:
        resources = parse_resources(
            _decoded(json_form, (*path, POLLER_CONFIGURATION), problems),
            (*path, POLLER_CONFIGURATION),
            problems,
        )
    else:
        resources = ()
    reported = problems.has_under((*path, POLLER_CONFIGURATION)) or problems.has_under((*path, POLLER_URLS))
    if enabled and not resources and not reported:
        problems.add(
            (*path, POLLER_CONFIGURATION),
            'events are enabled but no resource is polled; configure e.g. {"contacts": {"url": ...}}',
        )
    return resources


def _decoded(value: object, path: Path, problems: Problems) -> object:
    """The poller configuration may arrive as a JSON-encoded string (official examples use both forms)."""
    if not isinstance(value, str):
        return value
    try:
        return read_json_document(value, key="the string")
    except InputError as error:
        problems.add(path, f"is a string but not usable JSON ({error}); give a JSON object or its JSON text")
        return {}


def _platform_fields(root: Mapping[str, Any], problems: Problems) -> tuple[int | None, str | None, datetime | None]:
    instance_id = root.get("id")
    if instance_id is not None and (isinstance(instance_id, bool) or not isinstance(instance_id, int)):
        problems.add(("id",), f"{instance_id!r} is not an integer instance id")
        instance_id = None
    token = read_text(root.get("token"), ("token",), problems, required=False, what="the instance token")
    created = root.get("createdDate")
    created_date = None
    if created is not None:
        with contextlib.suppress(ValueError):
            created_date = parse_iso(created) if isinstance(created, str) else None
        if created_date is None:
            problems.add(("createdDate",), f"{created!r} is not an ISO-8601 instant such as 2024-06-15T12:00:00Z")
    return instance_id, token, created_date
