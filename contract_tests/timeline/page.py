"""The timeline as HTML: the SVG with a legend, each finding's evidence, and the versions, deliveries and windows as
tables. `render_fragment` is what the dashboard embeds; `render_page` wraps it in a self-contained file (inline
styles, no script, nothing fetched), which the contract suite writes for a failing scenario."""

from __future__ import annotations

from html import escape
from pathlib import Path

from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.contract_tests.timeline.case import Case
from cwmock.contract_tests.timeline.model import Band, Timeline, build_timeline
from cwmock.contract_tests.timeline.svg import render_svg
from cwmock.core.timestamps import format_cw

MAX_TABLE_ROWS = 500

STYLE = """
.timeline { font: 14px/1.45 system-ui, sans-serif; color: #1d232b; }
.timeline .drawing { overflow-x: auto; border: 1px solid #c4ccd4; background: #fff; }
.timeline .drawing svg { display: block; min-width: 760px; width: 100%; height: auto; }
.timeline .outcome { font-weight: 700; padding: 0.3em 0.6em; border-radius: 4px; display: inline-block; }
.timeline .outcome.pass { background: #e2f3df; } .timeline .outcome.fail { background: #f9dcd6; }
.timeline .legend { display: flex; flex-wrap: wrap; gap: 0.4em 1.4em; padding: 0; list-style: none; }
.timeline .legend svg { vertical-align: middle; }
.timeline .evidence { border-left: 4px solid #c4ccd4; padding: 0.2em 0.8em; margin: 0.6em 0; }
.timeline .evidence.fails { border-color: #c62828; } .timeline .evidence.parked { border-color: #f0a500; }
.timeline .evidence:target { background: #fff6c8; outline: 2px solid #1f4f8a; }
.timeline table { border-collapse: collapse; margin: 0.4em 0 1em; }
.timeline th, .timeline td { border: 1px solid #c4ccd4; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
.timeline th { background: #eef1f4; }
.timeline code { font-size: 0.92em; }
"""

LEGEND = (
    ('<rect width="18" height="12" fill="#e2f3df"/>', "window band, clean"),
    ('<rect width="18" height="12" fill="#f9dcd6"/>', "window band, faulted (not clean)"),
    (
        '<rect width="18" height="12" fill="#e6e6e6"/><path d="M0,12 L12,0 M6,12 L18,0" stroke="#7a8794"/>',
        "hatched: incomplete (no response ended the result)",
    ),
    ('<circle cx="9" cy="6" r="5" fill="#1f4f8a"/>', "required version"),
    ('<circle cx="9" cy="6" r="5" fill="#fff" stroke="#1f4f8a" stroke-width="2"/>', "optional version"),
    ('<path d="M4,11 L14,11 L9,1 Z" fill="#217a3c"/>', "carried by an acknowledged delivery"),
    ('<path d="M4,11 L14,11 L9,1 Z" fill="#c96a00"/>', "carried by a refused delivery"),
    ('<path d="M9,0 L15,6 L9,12 L3,6 Z" fill="#c62828"/>', "finding that fails (select it for its evidence)"),
    ('<path d="M9,0 L15,6 L9,12 L3,6 Z" fill="#f0a500"/>', "parked (the receiver's doing, not a failure)"),
)


def _flag(value: bool | None, yes: str, no: str) -> str:
    return {True: yes, False: no, None: "unknown (journal entries dropped)"}[value]


def _legend() -> str:
    items = "".join(
        f'<li><svg width="18" height="12" aria-hidden="true">{shape}</svg> {escape(text)}</li>'
        for shape, text in LEGEND
    )
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def _findings(timeline: Timeline) -> str:
    if not timeline.findings:
        return "<p>No findings.</p>"
    out = []
    for finding in timeline.findings:
        kind = "fails" if finding.fails else "parked"
        where = []
        if finding.windows:
            where.append("window(s) " + ", ".join(str(w) for w in finding.windows))
        if finding.deliveries:
            where.append("delivery(ies) " + ", ".join(str(d) for d in finding.deliveries))
        evidence = "".join(f"<li>{escape(item)}</li>" for item in finding.evidence)
        out.append(
            f'<section class="evidence {kind}" id="finding-{finding.number}" tabindex="-1">'
            f"<h4>Finding {finding.number}: {escape(finding.kind.name)} {escape(finding.subject)}</h4>"
            f"<p>At {escape(format_cw(finding.at))}{'; ' + escape('; '.join(where)) if where else ''}.</p>"
            f"<ul>{evidence}</ul></section>"
        )
    return "".join(out)


def _versions(timeline: Timeline) -> str:
    if not timeline.versions:
        return "<p>No version to list.</p>"
    rows = []
    for version in timeline.versions[:MAX_TABLE_ROWS]:
        required = f"required (window {version.required_by})" if version.required else "optional"
        if version.carried_by:
            delivered = "delivered: " + ", ".join(f"delivery {n}" for n in version.carried_by)
        else:
            delivered = "not delivered"
        visible = format_cw(version.visible_from) if version.visible_from is not None else "never"
        ended = format_cw(version.ended) if version.ended is not None else "current"
        findings = ", ".join(f'<a href="#finding-{n}">{n}</a>' for n in version.findings) or "none"
        rows.append(
            f"<tr><td>contact {version.key.id}</td><td>{escape(format_cw(version.key.stamp))}</td>"
            f"<td>{escape(required)}</td><td>{escape(visible)} – {escape(ended)}</td>"
            f"<td>{escape(delivered)}</td><td>{findings}</td></tr>"
        )
    more = len(timeline.versions) - MAX_TABLE_ROWS
    note = f"<p>{more} more version(s) not listed.</p>" if more > 0 else ""
    return (
        '<table class="versions"><thead><tr><th scope="col">contact</th><th scope="col">stamp</th>'
        '<th scope="col">required?</th><th scope="col">visible</th><th scope="col">deliveries</th>'
        f'<th scope="col">findings</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'
    )


def _deliveries(timeline: Timeline) -> str:
    if not timeline.deliveries:
        return "<p>Nothing arrived.</p>"
    rows = []
    for delivery in timeline.deliveries[:MAX_TABLE_ROWS]:
        arrivals = "; ".join(f"#{a.seq} at {format_cw(a.at)} → {a.status}" for a in delivery.arrivals)
        carried = ", ".join(str(key) for key in delivery.versions) or "no version"
        problems = "".join(f"<li>{escape(p)}</li>" for p in delivery.problems)
        rows.append(
            f"<tr><td>{delivery.number}</td><td><code>{escape(delivery.webhook_id or 'none')}</code></td>"
            f"<td>{escape(arrivals)}</td><td>{escape(carried)}</td>"
            f"<td>{'acknowledged' if delivery.acknowledged else 'refused'}</td>"
            f"<td>{f'<ul>{problems}</ul>' if problems else 'well formed'}</td></tr>"
        )
    return (
        '<table class="deliveries"><thead><tr><th scope="col">#</th><th scope="col">webhook id</th>'
        '<th scope="col">arrivals</th><th scope="col">versions</th><th scope="col">answer</th>'
        f'<th scope="col">format</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _window_row(band: Band) -> str:
    faults = "; ".join(band.faults) or "none"
    return (
        f"<tr><td>{band.index}</td><td>{escape(format_cw(band.start))}</td>"
        f"<td>{_flag(band.clean, 'clean', 'faulted')}</td><td>{_flag(band.complete, 'complete', 'incomplete')}</td>"
        f"<td>{band.requests}</td><td>{escape(faults)}</td></tr>"
    )


def _windows(timeline: Timeline) -> str:
    if not timeline.bands:
        return "<p>No window ran.</p>"
    rows = "".join(_window_row(band) for band in timeline.bands)
    return (
        '<table class="windows"><thead><tr><th scope="col">window</th><th scope="col">starts (sₖ)</th>'
        '<th scope="col">clean?</th><th scope="col">complete?</th><th scope="col">hub requests</th>'
        f'<th scope="col">faults</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def render_fragment(timeline: Timeline) -> str:
    """The timeline's HTML, to embed in a page that includes `STYLE`."""
    outcome = "pass" if timeline.passed else "fail"
    reasons = "".join(f"<li>INCONCLUSIVE: {escape(reason)}</li>" for reason in timeline.inconclusive)
    notes = []
    if timeline.hidden_rows:
        notes.append(
            f"{timeline.hidden_rows} contact(s) not drawn (rows with findings come first); all are listed below"
        )
    if timeline.hidden_versions:
        notes.append(
            f"{timeline.hidden_versions} version(s) stamped at or before s₀, never delivered and without findings, "
            "are left out"
        )
    note = "".join(f"<p>{escape(text)}.</p>" for text in notes)
    return (
        f'<div class="timeline">'
        f'<p class="outcome {outcome}">{escape(timeline.headline)}</p>'
        f"{f'<ul>{reasons}</ul>' if reasons else ''}"
        f"{_legend()}"
        f'<div class="drawing">{render_svg(timeline)}</div>{note}'
        f'<h3 id="findings">Findings</h3>{_findings(timeline)}'
        f'<h3 id="versions">Versions</h3>{_versions(timeline)}'
        f'<h3 id="deliveries">Deliveries</h3>{_deliveries(timeline)}'
        f'<h3 id="windows">Windows</h3>{_windows(timeline)}'
        "</div>"
    )


def render_page(timeline: Timeline, title: str | None = None) -> str:
    """A whole HTML document: self-contained, readable offline."""
    heading = title or f"cwmock verdict timeline, instance {timeline.instance_id}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)}</title><style>body {{ margin: 1.5em; }} {STYLE}</style></head>"
        f"<body><main><h1>{escape(heading)}</h1>{render_fragment(timeline)}</main></body></html>\n"
    )


def write_page(path: Path, case: Case, verdict: Verdict, title: str | None = None) -> Path:
    """Draw `verdict` (given on `case`) into a self-contained HTML file at `path`; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_page(build_timeline(case, verdict), title), encoding="utf-8")
    return path
