"""What the dashboard reads and drives: one emulator, and under `cwmock up` the receiver and our poller's supervisor.

The live verdict of an instance is the oracle's, on the same inputs the contract suite's harness gives it: the
tenant's history, what was served to the instance's token, the journal, the windows our poller ran (recorded by the
supervisor), and the receiver's arrivals for this instance. It is taken now, without a settle: a notification still
being retried is judged as it stands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import Crash, History, JournalLog, ServedLog, SettleFacts, Window
from cwmock.contract_tests.timeline.case import Case
from cwmock.core.clock import ManualClock
from cwmock.core.timestamps import iso_z
from cwmock.emulator.app import Emulator
from cwmock.emulator.model.instances import Instance
from cwmock.poller.supervisor import PollerSupervisor
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.records import Arrival

CALLBACK_KEY = "event.notification.callback.url"


class NotJudgeable(ValueError):
    """The instance cannot be judged here; the message says why."""


def instance_document(instance: Instance) -> dict[str, Any]:
    """The instance JSON as the platform API holds it (the registry's view for instances made through /__admin)."""
    return dict(instance.document) if instance.document is not None else instance.to_json()


def _instance_id_of(arrival: Arrival) -> int | None:
    try:
        message = json.loads(arrival.body).get("message", {})
    except (ValueError, AttributeError):
        return None
    found = message.get("instanceId") if isinstance(message, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


@dataclass
class Sources:
    """The emulator the dashboard is mounted on; the receiver and the supervisor when the stack runs them."""

    emulator: Emulator
    receiver: Receiver | None = None
    supervisor: PollerSupervisor | None = None

    @property
    def clock(self) -> ManualClock | None:
        """The emulator's clock when it can be moved (a `ManualClock`), else None."""
        clock = self.emulator.clock
        return clock if isinstance(clock, ManualClock) else None

    def arrivals_for(self, instance: Instance) -> list[Arrival]:
        """The receiver's arrivals on the instance's callback path, except notifications that name another instance."""
        if self.receiver is None:
            return []
        callback = instance.configuration.get(CALLBACK_KEY)
        if not isinstance(callback, str):
            return []
        try:
            path = urlsplit(callback).path or "/"
        except ValueError:
            return []
        return [
            arrival for arrival in self.receiver.arrivals(path=path) if _instance_id_of(arrival) in (None, instance.id)
        ]

    def live_case(self, instance_id: int) -> Case:
        """The oracle's inputs for one instance polled by our poller in this process, as they stand now."""
        instance = self.emulator.registry.get(instance_id)
        supervisor = self.supervisor
        if supervisor is None or (supervisor.state(instance_id) is None and not supervisor.windows(instance_id)):
            raise NotJudgeable(
                f"instance {instance_id} is not polled by our poller in this process; judge the poller that polls it "
                "with the contract suite (cwmock contract --poller-cmd ...)"
            )
        document = instance_document(instance)
        try:
            facts = InstanceFacts.from_instance_json(
                {**document, "id": instance.id, "createdDate": iso_z(instance.created), "tenant": instance.tenant}
            )
        except ValueError as exc:
            raise NotJudgeable(f"instance {instance_id} cannot be judged: {exc}") from None
        store, journal = self.emulator.store, self.emulator.journal
        store.settle()
        versions = [v.to_json() for v in store.tenant(instance.tenant).history.versions()]
        served = sorted(instance.served.values(), key=lambda v: (v.first.seq, v.id))
        entries = [entry.to_json() for entry in journal.entries(None)]
        unfinished = Crash("the window did not finish (an error, or cancelled by a PATCH, DELETE or shutdown)")
        windows = [
            Window(w.index, w.start, w.begin_seq, w.end_seq, unfinished if w.crashed else None)
            for w in supervisor.windows(instance_id)
        ]
        arrivals = self.arrivals_for(instance)
        return Case(
            instance=facts,
            history=History.from_json({"sequence": store.sequence, "versions": versions}),
            served=ServedLog.from_json({"instance": instance.id, "versions": [v.to_json() for v in served]}),
            journal=JournalLog.from_json(
                {"capacity": journal.capacity, "dropped": journal.dropped, "entries": entries}
            ),
            windows=windows,
            arrivals=arrivals,
            # A live instance has no settle: every window so far stands for one, so the verdict is the one a settle
            # beginning now would reach if nothing more arrived.
            settle=SettleFacts(arrivals_before=arrivals[-1].seq if arrivals else 0, first_window=1),
        )
