"""A deliberately naive external poller: Open Connectors' documented algorithm, taken literally.

Strict `>` on a second-precision cursor, the cursor moved to the window's start with no overlap, no
de-duplication, one delivery attempt. It exists to prove the judge judges: the suite must catch it losing
an update made inside the second a window starts. Run as `python -m cwmock.contract_tests.zoo.naive_poller`
under the external-poller protocol (docs/contract-suite/protocol.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cwmock.contract_tests.zoo.wire import Client, HttpError
from cwmock.core.timestamps import parse_iso

SECOND_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PLACEHOLDER = "${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}"


def _configuration(instance: dict[str, Any]) -> dict[str, Any]:
    configuration: dict[str, Any] = instance["configuration"]
    return configuration


def _resource(configuration: dict[str, Any]) -> dict[str, Any]:
    poller = configuration["event.poller.configuration"]
    if isinstance(poller, str):
        poller = json.loads(poller)
    contacts: dict[str, Any] = poller["contacts"]
    return contacts


def _render(url: str, cursor: datetime) -> str:
    if PLACEHOLDER not in url:
        raise SystemExit(f"the naive poller only understands {PLACEHOLDER}; got {url!r}")
    path, _, query = url.replace(PLACEHOLDER, cursor.strftime(SECOND_FORMAT)).partition("?")
    pairs = [part.partition("=") for part in query.split("&") if part]
    return path + ("?" + "&".join(f"{k}={quote(v, safe='')}" for k, _, v in pairs) if pairs else "")


def _fetch(client: Client, hub_url: str, rendered: str, auth: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        separator = "&" if "?" in rendered else "?"
        url = f"{hub_url}{rendered}{separator}pageSize=200" + (f"&nextPage={quote(token)}" if token else "")
        response = client.get(url, headers={"Authorization": auth})
        response.raise_for_status()
        page = response.json()
        records.extend(page)
        token = response.headers.get("elements-next-page-token")
        if len(page) < 200 or not token:
            return records


def _java_date(instant: datetime) -> str:
    return instant.strftime("%a %b %d %H:%M:%S UTC %Y")


def _notification(instance: dict[str, Any], records: list[dict[str, Any]], poll: datetime, n: int) -> dict[str, Any]:
    events = [
        {
            "date": r["_info"]["lastUpdated"],
            "elementKey": "connectwisecrmrest",
            "pollDate": poll.strftime(SECOND_FORMAT),
            "eventType": "CREATED",
            "hubKey": "crm",
            "objectId": str(r["id"]),
            "objectType": "contacts",
        }
        for r in records
    ]
    instance_id = instance["id"]
    return {
        "severity": "medium",
        "createdDate": _java_date(poll),
        "topic": f"instance-{instance_id}-connectwisecrmrest-events",
        "action": "create",
        "id": str(int(poll.timestamp()) * 100 + n),
        "message": {
            "elementKey": "connectwisecrmrest",
            "eventId": f"naive-{instance_id}-{int(poll.timestamp())}-{n}",
            "instanceId": instance_id,
            "instance_id": instance_id,
            "instanceName": instance.get("name", ""),
            "instanceTags": instance.get("tags", []),
            "raw": {"contacts": records, "pollDate": int(poll.timestamp() * 1000), "objectType": "contacts"},
            "events": events,
        },
        "user": "notifications@cloud-elements.com",
    }


def main() -> int:
    """One window of the naive algorithm."""
    instance = json.loads(Path(os.environ["CWMOCK_INSTANCE"]).read_text(encoding="utf-8"))
    configuration = _configuration(instance)
    state = Path(os.environ["CWMOCK_STATE_DIR"]) / "cursor.txt"
    now = parse_iso(os.environ["CWMOCK_NOW"]).replace(microsecond=0)
    cursor = parse_iso(state.read_text() if state.exists() else os.environ["CWMOCK_START"]).replace(microsecond=0)
    resource = _resource(configuration)
    timeout = float(os.environ.get("CWMOCK_HTTP_TIMEOUT", "2"))
    client = Client(timeout)
    rendered = _render(resource["url"], cursor)
    records = _fetch(client, os.environ["CWMOCK_HUB_URL"], rendered, os.environ["CWMOCK_HUB_AUTH"])
    fresh = [r for r in records if parse_iso(r["_info"]["lastUpdated"]) > cursor]
    key = configuration.get("event.notification.signature.key")
    for n, start in enumerate(range(0, len(fresh), 10)):
        body = json.dumps(_notification(instance, fresh[start : start + 10], now, n)).encode()
        headers = {"Content-Type": "application/json", "Elements-Webhook-Id": f"naive-{now.timestamp():.0f}-{n}"}
        if key:
            digest = hmac.new(str(key).encode(), body, hashlib.sha256).digest()
            headers["Elements-Webhook-Signature"] = "sha256=" + base64.b64encode(digest).decode()
        with contextlib.suppress(HttpError):  # naive: one attempt, failures forgotten
            client.post(configuration["event.notification.callback.url"], content=body, headers=headers)
    state.write_text(now.astimezone(timezone.utc).strftime(SECOND_FORMAT))
    print(json.dumps({"next_due": None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
