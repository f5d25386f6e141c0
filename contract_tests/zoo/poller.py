"""The bug zoo: a small external poller that is correct by default, and wrong in one chosen way with `--bug NAME`.

It exists to prove the contract suite finds real polling bugs (README, "The bug zoo"): every bug is one that ships
in production pollers, and each is caught by at least one scenario with its own finding. Independent of cwmock's
reference poller (it shares only cwmock.core: the URL-template renderer and timestamps). Run under the
external-poller protocol:

    python -m cwmock.contract_tests.zoo.poller [--bug NAME] [--variant NAME ...]

The correct base: lower bound = s₀ on the first window, else the last complete window's start − pollDelay − 1 s;
keeps records stamped after the lower bound and after s₀; a seen-set of (id, stamp) versions; notifications of at
most 10 events, built once, stored with their bytes and webhook id; retries 8^k s after attempt k fails
(`Retry-After` wins), 5 retries then parked, 410 parks at once; state saved before anything is sent.

`--variant NAME` (repeatable) follows documented behaviour differently from cwmock's reference poller, with no bug:
each must pass every documented scenario (docs/contract-suite/scenarios.md#the-bug-zoo).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cwmock.contract_tests.zoo.delivery import Outbox, notification_bytes
from cwmock.contract_tests.zoo.state import ZooState, load_state, save_state
from cwmock.contract_tests.zoo.wire import Client, HttpError, Response
from cwmock.core.instance.url_template import parse_url_template
from cwmock.core.timestamps import EPOCH, format_cw, parse_iso

BUGS: dict[str, str] = {
    "gte-no-dedupe": "reads `>=` the last poll (one second of overlap) but keeps no seen-set",
    "local-time": "renders the lower bound from naive local time (datetime.fromtimestamp) as if it were GMT",
    "offset-paging": "pages by offset (page=N) and trusts pages never to overlap: no de-duplication within a window",
    "no-retry": "moves on before delivery succeeded: a refused notification is never sent again",
    "hex-signature": "signs with hex HMAC-SHA256 instead of Base64",
    "batch-all": "puts every change of a window in one notification (more than 10 events)",
    "created-if-new-id": "eventType CREATED the first time it meets an id, UPDATED after (not the documented rule)",
    "dedupe-by-id": "de-duplicates on the record id alone, so a later version of a delivered record is dropped",
    "new-id-per-retry": "gives every delivery attempt a new Elements-Webhook-Id",
    "rebuild-on-retry": "rebuilds the notification on every retry (a new pollDate) under the same webhook id",
    "ignore-poll-delay": "ignores pollDelay when it computes the lower bound",
    "backfill": "starts the first window from the beginning of time instead of the instance's start",
}
VARIANTS: dict[str, str] = {
    "whole-page-raw": "raw carries the whole hub page(s) the events came from, in each notification of a split "
    "(Open Connectors, Events Overview)",
    "date-header-poll-date": "pollDate is the hub's Date header of the window's first response",
    "retry-410": "a 410 is retried like any failure: 5 retries at 8^k s (Event Retry and Queueing)",
}
OVERLAP = timedelta(seconds=1)
DEFAULT_PAGE_SIZE = 200
MAX_EVENTS = 10
NEXT_PAGE_HEADER = "elements-next-page-token"
Chosen = tuple[dict[str, Any], str]  # a record and its eventType


def dotted(record: Any, path: str) -> Any:
    """`_info.lastUpdated` → record["_info"]["lastUpdated"] (None when absent)."""
    for part in path.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record


def read_page(client: Client, url: str, headers: dict[str, str], who: str) -> tuple[Response, list[dict[str, Any]]]:
    """GET one page of a list; raises on an error status or a body that is not a JSON list."""
    response = client.get(url, headers=headers)
    response.raise_for_status()
    page = response.json()
    if not isinstance(page, list):
        raise ValueError(f"{who} answered {type(page).__name__}, expected a list")
    return response, page


class Window:
    """One run: the instance, the resource settings, the environment and the chosen bug."""

    def __init__(self, bug: str | None, env: dict[str, str], variants: frozenset[str] = frozenset()) -> None:
        self.bug = bug
        self.variants = variants
        self.pages: list[list[dict[str, Any]]] = []
        self.first_date: datetime | None = None
        self.instance: dict[str, Any] = json.loads(Path(env["CWMOCK_INSTANCE"]).read_text(encoding="utf-8"))
        configuration = self.instance["configuration"]
        poller = configuration["event.poller.configuration"]
        self.resource: dict[str, Any] = (json.loads(poller) if isinstance(poller, str) else poller)["contacts"]
        self.dates: dict[str, Any] = self.resource.get("datesConfiguration", {})
        self.callback: str = configuration["event.notification.callback.url"]
        self.key: str | None = configuration.get("event.notification.signature.key") or None
        self.hub_url = env["CWMOCK_HUB_URL"]
        self.auth = env["CWMOCK_HUB_AUTH"]
        self.state_dir = Path(env["CWMOCK_STATE_DIR"])
        self.now = parse_iso(env["CWMOCK_NOW"]).replace(microsecond=0)
        self.start = parse_iso(env["CWMOCK_START"])
        self.http_timeout = float(env.get("CWMOCK_HTTP_TIMEOUT", "2"))

    def setting(self, name: str, default: float) -> float:
        """A numeric resource setting (numbers may be strings)."""
        return float(self.resource.get(name, default))

    def flag(self, name: str, default: bool) -> bool:
        """A boolean resource setting (`true`/`false` strings too)."""
        value = self.resource.get(name, default)
        return value if isinstance(value, bool) else str(value).lower() == "true"

    def lower_bound(self, state: ZooState) -> datetime:
        """Where this window's query starts."""
        if state.cursor is None:
            return EPOCH if self.bug == "backfill" else self.start
        delay = 0.0 if self.bug == "ignore-poll-delay" else self.setting("pollDelay", 0)
        return parse_iso(state.cursor) - timedelta(seconds=delay) - OVERLAP

    def render(self, lower: datetime) -> str:
        """The resource url with the lower bound (and now) filled in."""
        if self.bug == "local-time":
            lower = datetime.fromtimestamp(lower.timestamp()).replace(tzinfo=timezone.utc)  # the bug: local wall time
        return parse_url_template(self.resource["url"]).render(lower, self.now)

    def fetch(self, client: Client, rendered: str) -> list[dict[str, Any]]:
        """Every page of the result (cursor paging, offset when the hub sends no token); raises on any failure."""
        size = int(self.setting("pageSize", DEFAULT_PAGE_SIZE))
        records: list[dict[str, Any]] = []
        paging: dict[str, str] = {}
        offset = self.bug == "offset-paging"
        page_number = 1
        while True:
            params = {"pageSize": str(size), **paging}
            if offset:
                params["page"] = str(page_number)
            url = self.hub_url + rendered + ("&" if "?" in rendered else "?") + urlencode(params)
            response, page = read_page(client, url, {"Authorization": self.auth}, "the hub")
            if self.first_date is None and "Date" in response.headers:
                self.first_date = parsedate_to_datetime(response.headers["Date"]).astimezone(timezone.utc)
            records += page
            self.pages.append(page)
            if len(page) < size:
                return records
            page_number += 1
            token = response.headers.get(NEXT_PAGE_HEADER)
            if token and not offset:
                paging = {"nextPage": token}
            else:
                offset = True

    def event_type(self, record: dict[str, Any], updated: datetime, state: ZooState) -> str:
        """CREATED when the created and updated dates are within createdCheckTolerance, else UPDATED."""
        if self.bug == "created-if-new-id":
            return "UPDATED" if record["id"] in state.known_ids else "CREATED"
        created_text = dotted(record, self.dates.get("createdDateField", "_info.lastUpdated"))
        if not isinstance(created_text, str):
            return "UPDATED"
        gap = abs((updated - parse_iso(created_text)).total_seconds())
        return "CREATED" if gap <= self.setting("createdCheckTolerance", 10) else "UPDATED"

    def select(
        self, records: list[dict[str, Any]], lower: datetime, state: ZooState
    ) -> list[tuple[dict[str, Any], str]]:
        """The new versions among `records`, each with its eventType, in order."""
        updated_field = self.dates.get("updatedDateField", "_info.lastUpdated")
        filter_field = updated_field if self.flag("filterByUpdatedDate", True) else self.dates["createdDateField"]
        seen_before = set() if self.bug == "gte-no-dedupe" else set(state.seen)
        queued: set[str] = set()
        chosen: list[Chosen] = []
        for record in records:
            updated_text, filter_text = dotted(record, updated_field), dotted(record, filter_field)
            if "id" not in record or not isinstance(updated_text, str) or not isinstance(filter_text, str):
                continue
            stamp = parse_iso(filter_text)
            if stamp <= lower or (self.bug != "backfill" and stamp <= self.start):
                continue
            if self.flag("filterByCurrentDate", False) and stamp > self.now:
                continue
            updated = parse_iso(updated_text)
            key = str(record["id"]) if self.bug == "dedupe-by-id" else f"{record['id']}@{format_cw(updated)}"
            if key in seen_before or (key in queued and self.bug != "offset-paging"):
                continue
            queued.add(key)
            chosen.append((record, self.event_type(record, updated, state)))
            if record["id"] not in state.known_ids:
                state.known_ids.append(record["id"])
        state.seen = sorted(set(state.seen) | queued) if self.bug != "gte-no-dedupe" else []
        return chosen

    def notifications(self, chosen: list[Chosen], state: ZooState) -> list[dict[str, Any]]:
        """Documents of at most 10 events each (all in one under `batch-all`)."""
        size = (len(chosen) or 1) if self.bug == "batch-all" else MAX_EVENTS
        poll = self.first_date if "date-header-poll-date" in self.variants and self.first_date else self.now
        documents = []
        for begin in range(0, len(chosen), size):
            state.number += 1
            documents.append(self.document(state.number, chosen[begin : begin + size], poll))
        return documents

    def raw_records(self, chosen: list[Chosen]) -> list[dict[str, Any]]:
        """The events' records, or under `whole-page-raw` every record of the pages they came from."""
        if "whole-page-raw" not in self.variants:
            return [record for record, _ in chosen]
        wanted = {id(record) for record, _ in chosen}
        return [record for page in self.pages if any(id(r) in wanted for r in page) for record in page]

    def document(self, number: int, chosen: list[Chosen], poll: datetime) -> dict[str, Any]:
        """Open Connectors' notification envelope for these versions, found by the poll at `poll`."""
        updated_field = self.dates.get("updatedDateField", "_info.lastUpdated")
        instance_id = self.instance["id"]
        events = [
            {
                "date": format_cw(parse_iso(dotted(record, updated_field))),
                "elementKey": "connectwisecrmrest",
                "pollDate": format_cw(poll),
                "eventType": event_type,
                "hubKey": "crm",
                "objectId": str(record["id"]),
                "objectType": "contacts",
            }
            for record, event_type in chosen
        ]
        return {
            "severity": "medium",
            "createdDate": poll.astimezone(timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y"),
            "topic": f"instance-{instance_id}-connectwisecrmrest-events",
            "action": "create",
            "id": str(number),
            "message": {
                "elementKey": "connectwisecrmrest",
                "eventId": f"zoo-{instance_id}-{number}",
                "instanceId": instance_id,
                "instance_id": instance_id,
                "instanceName": self.instance.get("name", ""),
                "instanceTags": self.instance.get("tags", []),
                "raw": {
                    "contacts": self.raw_records(chosen),
                    "pollDate": int(poll.timestamp()) * 1000,
                    "objectType": "contacts",
                },
                "events": events,
            },
            "user": "notifications@cloud-elements.com",
        }

    def rebuild(self, entry_document: dict[str, Any]) -> bytes:
        """The `rebuild-on-retry` bug: the same notification with this window's pollDate."""
        document = json.loads(json.dumps(entry_document))
        for event in document["message"]["events"]:
            event["pollDate"] = format_cw(self.now)
        document["message"]["raw"]["pollDate"] = int(self.now.timestamp()) * 1000
        return notification_bytes(document)


def run(
    bug: str | None, env: dict[str, str], variants: frozenset[str] = frozenset(), kind: type[Window] | None = None
) -> datetime | None:
    """One window (of `kind`, default `Window`: over the hub): poll, commit, deliver what is due; returns when work
    is next due."""
    window = (kind or Window)(bug, env, variants)
    state = load_state(window.state_dir)
    outbox = Outbox(state, window.now, window.key, bug, retry_gone="retry-410" in variants)
    lower = window.lower_bound(state)
    client = Client(window.http_timeout)
    try:
        records = window.fetch(client, window.render(lower))
    except (HttpError, ValueError) as error:
        print(f"window incomplete, cursor kept: {error}", file=sys.stderr)
    else:
        for document in window.notifications(window.select(records, lower, state), state):
            outbox.add(document)
        state.cursor = format_cw(window.now)
        state.prune(window.lower_bound(state))
        save_state(window.state_dir, state)  # the window's results are durable before anything is sent
    rebuild: Callable[[dict[str, Any]], bytes] | None = window.rebuild if bug == "rebuild-on-retry" else None
    outbox.deliver(client, window.callback, rebuild)
    save_state(window.state_dir, state)
    return outbox.next_due()


def main(argv: list[str] | None = None) -> int:
    """Parse `--bug` and `--variant`, run one window, print `{"next_due": ...}`."""
    parser = argparse.ArgumentParser(prog="zoo_poller", description=__doc__.splitlines()[0])
    parser.add_argument("--bug", choices=sorted(BUGS), help="the one bug to have (default: none)")
    parser.add_argument(
        "--variant",
        action="append",
        choices=sorted(VARIANTS),
        default=[],
        help="follow documented behaviour this other way (repeatable; default: as cwmock's reference poller)",
    )
    args = parser.parse_args(argv)
    due = run(args.bug, dict(os.environ), frozenset(args.variant))
    print(json.dumps({"next_due": None if due is None else format_cw(due)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
