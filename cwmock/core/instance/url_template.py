"""Open Connectors resource-URL templates (`${gmtDate:FMT}`...): checked at load, rendered URL-encoded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from cwmock.core.javadate.calendar import epoch_ms
from cwmock.core.javadate.errors import JavaDateError
from cwmock.core.javadate.formatting import JavaDateFormat
from cwmock.core.timestamps import EPOCH

DATE_PLACEHOLDERS = ("gmtDate", "date", "dateTimeZone", "nowTimeZone")
KNOWN_PLACEHOLDERS = (
    "${gmtDate:FMT}",
    "${date:FMT}",
    "${dateTimeZone:TZ:FMT}",
    "${nowTimeZone:TZ:FMT}",
    "${epoch}",
    "${epoch:s|ms|us}",
)
# Characters kept as they are in the path; everything else (including %) is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=~"
# The server zone Open Connectors formats ${date:...} in.
SERVER_ZONE = "GMT"


class UrlTemplateError(ValueError):
    """A resource `url` template that cannot be rendered; the message says what to change."""


@dataclass(frozen=True)
class DatePlaceholder:
    """`${gmtDate:F}`, `${date:F}`, `${dateTimeZone:TZ:F}` (lower bound) or `${nowTimeZone:TZ:F}` (now)."""

    source: str
    name: str
    formatter: JavaDateFormat

    @property
    def uses_now(self) -> bool:
        """Whether the placeholder shows the poll's current time rather than its lower bound."""
        return self.name == "nowTimeZone"

    def render(self, lower_bound: datetime, now: datetime) -> str:
        """The formatted instant."""
        return self.formatter.format(now if self.uses_now else lower_bound)


@dataclass(frozen=True)
class EpochPlaceholder:
    """`${epoch}` / `${epoch:ms}` (milliseconds), `${epoch:s}` (seconds), `${epoch:us}` (microseconds)."""

    source: str
    unit: str

    def render(self, lower_bound: datetime, now: datetime) -> str:
        """The lower bound since the epoch in the placeholder's unit, rounded down."""
        if self.unit == "us":
            delta = lower_bound - EPOCH
            return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)
        millis = epoch_ms(lower_bound)
        return str(millis // 1000 if self.unit == "s" else millis)


Placeholder = DatePlaceholder | EpochPlaceholder
Segment = str | Placeholder


@dataclass(frozen=True)
class UrlTemplate:
    """A parsed template: literal text and placeholders, in order."""

    template: str
    segments: tuple[Segment, ...]

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        """The placeholders, in order."""
        return tuple(segment for segment in self.segments if not isinstance(segment, str))

    def render(self, lower_bound: datetime, now: datetime) -> str:
        """The request path and query: placeholders filled in, path and query values percent-encoded.

        The template is read as plain text, as in the seed (`where=lastUpdated>'${gmtDate:...}'`): literal
        `?`, `&` and `=` give the URL its structure; everything else (even `%`, CEQL's LIKE wildcard) is data.
        An `&` inside a single-quoted CEQL string (`where=name='A&B'`) is data too.
        """
        path: list[str] = []
        query: list[list[list[str]]] | None = None  # params → [key pieces, value pieces?]
        in_ceql_string = False
        for segment in self.segments:
            if not isinstance(segment, str):
                text = segment.render(lower_bound, now)
                if query is None:
                    path.append(quote(text, safe=""))
                else:
                    query[-1][-1].append(text)
                continue
            for char in segment:
                if query is None:
                    if char == "?":
                        query = [[[]]]
                    else:
                        path.append(quote(char, safe=_PATH_SAFE))
                elif char == "&" and not in_ceql_string:
                    query.append([[]])
                elif char == "=" and len(query[-1]) == 1:
                    query[-1].append([])
                else:
                    in_ceql_string ^= char == "'"
                    query[-1][-1].append(char)
        rendered = "".join(path)
        if query is None:
            return rendered
        params = ("=".join(quote("".join(piece), safe="") for piece in param) for param in query)
        return rendered + "?" + "&".join(params)


def parse_url_template(template: str) -> UrlTemplate:
    """Parse and check `template`; raises UrlTemplateError naming the bad placeholder and the fix."""
    segments: list[Segment] = []
    literal: list[str] = []
    index = 0
    while index < len(template):
        if template.startswith("${", index):
            end = _closing_brace(template, index + 2)
            if literal:
                segments.append("".join(literal))
                literal.clear()
            segments.append(_placeholder(template[index : end + 1]))
            index = end + 1
        else:
            literal.append(template[index])
            index += 1
    if literal:
        segments.append("".join(literal))
    return UrlTemplate(template, tuple(segments))


def _closing_brace(template: str, start: int) -> int:
    """Index of the `}` ending a placeholder; a `}` inside a quoted date-pattern literal does not count."""
    in_quote = False
    for index in range(start, len(template)):
        char = template[index]
        if char == "'":
            in_quote = not in_quote
        elif char == "}" and not in_quote:
            return index
    raise UrlTemplateError(
        f"placeholder starting {template[start - 2 : start + 20]!r}... has no closing '}}' "
        "(check the quotes in its date pattern)"
    )


def _placeholder(source: str) -> Placeholder:
    body = source[2:-1]
    name, _, argument = body.partition(":")
    if name == "epoch":
        if ":" not in body:
            return EpochPlaceholder(source, "ms")
        if argument not in ("s", "ms", "us"):
            raise UrlTemplateError(f"{source}: epoch unit must be s, ms or us, not {argument!r}")
        return EpochPlaceholder(source, argument)
    if name not in DATE_PLACEHOLDERS:
        raise UrlTemplateError(f"unknown placeholder {source}; known placeholders are {', '.join(KNOWN_PLACEHOLDERS)}")
    if name in ("gmtDate", "date"):
        return DatePlaceholder(source, name, _formatter(source, argument, SERVER_ZONE))
    return DatePlaceholder(source, name, _zoned_formatter(source, argument))


def _formatter(source: str, pattern: str, zone: str) -> JavaDateFormat:
    if not pattern:
        raise UrlTemplateError(f"{source} needs a date pattern, e.g. ${{gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}}")
    try:
        return JavaDateFormat(pattern, zone)
    except JavaDateError as error:
        raise UrlTemplateError(f"{source}: {error}") from error


def _zoned_formatter(source: str, argument: str) -> JavaDateFormat:
    """Split `TZ:FMT`; zones may contain colons (`-8:00`), so the longest valid zone wins."""
    colons = [index for index, char in enumerate(argument) if char == ":"]
    if not colons:
        raise UrlTemplateError(f"{source} needs a zone and a date pattern: ${{dateTimeZone:TZ:FMT}}")
    shortest_zone_error: JavaDateError | None = None
    for index in reversed(colons):
        try:
            return JavaDateFormat(argument[index + 1 :], argument[:index])
        except JavaDateError as error:
            shortest_zone_error = error
    raise UrlTemplateError(f"{source}: {shortest_zone_error}") from shortest_zone_error
