"""The SVG: well-formed, self-contained, every mark titled, findings linking to their evidence."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from cwmock.contract_tests.timeline.model import build_timeline
from cwmock.contract_tests.timeline.svg import render_svg

from support.oracle import Scenario, at

SVG = "{http://www.w3.org/2000/svg}"


def failing_world() -> Scenario:
    world = Scenario()
    world.now = at(5)
    delivered = world.write(1, at(5))
    world.write(2, at(6))  # never delivered: MISSING
    window = world.window(at(15))
    world.now = at(16)
    refused = world.notify([delivered], window, status=500)
    world.resend(refused)
    world.now = at(20)
    world.write(3, at(20))  # only a faulted window could have seen it: optional
    world.window(at(30), fault="status", complete=False)
    return world


def drawn() -> ElementTree.Element:
    case = failing_world().case()
    return ElementTree.fromstring(render_svg(build_timeline(case, case.judge())))


def test_the_svg_parses_and_fetches_nothing() -> None:
    svg = drawn()
    assert svg.tag == f"{SVG}svg"
    for element in svg.iter():
        for name, value in element.attrib.items():
            assert not value.startswith(("http:", "https:", "//")) or name == "xmlns", (element.tag, name, value)
    assert svg.find(f"{SVG}style") is not None


def test_bands_are_clean_or_faulted_and_incomplete_ones_are_hatched() -> None:
    svg = drawn()
    classes = [rect.get("class") for rect in svg.iter(f"{SVG}rect") if (rect.get("class") or "").startswith("band")]
    assert classes == ["band clean", "band faulted"]
    hatched = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("fill") == "url(#tl-incomplete)"]
    assert len(hatched) == 1
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "W1" in labels
    assert "W2" in labels


def test_versions_are_marked_required_or_optional_on_their_contacts_row() -> None:
    svg = drawn()
    circles = {c.get("class"): c for c in svg.iter(f"{SVG}circle")}
    assert set(circles) == {"version required", "version optional"}
    titles = [c.findtext(f"{SVG}title") for c in svg.iter(f"{SVG}circle")]
    assert "contact 1 @ 2026-01-01T00:05:00Z: required by window 1; delivered by delivery 1" in titles
    assert "contact 2 @ 2026-01-01T00:06:00Z: required by window 1; not delivered" in titles
    assert "contact 3 @ 2026-01-01T00:20:00Z: optional; not delivered" in titles
    rows = [t.text for t in svg.iter(f"{SVG}text") if (t.text or "").startswith("contact ")]
    assert rows == ["contact 1", "contact 2", "contact 3"]


def test_each_arrival_is_drawn_with_its_answer() -> None:
    svg = drawn()
    arrivals = [r.get("class") for r in svg.iter(f"{SVG}rect") if (r.get("class") or "").startswith("arrival")]
    assert arrivals == ["arrival refused", "arrival acknowledged"]
    carried = [p.get("class") for p in svg.iter(f"{SVG}path") if (p.get("class") or "").startswith("carried")]
    assert carried == ["carried acknowledged"]


def test_findings_link_to_their_evidence_and_are_labelled() -> None:
    svg = drawn()
    links = [a for a in svg.iter(f"{SVG}a") if "finding" in (a.get("class") or "")]
    # The world's settle is its last window, faulted and incomplete: the oracle's liveness rule adds UNSETTLED.
    assert [a.get("href") for a in links] == ["#finding-1", "#finding-2"]
    assert links[0].get("aria-label") == "finding 1: UNSETTLED settle"
    assert links[1].get("aria-label") == "finding 2: MISSING contact 2 @ 2026-01-01T00:06:00Z"


def test_an_instance_with_nothing_to_draw_still_renders() -> None:
    world = Scenario()
    case = world.case()
    svg = ElementTree.fromstring(render_svg(build_timeline(case, case.judge())))
    assert "no version of this instance to draw" in "".join(svg.itertext())


def test_text_is_escaped() -> None:
    world = failing_world()
    world.configure(name="<script>")
    case = world.case()
    text = render_svg(build_timeline(case, case.judge()))
    assert "<script>" not in text
