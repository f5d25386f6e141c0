"""The HTML timeline: a self-contained page with the drawing, each finding's evidence and the tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from cwmock.contract_tests.timeline.model import build_timeline
from cwmock.contract_tests.timeline.page import render_fragment, render_page, write_page

from support.oracle import Scenario, at


class Collector(HTMLParser):
    """Ids, references and tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.references.append(value)


def world_with_a_missing_version() -> Scenario:
    world = Scenario()
    world.now = at(5)
    delivered = world.write(1, at(5))
    world.write(2, at(6))
    window = world.window(at(15))
    world.notify([delivered], window)
    return world


def test_the_page_is_self_contained() -> None:
    case = world_with_a_missing_version().case()
    page = render_page(build_timeline(case, case.judge()))
    parsed = Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert "img" not in parsed.tags
    assert all(reference.startswith("#") for reference in parsed.references), parsed.references
    assert page.startswith("<!DOCTYPE html>")


def test_every_finding_link_has_its_evidence_on_the_page() -> None:
    case = world_with_a_missing_version().case()
    verdict = case.judge()
    page = render_page(build_timeline(case, verdict))
    parsed = Collector()
    parsed.feed(page)
    targets = {reference[1:] for reference in parsed.references}
    assert "finding-1" in targets
    assert targets <= parsed.ids
    for item in verdict.missing[0].evidence:
        assert item.replace("'", "&#x27;") in page or item in page


def test_the_tables_list_versions_deliveries_and_windows() -> None:
    case = world_with_a_missing_version().case()
    fragment = render_fragment(build_timeline(case, case.judge()))
    text = re.sub(r"<[^>]+>", " ", fragment)
    assert "required (window 1)" in text
    assert "delivered: delivery 1" in text
    assert "not delivered" in text
    assert "FAIL instance 4242: 1 missing" in text
    assert "clean" in text
    assert "complete" in text


def test_write_page_creates_the_file(tmp_path: Path) -> None:
    case = world_with_a_missing_version().case()
    path = write_page(tmp_path / "deep" / "timeline.html", case, case.judge(), "scenario x")
    assert path.read_text(encoding="utf-8").count("<title>scenario x</title>") == 1
