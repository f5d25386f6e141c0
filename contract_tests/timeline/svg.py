"""A timeline drawn as one SVG element: a pure function of the `Timeline`, with its own styles and no references.

Windows are bands (green clean, red faulted, grey unknown; hatched when incomplete) with their start marked `Wk`;
each contact has a row with its versions (filled: required, hollow: optional), the span each was visible, and a
triangle where a delivery carried it (green acknowledged, orange refused); the bottom row has every arrival;
findings are diamonds (red fails, orange parked) linking to `#finding-N`, where a page shows the evidence.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from cwmock.contract_tests.timeline.model import Band, DeliveryMark, FindingMark, Timeline, VersionMark
from cwmock.contract_tests.timeline.scale import TimeScale, tick_label
from cwmock.core.timestamps import UTC, format_cw

WIDTH = 1000
LEFT = 130
RIGHT = WIDTH - 24
TOP = 40
ROW_HEIGHT = 22
DELIVERY_ROW = 30

STYLE = """
.tl text { font: 11px system-ui, sans-serif; fill: #1d232b; }
.tl .band.clean { fill: #e2f3df; } .tl .band.faulted { fill: #f9dcd6; } .tl .band.unknown { fill: #e6e6e6; }
.tl .start { stroke: #5d6b78; stroke-width: 1; }
.tl .created { stroke: #1d232b; stroke-width: 1.5; stroke-dasharray: 4 3; }
.tl .grid { stroke: #c4ccd4; stroke-width: 0.5; }
.tl .axis { stroke: #1d232b; stroke-width: 1; }
.tl .lane { stroke: #eef1f4; stroke-width: 1; }
.tl .visible { stroke: #4a78b0; stroke-width: 2; opacity: 0.5; }
.tl .version { stroke: #1f4f8a; stroke-width: 2; }
.tl .version.required { fill: #1f4f8a; } .tl .version.optional { fill: #ffffff; }
.tl .carried.acknowledged, .tl .arrival.acknowledged { fill: #217a3c; }
.tl .carried.refused, .tl .arrival.refused { fill: #c96a00; }
.tl .finding path { stroke: #1d232b; stroke-width: 1; }
.tl .finding.fails path { fill: #c62828; } .tl .finding.parked path { fill: #f0a500; }
.tl .finding text { font-weight: 700; }
.tl a.finding:focus path, .tl a.finding:hover path { stroke-width: 3; }
.tl .label-muted { fill: #5d6b78; }
"""


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _when(instant: datetime) -> str:
    return format_cw(instant)


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _band(band: Band, scale: TimeScale, bottom: float) -> str:
    clean = {True: "clean", False: "faulted", None: "unknown"}[band.clean]
    x0, x1 = scale.x(band.begin), scale.x(band.start)
    title = band.description + (f"; {band.requests} hub request(s)" if band.requests else "; no hub request")
    if band.faults:
        title += "; " + "; ".join(band.faults)
    parts = [f'<g class="window" data-window="{band.index}">{_title(title)}']
    parts.append(
        f'<rect class="band {clean}" x="{x0}" y="{TOP - 22}" width="{max(x1 - x0, 1)}" height="{bottom - TOP + 22}"/>'
    )
    if band.complete is not True:
        parts.append(
            f'<rect fill="url(#tl-incomplete)" x="{x0}" y="{TOP - 22}" width="{max(x1 - x0, 1)}" '
            f'height="{bottom - TOP + 22}"/>'
        )
    parts.append(f'<line class="start" x1="{x1}" y1="{TOP - 22}" x2="{x1}" y2="{bottom}"/>')
    parts.append(f'<text x="{x1 - 3}" y="{TOP - 8}" text-anchor="end">W{band.index}</text></g>')
    return "".join(parts)


def _version(version: VersionMark, y: float, scale: TimeScale, timeline: Timeline) -> str:
    kind = "required" if version.required else "optional"
    why = f"required by window {version.required_by}" if version.required else "optional"
    carried = (
        "delivered by " + ", ".join(f"delivery {n}" for n in version.carried_by)
        if version.carried_by
        else "not delivered"
    )
    title = f"{version.key}: {why}; {carried}"
    parts = [f'<g class="version-mark" data-version="{_attr(version.key)}">']
    if version.visible_from is not None:
        x0 = scale.x(version.visible_from)
        x1 = scale.x(version.ended if version.ended is not None else timeline.end)
        parts.append(f'<line class="visible" x1="{x0}" y1="{y}" x2="{max(x1, x0 + 1)}" y2="{y}"/>')
    parts.append(
        f'<circle class="version {kind}" cx="{scale.x(version.key.stamp)}" cy="{y}" r="5">{_title(title)}</circle>'
    )
    parts.append("</g>")
    return "".join(parts)


def _carried(delivery: DeliveryMark, y: float, scale: TimeScale) -> str:
    state = "acknowledged" if delivery.acknowledged else "refused"
    x = scale.x(delivery.first_at)
    title = f"delivery {delivery.number}: {delivery.label}"
    return f'<path class="carried {state}" d="M{x - 5},{y + 5} L{x + 5},{y + 5} L{x},{y - 5} Z">{_title(title)}</path>'


def _arrivals(delivery: DeliveryMark, y: float, scale: TimeScale) -> str:
    carried = ", ".join(str(key) for key in delivery.versions) or "no version"
    parts = [f'<g class="delivery" data-delivery="{delivery.number}">']
    for arrival in delivery.arrivals:
        state = "acknowledged" if 200 <= arrival.status < 300 else "refused"
        title = (
            f"delivery {delivery.number}, arrival #{arrival.seq} at {_when(arrival.at)} answered {arrival.status}; "
            f"webhook id {delivery.webhook_id or 'none'}; carries {carried}"
        )
        x = scale.x(arrival.at)
        parts.append(
            f'<rect class="arrival {state}" x="{x - 3}" y="{y - 8}" width="6" height="16">{_title(title)}</rect>'
        )
    parts.append("</g>")
    return "".join(parts)


def _finding(finding: FindingMark, y: float, scale: TimeScale) -> str:
    kind = "fails" if finding.fails else "parked"
    x = scale.x(finding.at)
    label = f"finding {finding.number}: {finding.kind.name} {finding.subject}"
    return (
        f'<a class="finding {kind}" href="#finding-{finding.number}" aria-label="{_attr(label)}">{_title(label)}'
        f'<path d="M{x},{y - 8} L{x + 8},{y} L{x},{y + 8} L{x - 8},{y} Z"/>'
        f'<text x="{x + 10}" y="{y - 6}">{finding.number}</text></a>'
    )


def render_svg(timeline: Timeline) -> str:
    """The timeline as an `<svg>` element (inline styles, no external reference)."""
    rows = timeline.rows
    row_y = {contact: TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2 for index, contact in enumerate(rows)}
    lanes_bottom = TOP + max(len(rows), 1) * ROW_HEIGHT
    delivery_y = lanes_bottom + DELIVERY_ROW / 2
    axis_y = lanes_bottom + DELIVERY_ROW
    height = axis_y + 34
    scale = TimeScale(timeline.begin, timeline.end, LEFT, RIGHT)
    title = f"Timeline of instance {timeline.instance_id}: {timeline.headline}"
    out = [
        f'<svg class="tl" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="group" aria-labelledby="tl-title">',
        f'<title id="tl-title">{escape(title)}</title>',
        f"<style>{STYLE}</style>",
        '<defs><pattern id="tl-incomplete" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#7a8794" stroke-width="2" '
        'stroke-opacity="0.35"/></pattern></defs>',
    ]
    out += [_band(band, scale, axis_y) for band in timeline.bands]
    ticks = scale.ticks()
    for index, tick in enumerate(ticks):
        x = scale.x(tick)
        label = tick_label(tick, ticks[index - 1] if index else None)
        out.append(f'<line class="grid" x1="{x}" y1="{TOP - 22}" x2="{x}" y2="{axis_y}"/>')
        out.append(f'<text x="{x}" y="{axis_y + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{RIGHT}" y2="{axis_y}"/>')
    day = (ticks[0] if ticks else timeline.created).astimezone(UTC).strftime("%Y-%m-%d")
    out.append(f'<text x="{LEFT - 8}" y="{axis_y + 16}" text-anchor="end">UTC {day}</text>')
    created = scale.x(timeline.created)
    out.append(f'<line class="created" x1="{created}" y1="{TOP - 30}" x2="{created}" y2="{axis_y}"/>')
    out.append(f'<text x="{created + 3}" y="{TOP - 28}">s₀ {escape(_when(timeline.created))}</text>')
    if not rows:
        out.append(
            f'<text class="label-muted" x="{LEFT + 8}" y="{TOP + 15}">no version of this instance to draw</text>'
        )
    for contact, lane in row_y.items():
        out.append(f'<line class="lane" x1="{LEFT}" y1="{lane}" x2="{RIGHT}" y2="{lane}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{lane + 4}" text-anchor="end">contact {contact}</text>')
    deliveries = {d.number: d for d in timeline.deliveries}
    for version in timeline.versions:
        row = row_y.get(version.key.id)
        if row is None:
            continue
        out.append(_version(version, row, scale, timeline))
        out += [_carried(deliveries[n], row, scale) for n in version.carried_by]
    out.append(f'<text x="{LEFT - 8}" y="{delivery_y + 4}" text-anchor="end">deliveries</text>')
    out += [_arrivals(delivery, delivery_y, scale) for delivery in timeline.deliveries]
    for finding in timeline.findings:
        at = row_y.get(finding.contact) if finding.contact is not None else delivery_y
        if at is not None:
            out.append(_finding(finding, at, scale))
    out.append("</svg>")
    return "".join(out)
