"""Contact sets shipped as fixtures (`fixtures/contacts/*.json`)."""

from __future__ import annotations

import json
from typing import Any

from cwmock.fixtures import read_fixture

SAMPLE_CONTACTS = "contacts/sample.json"


def load_contact_bodies(fixture: str = SAMPLE_CONTACTS) -> list[dict[str, Any]]:
    """The contact bodies of a contact-set fixture, in file order."""
    document = json.loads(read_fixture(fixture))
    contacts = document.get("contacts") if isinstance(document, dict) else None
    if not isinstance(contacts, list):
        raise ValueError(f"fixture {fixture!r} must be an object with a 'contacts' list")
    return contacts
