"""The instance registry: Open Connectors instances (id, token, createdDate) and what each was served.

A hub request's `Element <token>` selects the instance, and so the tenant. Per instance, every contact
version served to its token is logged here, outside the journal's ring buffer: the oracle needs it whole.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cwmock.core.instance.secrets import secrets_of, without_secrets
from cwmock.core.timestamps import iso_z
from cwmock.core.validation import check_id
from cwmock.emulator.model.errors import InvalidObject, NotFound
from cwmock.emulator.model.versions import Moment

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class ServedVersion:
    """A contact version (id, stamp) served to an instance, and when it was first and last served."""

    id: int
    stamp: str
    first: Moment
    last: Moment
    times: int

    def to_json(self) -> dict[str, Any]:
        """The `/__admin/instances/{id}/served` form."""
        return {
            "id": self.id,
            "stamp": self.stamp,
            "first": self.first.to_json(),
            "last": self.last.to_json(),
            "times": self.times,
        }


@dataclass
class Instance:
    """One registered instance of the connectwisecrmrest element."""

    id: int
    token: str
    tenant: str
    name: str
    created: datetime
    tags: list[str] = field(default_factory=list)
    configuration: dict[str, Any] = field(default_factory=dict)
    # The whole instance JSON as the platform API holds it (None for instances made through /__admin).
    document: dict[str, Any] | None = None
    served: dict[tuple[int, str], ServedVersion] = field(default_factory=dict)
    # A native-API subject: the `clientId` its requests to the tenant's native API send. Those requests are
    # attributed to this instance (journal, request log, served versions), so a poller of the native API is judged
    # as an instance is (docs/contract-suite/live-judge.md#native-subjects).
    client_id: str | None = None

    def record_served(self, versions: Iterable[tuple[int, str]], moment: Moment) -> None:
        """Log the (id, stamp) versions one hub response carried."""
        for key in versions:
            known = self.served.get(key)
            if known is None:
                self.served[key] = ServedVersion(key[0], key[1], moment, moment, 1)
            else:
                self.served[key] = ServedVersion(key[0], key[1], known.first, moment, known.times + 1)

    def to_json(self) -> dict[str, Any]:
        """The registry's view of the instance, its secrets left out (docs/fidelity.md#secrets)."""
        document = self.document
        if document is not None:
            document = {**document, "configuration": without_secrets(document.get("configuration", {}))}
        return {
            "id": self.id,
            "token": self.token,
            "tenant": self.tenant,
            "name": self.name,
            "tags": list(self.tags),
            "createdDate": iso_z(self.created),
            "configuration": without_secrets(self.configuration),
            "document": document,
            "clientId": self.client_id,
        }

    def keep_secrets_of(self, earlier: Instance) -> None:
        """Take back the secrets `to_json` left out, from the same instance as registered before."""
        self.configuration = {**self.configuration, **secrets_of(earlier.configuration)}
        if self.document is not None and earlier.document is not None:
            configuration = {**self.document.get("configuration", {}), **secrets_of(earlier.document["configuration"])}
            self.document = {**self.document, "configuration": configuration}


class InstanceRegistry:
    """Instances by id and by token; ids count up, tokens come from a seedable source."""

    def __init__(self, seed: int = 0, first_id: int = 1) -> None:
        self._seed = seed
        self._first_id = first_id
        self._random = random.Random(seed)
        self._by_id: dict[int, Instance] = {}
        self._by_token: dict[str, Instance] = {}
        self._by_client: dict[tuple[str, str], Instance] = {}
        self._next_id = first_id

    def create(
        self,
        tenant: str,
        name: str,
        created: datetime,
        tags: Iterable[str] = (),
        configuration: dict[str, Any] | None = None,
        document: dict[str, Any] | None = None,
        client_id: str | None = None,
    ) -> Instance:
        """Register a new instance of `tenant`, created at `created` (server time); with `client_id`, a native-API
        subject: the tenant's native requests sending that clientId are its requests."""
        if not name:
            raise InvalidObject("an instance needs a non-empty name")
        if client_id is not None and self.by_client(tenant, client_id) is not None:
            raise InvalidObject(f"tenant {tenant} already has a subject with clientId {client_id!r}")
        token = "".join(self._random.choices(TOKEN_ALPHABET, k=44))
        instance = Instance(
            self._next_id, token, tenant, name, created, list(tags), dict(configuration or {}), document
        )
        instance.client_id = client_id
        self._index(instance)
        self._next_id += 1
        return instance

    def get(self, instance_id: int) -> Instance:
        """The instance with this id, or NotFound."""
        found = self._by_id.get(instance_id)
        if found is None:
            raise NotFound(f"instance {instance_id} not found")
        return found

    def _index(self, instance: Instance) -> None:
        self._by_id[instance.id] = instance
        self._by_token[instance.token] = instance
        if instance.client_id is not None:
            self._by_client[(instance.tenant.lower(), instance.client_id)] = instance

    def by_client(self, tenant: str, client_id: str) -> Instance | None:
        """The native-API subject of `tenant` whose requests send `client_id`, or None."""
        return self._by_client.get((tenant.lower(), client_id))

    def by_token(self, token: str) -> Instance | None:
        """The instance an `Element <token>` names, or None."""
        return self._by_token.get(token)

    def all(self) -> list[Instance]:
        """Every instance, by id."""
        return [self._by_id[i] for i in sorted(self._by_id)]

    def delete(self, instance_id: int) -> Instance:
        """Unregister an instance; its token stops working."""
        instance = self.get(instance_id)
        del self._by_id[instance_id]
        del self._by_token[instance.token]
        if instance.client_id is not None:
            self._by_client.pop((instance.tenant.lower(), instance.client_id), None)
        return instance

    def state(self) -> dict[str, Any]:
        """Counters and the token source, for a snapshot (instances are saved one by one)."""
        version, internal, gauss = self._random.getstate()
        return {"nextId": self._next_id, "random": [version, list(internal), gauss]}

    def restore(self, state: dict[str, Any], instances: Iterable[Instance]) -> None:
        """Replace everything with a snapshot's instances and counters (checked first: a bad state changes nothing).

        A snapshot holds no secrets; an instance registered now with the same id and token keeps its own.
        """
        next_id = check_id("nextId", state["nextId"], minimum=1)
        version, internal, gauss = state["random"]
        source = random.Random()
        source.setstate((version, tuple(internal), gauss))
        restored = list(instances)
        if len({i.id for i in restored}) != len(restored) or len({i.token for i in restored}) != len(restored):
            raise ValueError("two instances share an id or a token")
        earlier = {(i.id, i.token): i for i in self._by_id.values()}
        self.reset()
        for instance in restored:
            same = earlier.get((instance.id, instance.token))
            if same is not None:
                instance.keep_secrets_of(same)
            self._index(instance)
        self._next_id = next_id
        self._random = source

    def reset(self, tenant: str | None = None) -> None:
        """Forget every instance (or those of one tenant); a full reset also restarts ids and tokens."""
        if tenant is None:
            self._by_id.clear()
            self._by_token.clear()
            self._by_client.clear()
            self._next_id = self._first_id
            self._random = random.Random(self._seed)
        else:
            for instance in [i for i in self._by_id.values() if i.tenant.lower() == tenant.lower()]:
                self.delete(instance.id)
