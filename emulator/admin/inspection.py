"""Admin reads and lifecycle: version history, journal, instance registry, served versions, reset, snapshots."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.clock import Clock
from cwmock.core.timestamps import iso_z
from cwmock.core.validation import check_text, id_from_text
from cwmock.emulator.admin.options import handles_errors, options_body, query_instant
from cwmock.emulator.http.bodies import read_json
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import json_response
from cwmock.emulator.journal.ring import Journal
from cwmock.emulator.model.errors import InvalidObject, invalid_field
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.snapshot import SNAPSHOT_MAX_DEPTH, restore_snapshot, take_snapshot
from cwmock.emulator.model.store import Store
from cwmock.emulator.model.versions import Version

MAX_CLIENT_ID = 200  # our bound: a clientId is a GUID (36 characters)


def _in_range(version: Version, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or version.stamp >= since) and (until is None or version.stamp <= until)


class AdminInspect:
    """What happened and what exists: the oracle's inputs, plus reset and snapshot/restore."""

    def __init__(self, store: Store, registry: InstanceRegistry, journal: Journal, clock: Clock) -> None:
        self.store = store
        self.registry = registry
        self.journal = journal
        self.clock = clock

    async def history(self, request: Request) -> Response:
        """GET /history?tenant=&id=&since=&until= → every version with its visibility (since/until bound stamps)."""
        self.store.settle()
        tenant_names = [request.query_params["tenant"]] if "tenant" in request.query_params else None
        raw_id = request.query_params.get("id")
        contact_id = None if raw_id is None else id_from_text("id", raw_id)
        since, until = query_instant(request, "since"), query_instant(request, "until")
        names = tenant_names or [creds.company for creds in self.store.tenants]
        versions = []
        for name in names:
            for version in self.store.tenant(name).history.versions():
                if (contact_id is None or version.id == contact_id) and _in_range(version, since, until):
                    versions.append(version.to_json())
        return json_response({"sequence": self.store.sequence, "versions": versions})

    async def sequence(self, request: Request) -> Response:
        """GET /sequence → {"sequence": the last number handed out, "now": server time} (cheap, for harnesses)."""
        self.store.settle()
        now = iso_z(self.store.server_now())
        return json_response({"sequence": self.store.sequence, "now": now})

    async def journal_entries(self, request: Request) -> Response:
        """GET /journal?path=/prefix → entries oldest first, with the ring's capacity and drop count."""
        entries = self.journal.entries(request.query_params.get("path"))
        return json_response(
            {
                "capacity": self.journal.capacity,
                "dropped": self.journal.dropped,
                "entries": [e.to_json() for e in entries],
            }
        )

    async def clear_journal(self, request: Request) -> Response:
        """DELETE /journal."""
        self.journal.clear()
        return Response(status_code=204)

    async def create_instance(self, request: Request) -> Response:
        """POST /instances {"tenant", "name", "tags"?, "configuration"?, "clientId"?} → 201 {id, token, ...}; with
        clientId, a native-API subject (docs/contract-suite/live-judge.md#native-subjects)."""
        options = await options_body(request)
        tenant = options.get("tenant")
        if not isinstance(tenant, str):
            raise invalid_field("tenant", "tenant (a login company id, e.g. cwmock) is required")
        name = options.get("name", "")
        tags = options.get("tags", [])
        if not isinstance(name, str) or not name:
            raise invalid_field("name", "name must be a non-empty string")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise invalid_field("tags", "tags must be a list of strings")
        configuration = options.get("configuration", {})
        if not isinstance(configuration, dict):
            raise invalid_field("configuration", "configuration must be the instance's configuration object")
        raw_client = options.get("clientId")
        client_id = None if raw_client is None else check_text("clientId", raw_client, max_length=MAX_CLIENT_ID)
        if (client_id is not None and client_id != client_id.strip()) or client_id == "":
            raise invalid_field("clientId", "clientId must be the clientId a native-API poller sends, without spaces")
        company = self.store.tenant(tenant).credentials.company
        instance = self.registry.create(
            company, name, self.store.server_now(), tags, configuration, client_id=client_id
        )
        return json_response(instance.to_json(), status=201)

    async def list_instances(self, request: Request) -> Response:
        """GET /instances."""
        return json_response([i.to_json() for i in self.registry.all()])

    async def get_instance(self, request: Request) -> Response:
        """GET /instances/{id}."""
        return json_response(self.registry.get(request.path_params["id"]).to_json())

    async def delete_instance(self, request: Request) -> Response:
        """DELETE /instances/{id} → 204; its token stops working."""
        self.registry.delete(request.path_params["id"])
        return Response(status_code=204)

    async def served(self, request: Request) -> Response:
        """GET /instances/{id}/served → every (id, stamp) served to the instance's token, first and last time."""
        instance = self.registry.get(request.path_params["id"])
        served = sorted(instance.served.values(), key=lambda v: (v.first.seq, v.id))
        return json_response({"instance": instance.id, "versions": [v.to_json() for v in served]})

    async def requests(self, request: Request) -> Response:
        """GET /instances/{id}/requests → every hub request of the instance, kept outside the journal's ring."""
        instance = self.registry.get(request.path_params["id"])
        return json_response(self._request_log(instance.id))

    def _request_log(self, instance_id: int | None) -> dict[str, object]:
        subjects = self.journal.subjects
        kept = (
            None
            if subjects is None
            else (subjects.unattributed if instance_id is None else subjects.of_instance(instance_id))
        )
        return {
            "instance": instance_id,
            "capacity": None if subjects is None else subjects.capacity,
            "refused": 0 if kept is None else kept.refused,
            "requests": [] if kept is None else [e.to_json() for e in kept.entries],
        }

    async def unattributed(self, request: Request) -> Response:
        """GET /requests/unattributed → hub requests whose Element token named no instance."""
        return json_response(self._request_log(None))

    async def reset(self, request: Request) -> Response:
        """POST /reset {"tenant"?} → one tenant's contacts and instances, or everything (journal included)."""
        options = await options_body(request)
        tenant = options.get("tenant")
        if tenant is not None and not isinstance(tenant, str):
            raise invalid_field("tenant", "tenant must be a company id")
        self.store.reset(tenant)
        self.registry.reset(None if tenant is None else self.store.tenant(tenant).credentials.company)
        if tenant is None:
            self.journal.clear()
        return json_response({"reset": tenant or "all"})

    async def snapshot(self, request: Request) -> Response:
        """GET /snapshot → the whole state as JSON."""
        self.store.settle()
        return json_response(take_snapshot(self.store, self.registry))

    async def restore(self, request: Request) -> Response:
        """POST /restore with a snapshot body → the state it describes."""
        snapshot = await read_json(request, limit=1 << 30, max_depth=SNAPSHOT_MAX_DEPTH)
        if not isinstance(snapshot, dict):
            raise InvalidObject("a snapshot is a JSON object from GET /__admin/snapshot")
        restore_snapshot(self.store, self.registry, snapshot)
        return json_response({"restored": True, "sequence": self.store.sequence})

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__admin`."""
        return [
            Route("/history", handles_errors(self.history), methods=["GET"]),
            Route("/sequence", handles_errors(self.sequence), methods=["GET"]),
            Route("/journal", handles_errors(self.journal_entries), methods=["GET"]),
            Route("/journal", handles_errors(self.clear_journal), methods=["DELETE"]),
            Route("/instances", handles_errors(self.create_instance), methods=["POST"]),
            Route("/instances", handles_errors(self.list_instances), methods=["GET"]),
            IdRoute("/instances/{id:int}", handles_errors(self.get_instance), methods=["GET"]),
            IdRoute("/instances/{id:int}", handles_errors(self.delete_instance), methods=["DELETE"]),
            IdRoute("/instances/{id:int}/served", handles_errors(self.served), methods=["GET"]),
            IdRoute("/instances/{id:int}/requests", handles_errors(self.requests), methods=["GET"]),
            Route("/requests/unattributed", handles_errors(self.unattributed), methods=["GET"]),
            Route("/reset", handles_errors(self.reset), methods=["POST"]),
            Route("/snapshot", handles_errors(self.snapshot), methods=["GET"]),
            Route("/restore", handles_errors(self.restore), methods=["POST"]),
        ]
