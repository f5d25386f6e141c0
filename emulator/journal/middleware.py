"""ASGI middleware that numbers every emulated-API request and writes it to the journal."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cwmock.emulator.http.paths import ADMIN_PREFIX, UI_PREFIX
from cwmock.emulator.journal.request_state import notes_of, set_moment
from cwmock.emulator.journal.ring import Journal, JournalEntry
from cwmock.emulator.model.store import Store


class JournalRecorder:
    """Give each request a global sequence number (after due writes became visible) and journal it.

    Admin and dashboard calls are the control plane, not traffic under test: they are neither numbered nor
    journalled.
    """

    def __init__(self, app: ASGIApp, store: Store, journal: Journal) -> None:
        self.app = app
        self.store = store
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith((ADMIN_PREFIX, UI_PREFIX)):
            await self.app(scope, receive, send)
            return
        moment = self.store.begin_request()
        state = scope.setdefault("state", {})
        set_moment(state, moment)
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            notes = notes_of(state)
            self.journal.append(
                JournalEntry(
                    moment=moment,
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status,
                    tenant=notes.get("tenant"),
                    instance=notes.get("instance"),
                    fault=notes.get("fault"),
                    result_end=notes.get("result_end"),
                    returned=notes.get("returned"),
                    answered=self.store.server_now(),
                )
            )

        async def record_then_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Journal before any byte leaves: a client that got its response must find it in the journal.
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_then_send)
        finally:
            record(500)  # no response started: the app raised
