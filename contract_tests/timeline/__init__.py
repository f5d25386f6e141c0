"""The oracle's verdict drawn as a timeline: windows as bands, versions, deliveries and findings on one time axis."""

from cwmock.contract_tests.timeline.case import Case
from cwmock.contract_tests.timeline.model import Timeline, build_timeline
from cwmock.contract_tests.timeline.page import render_fragment, render_page, write_page
from cwmock.contract_tests.timeline.svg import render_svg

__all__ = [
    "Case",
    "Timeline",
    "build_timeline",
    "render_fragment",
    "render_page",
    "render_svg",
    "write_page",
]
