"""Resource URL templates: placeholders, Java formats inside them, validation and URL encoding."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cwmock.core.instance.url_template import UrlTemplateError, parse_url_template

UTC = timezone.utc
LOWER = datetime(2024, 1, 1, 0, 0, 0, 123_456, tzinfo=UTC)
NOW = datetime(2024, 7, 4, 18, 18, 16, tzinfo=UTC)
SEED_URL = "/hubs/crm/contacts?where=lastUpdated>'${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'"


def render(template: str, lower: datetime = LOWER, now: datetime = NOW) -> str:
    return parse_url_template(template).render(lower, now)


def query_value(rendered: str, key: str) -> str:
    values = parse_qs(urlsplit(rendered).query, keep_blank_values=True)[key]
    assert len(values) == 1
    return values[0]


def test_seed_url_becomes_a_valid_encoded_path_and_query() -> None:
    rendered = render(SEED_URL)
    assert rendered == "/hubs/crm/contacts?where=lastUpdated%3E%272024-01-01T00%3A00%3A00Z%27"
    assert query_value(rendered, "where") == "lastUpdated>'2024-01-01T00:00:00Z'"
    url = httpx.URL("http://127.0.0.1:8000/elements/api-v2" + rendered)
    assert url.path == "/elements/api-v2/hubs/crm/contacts"
    assert url.params["where"] == "lastUpdated>'2024-01-01T00:00:00Z'"


def test_format_with_quotes_colons_and_a_quoted_brace_is_one_placeholder() -> None:
    template = parse_url_template("/x?t=${gmtDate:'{'HH:mm'}'}")
    assert len(template.placeholders) == 1
    assert query_value(template.render(LOWER, NOW), "t") == "{00:00}"


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("${gmtDate:yyyy-MM-dd HH:mm:ss.SSS}", "2024-01-01 00:00:00.123"),
        ("${date:yyyy-MM-dd HH:mm z}", "2024-01-01 00:00 GMT"),
        ("${dateTimeZone:PST:yyyy-MM-dd HH:mm z}", "2023-12-31 16:00 PST"),
        ("${dateTimeZone:-8:00:HH:mm}", "16:00"),
        ("${dateTimeZone:GMT-08:00:HH:mm XXX}", "16:00 -08:00"),
        ("${dateTimeZone:America/Denver:yyyy-MM-dd'T'HH:mm:ssXXX}", "2023-12-31T17:00:00-07:00"),
        ("${nowTimeZone:America/Denver:yyyy-MM-dd'T'HH:mm:ssXXX}", "2024-07-04T12:18:16-06:00"),
        ("${nowTimeZone:GMT:yyyy-MM-dd'T'HH:mm:ss'Z'}", "2024-07-04T18:18:16Z"),
        ("${epoch}", "1704067200123"),
        ("${epoch:ms}", "1704067200123"),
        ("${epoch:s}", "1704067200"),
        ("${epoch:us}", "1704067200123456"),
    ],
)
def test_placeholders_render_their_instant(placeholder: str, expected: str) -> None:
    assert query_value(render(f"/hubs/crm/contacts?v={placeholder}"), "v") == expected


def test_date_placeholders_use_the_lower_bound_and_now_placeholders_use_now() -> None:
    rendered = render("/c?from=${gmtDate:yyyy-MM-dd}&to=${nowTimeZone:GMT:yyyy-MM-dd}")
    assert (query_value(rendered, "from"), query_value(rendered, "to")) == ("2024-01-01", "2024-07-04")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("/c?x=${lastPoll:yyyy}", "unknown placeholder \\$\\{lastPoll:yyyy\\}"),
        ("/c?x=${gmtDate}", "needs a date pattern"),
        ("/c?x=${gmtDate:yyyy-MM-ddTHH}", "Illegal pattern character 'T'"),
        ("/c?x=${gmtDate:yyyy-MM-dd", "no closing"),
        ("/c?x=${gmtDate:'yyyy}", "no closing"),
        ("/c?x=${epoch:ns}", "s, ms or us"),
        ("/c?x=${dateTimeZone:yyyy}", "needs a zone"),
        ("/c?x=${dateTimeZone:Mars/Olympus:yyyy}", "unknown time zone 'Mars/Olympus'"),
        ("/c?x=${nowTimeZone:PDT:yyyy}", "unknown time zone 'PDT'"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(template: str, message: str) -> None:
    with pytest.raises(UrlTemplateError, match=message):
        parse_url_template(template)


def test_rendered_values_are_encoded_as_data() -> None:
    rendered = render("/c/${gmtDate:yyyy/MM}?q=a&b ${dateTimeZone:+05:45:XXX}&like=name LIKE '%smith%'&flag")
    assert rendered.startswith("/c/2024%2F01?")
    assert query_value(rendered, "q") == "a"
    assert query_value(rendered, "b +05:45") == ""
    assert "b%20%2B05%3A45" in rendered  # a raw + would be read back as a space
    assert query_value(rendered, "like") == "name LIKE '%smith%'"
    assert rendered.endswith("&flag")


def test_value_with_ampersand_and_equals_stays_one_value() -> None:
    rendered = render("/c?where=a='x&y=z' AND t>'${gmtDate:yyyy}'")
    assert query_value(rendered, "where") == "a='x&y=z' AND t>'2024'"


def test_path_literals_keep_their_structure() -> None:
    assert render("/hubs/crm/contacts") == "/hubs/crm/contacts"
    assert render("/hubs/crm/my contacts?") == "/hubs/crm/my%20contacts?"


def test_no_placeholder_text_survives_rendering() -> None:
    rendered = render(SEED_URL + "&since=${epoch:s}&tz=${dateTimeZone:America/Denver:XXX}")
    assert "$" not in rendered
    assert "{" not in rendered
