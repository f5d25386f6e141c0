"""Contact sets: the package's fixtures (`fixtures/contacts/*.json`) or a directory the user named.

A name is a relative path of plain segments; it is looked up in the user's directory (when one was named) and then
in the package's fixture tree, and nowhere else. Every name that is not a file there gets the same answer, so the
emulator never tells what exists elsewhere on the host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cwmock.core.validation import read_json_document
from cwmock.fixtures import fixture_segments, read_fixture

SAMPLE_CONTACTS = "contacts/sample.json"


def _read(fixture: str, directory: Path | None) -> str:
    segments = fixture_segments(fixture)
    if segments is not None and directory is not None:
        root = directory.resolve()
        candidate = root.joinpath(*segments).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():  # a link out of the directory is not followed
            try:
                return candidate.read_text(encoding="utf-8")
            except OSError:
                pass
    if segments is not None:
        try:
            return read_fixture(fixture)
        except (OSError, ValueError):
            pass
    where = "the package's fixtures (e.g. contacts/sample.json)"
    if directory is not None:
        where += " or the --fixtures-dir directory"
    raise FileNotFoundError(f"no contact-set fixture named {fixture!r}: give the relative path of a file in {where}")


def load_contact_bodies(fixture: str = SAMPLE_CONTACTS, directory: Path | None = None) -> list[dict[str, Any]]:
    """The contact bodies of a contact-set fixture, in file order (`directory`: the user's fixtures, if any)."""
    document = read_json_document(_read(fixture, directory), key=f"fixture {fixture!r}")
    contacts = document.get("contacts") if isinstance(document, dict) else None
    if not isinstance(contacts, list):
        raise ValueError(f"fixture {fixture!r} must be an object with a 'contacts' list")
    return contacts
