"""Every request of each instance, kept outside the journal's ring, so a live run is judged from all of it.

The ring keeps the last N requests of every kind; a live judge infers an instance's windows from all of that
instance's requests (docs/contract-suite/live-judge.md#the-request-log): its hub requests, or, for a native-API
subject, its native ones. They are kept here, per instance, as the served-versions log is. The log never evicts:
past `capacity` requests of one instance it stops recording that instance and counts what it refused, and a judge
reading it says INCONCLUSIVE with that count instead of guessing.
Hub requests whose `Element` token names no instance, and native contact requests whose clientId names no subject,
are kept too (up to the same capacity): a poller sending a wrong token would otherwise leave no window at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cwmock.emulator.journal.ring import JournalEntry

HUB_PATH_PREFIX = "/elements/api-v2/hubs/"
NATIVE_CONTACTS_PATH = "/apis/3.0/company/contacts"  # after the codebase segment, e.g. /v4_6_release
# A request costs about 300 bytes here: a million of them is about 300 MB, and at one poll a second with three
# pages a poll, more than four days of polling.
DEFAULT_SUBJECT_CAPACITY = 1_000_000


@dataclass
class SubjectRequests:
    """One subject's requests, oldest first, and how many arrived after it was full."""

    entries: list[JournalEntry] = field(default_factory=list)
    refused: int = 0


class SubjectLog:
    """Requests per instance id, plus hub and native contact requests with no known subject; none is evicted."""

    def __init__(self, capacity: int = DEFAULT_SUBJECT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"the request log needs room for at least one request per subject, got {capacity}")
        self.capacity = capacity
        self._instances: dict[int, SubjectRequests] = {}
        self.unattributed = SubjectRequests()

    def record(self, entry: JournalEntry) -> None:
        """Keep a request under its instance (or as unattributed); other requests are not kept here."""
        if entry.instance is not None:
            self._keep(self._instances.setdefault(entry.instance, SubjectRequests()), entry)
        elif entry.path.startswith(HUB_PATH_PREFIX) or NATIVE_CONTACTS_PATH in entry.path:
            self._keep(self.unattributed, entry)

    def _keep(self, subject: SubjectRequests, entry: JournalEntry) -> None:
        if len(subject.entries) >= self.capacity:
            subject.refused += 1
        else:
            subject.entries.append(entry)

    def of_instance(self, instance_id: int) -> SubjectRequests:
        """The instance's requests (an empty log when it made none)."""
        return self._instances.get(instance_id, SubjectRequests())

    def clear(self) -> None:
        """Forget every request."""
        self._instances.clear()
        self.unattributed = SubjectRequests()
