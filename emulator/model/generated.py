"""Plausible contact bodies from a seeded source, for bulk creation."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from cwmock.emulator.model.reference_data import ReferenceData

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis", "Radia",
    "Tim", "Hedy", "John", "Katherine", "Linus", "Sophie", "Guido", "Annie", "Niklaus",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Ritchie",
    "Perlman", "Berners-Lee", "Lamarr", "Backus", "Johnson", "Torvalds", "Wilson", "van Rossum", "Easley",
    "Wirth",
)  # fmt: skip
TITLES = ("Engineer", "Manager", "Director", "Analyst", "Technician", "Consultant")


def generate_contacts(count: int, reference: ReferenceData, seed: int = 0) -> Iterator[dict[str, Any]]:
    """`count` contact bodies; the same seed gives the same bodies."""
    rng = random.Random(seed)
    companies = sorted(reference.companies.values(), key=lambda c: c.id)
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = rng.choice(companies)
        body: dict[str, Any] = {
            "firstName": first,
            "lastName": last,
            "company": {"id": company.id},
            "title": rng.choice(TITLES),
            "communicationItems": [
                {
                    "type": {"id": 1},
                    "value": f"{first}.{last}.{n}@example.com".lower().replace(" ", ""),
                    "defaultFlag": True,
                }
            ],
        }
        if company.sites:
            body["site"] = {"id": rng.choice(sorted(company.sites))}
        yield body
