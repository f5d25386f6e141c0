"""A client for the emulator's admin API, so the harness can drive an emulator in this process or elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from cwmock.core.timestamps import iso_z, parse_iso


class AdminCallError(RuntimeError):
    """An admin call the emulator refused; carries its status and message."""


class EmulatorControl:
    """The admin verbs the contract suite needs, over HTTP (`base_url` is the emulator's root URL)."""

    def __init__(self, base_url: str, *, admin_token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self.base_url = base_url.rstrip("/")
        # Every request goes to this base URL, so over plain HTTP no certificate is ever checked: loading the CA bundle
        # anyway cost 18 ms of CPU per control, and every scenario and every stateful example builds one.
        verify = self.base_url.lower().startswith("https:")
        self._client = httpx.AsyncClient(
            base_url=f"{self.base_url}/__admin", headers=headers, timeout=timeout, verify=verify
        )

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise AdminCallError(f"{method} /__admin{path} → {response.status_code}: {response.text}")
        return response.json() if response.content else None

    # clock and sequence
    async def now(self) -> datetime:
        """The emulator clock's instant (the admin clock, without any skew fault)."""
        return parse_iso((await self._call("GET", "/clock"))["now"])

    async def clock_follows_wall(self) -> bool:
        """True when the emulator's clock follows wall time at speed 1 (`GET /__admin/clock`)."""
        status = await self._call("GET", "/clock")
        return bool(status.get("mode") == "following" and status.get("speed") == 1)

    async def follow_wall(self, speed: float = 1.0) -> datetime:
        """Make the clock follow wall time x `speed` from its current instant; that instant."""
        return parse_iso((await self._call("POST", "/clock/follow", json={"speed": speed}))["now"])

    async def wait_clock(self, instant: datetime, timeout: float) -> bool:
        """Long-poll until the clock reaches `instant` (True) or `timeout` real seconds pass (False)."""
        params = {"until": iso_z(instant), "timeout": str(timeout)}
        waited = await self._call("GET", "/clock/wait", params=params, timeout=timeout + 30)
        return bool(waited["reached"])

    async def server_now(self) -> datetime:
        """Server time: the clock plus any skew fault, as the emulated APIs' `Date` shows it."""
        return parse_iso((await self._call("GET", "/sequence"))["now"])

    async def clear_faults(self) -> None:
        """Remove every fault (skew and precision policies included)."""
        await self._call("DELETE", "/faults")

    async def add_fault(self, fault: dict[str, Any]) -> dict[str, Any]:
        """Switch a fault on (`/__admin/faults` body); returns it with its id."""
        added: dict[str, Any] = await self._call("POST", "/faults", json=fault)
        return added

    async def faults(self) -> list[dict[str, Any]]:
        """The faults switched on."""
        listed: list[dict[str, Any]] = await self._call("GET", "/faults")
        return listed

    async def add_socket_fault(self, fault: dict[str, Any]) -> dict[str, Any]:
        """Switch a socket fault on (`/__admin/socket-faults` body: needs the emulator's TCP fault proxy)."""
        added: dict[str, Any] = await self._call("POST", "/socket-faults", json=fault)
        return added

    async def clear_socket_faults(self) -> None:
        """Remove every socket fault."""
        await self._call("DELETE", "/socket-faults")

    async def fault_proxy_url(self) -> str | None:
        """Where the emulator's TCP fault proxy listens, or None when none serves it."""
        url = (await self._call("GET", "/fault-proxy"))["url"]
        return None if url is None else str(url)

    async def sequence(self) -> int:
        """The last global sequence number handed out."""
        return int((await self._call("GET", "/sequence"))["sequence"])

    async def set_clock(self, instant: datetime, *, allow_backwards: bool = False) -> None:
        """Jump the clock (no followers are waited for)."""
        await self._call("POST", "/clock/set", json={"instant": iso_z(instant), "allowBackwards": allow_backwards})

    # state
    async def reset(self, tenant: str | None = None) -> None:
        """Reset everything, or one tenant."""
        await self._call("POST", "/reset", json={} if tenant is None else {"tenant": tenant})

    async def create_instance(
        self, tenant: str, name: str, tags: list[str], configuration: dict[str, Any], *, client_id: str | None = None
    ) -> dict[str, Any]:
        """Register an instance (a native-API subject with `client_id`); returns {id, token, createdDate, ...}."""
        body: dict[str, Any] = {"tenant": tenant, "name": name, "tags": tags, "configuration": configuration}
        if client_id is not None:
            body["clientId"] = client_id
        created: dict[str, Any] = await self._call("POST", "/instances", json=body)
        return created

    async def instance(self, instance_id: int) -> dict[str, Any]:
        """`/__admin/instances/{id}` (its secrets left out)."""
        found: dict[str, Any] = await self._call("GET", f"/instances/{instance_id}")
        return found

    async def history(self, tenant: str) -> dict[str, Any]:
        """`/__admin/history` for one tenant."""
        found: dict[str, Any] = await self._call("GET", "/history", params={"tenant": tenant})
        return found

    async def served(self, instance_id: int) -> dict[str, Any]:
        """`/__admin/instances/{id}/served`."""
        found: dict[str, Any] = await self._call("GET", f"/instances/{instance_id}/served")
        return found

    async def journal(self) -> dict[str, Any]:
        """`/__admin/journal`."""
        found: dict[str, Any] = await self._call("GET", "/journal")
        return found

    # mutations
    async def create_contact(self, tenant: str, contact: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Create a contact (options: stamp=datetime, updatedBy, visibleAfter)."""
        created: dict[str, Any] = await self._call(
            "POST", f"/tenants/{tenant}/contacts", json={"contact": contact, **_options(options)}
        )
        return created

    async def replace_contact(
        self, tenant: str, contact_id: int, contact: dict[str, Any], **options: Any
    ) -> dict[str, Any]:
        """Replace a contact."""
        replaced: dict[str, Any] = await self._call(
            "PUT", f"/tenants/{tenant}/contacts/{contact_id}", json={"contact": contact, **_options(options)}
        )
        return replaced

    async def patch_contact(self, tenant: str, contact_id: int, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Patch a contact with JSON Patch operations (`[{"op": "replace", "path": ..., "value": ...}]`)."""
        patched: dict[str, Any] = await self._call(
            "PATCH", f"/tenants/{tenant}/contacts/{contact_id}", json={"operations": operations}
        )
        return patched

    async def request_log(self, instance_id: int | None) -> dict[str, Any]:
        """`/__admin/instances/{id}/requests`, or `/__admin/requests/unattributed` for None."""
        path = "/requests/unattributed" if instance_id is None else f"/instances/{instance_id}/requests"
        found: dict[str, Any] = await self._call("GET", path)
        return found

    async def delete_contact(self, tenant: str, contact_id: int) -> None:
        """Delete a contact."""
        await self._call("DELETE", f"/tenants/{tenant}/contacts/{contact_id}")

    async def bulk_create(self, tenant: str, count: int, **options: Any) -> list[int]:
        """Create `count` generated contacts; returns their ids."""
        created = await self._call(
            "POST", f"/tenants/{tenant}/contacts/bulk", json={"count": count, **_options(options)}
        )
        return list(created["ids"])

    async def touch(self, tenant: str, ids: list[int], **options: Any) -> list[int]:
        """Rewrite contacts with a new stamp."""
        touched = await self._call("POST", f"/tenants/{tenant}/contacts/touch", json={"ids": ids, **_options(options)})
        return list(touched["ids"])

    async def set_visibility_delay(self, tenant: str, seconds: float) -> None:
        """Later writes become visible at stamp + seconds."""
        await self._call("PUT", f"/tenants/{tenant}/visibility-delay", json={"seconds": seconds})

    async def set_date_entered(self, tenant: str, enabled: bool) -> None:
        """Switch the non-faithful `_info.dateEntered` stamp on new contacts on or off (reset turns it off)."""
        await self._call("PUT", f"/tenants/{tenant}/date-entered", json={"enabled": enabled})


def _options(options: dict[str, Any]) -> dict[str, Any]:
    return {key: iso_z(value) if isinstance(value, datetime) else value for key, value in options.items()}
