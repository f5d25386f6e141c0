"""Hostile input for the hostile-input suites: Hypothesis strategies for what schemathesis does not send.

Lone surrogates and NULs, JSON nested past any sane depth, integers of thousands of digits, `NaN`, `Infinity` and
`1e400`, ids too long to name anything, odd encodings and content types, non-ASCII credentials, and patterns that
make a backtracking matcher run for ever. Each is thrown at one place of an otherwise valid request (a body field,
the whole body, a path id, a query parameter, a header), so the request reaches the code that must refuse it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Mount, Route

from cwmock.contract_tests.stateful.settings import profile_name

SENTINEL = "\u0001hostile\u0001"

# -- text -------------------------------------------------------------------------------------------------------

LONE_SURROGATES = ["\ud800", "\udfff", "a\udc00b", "\ud83d", "\ude00\ud83d"]
ODD_TEXT = ["\x00", "a\x00b", "\u202e\u0301", "\ufeff", "\uffff", "\U0010ffff", "\x7f\x1b[31m", "../../etc/passwd",
            "%00", "' or 1=1 --", "<script>", "NaN", "-0", "١٢٣", "ＡＢＣ", "e\u0301" * 40]  # fmt: skip


def hostile_text() -> st.SearchStrategy[str]:
    """Strings a JSON body can carry that a careless server stores, echoes or crashes on."""
    return st.one_of(
        st.sampled_from(LONE_SURROGATES + ODD_TEXT),
        # Surrogates (Cs), controls, format characters, private use, unassigned, combining marks, other scripts.
        st.text(
            st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Co", "Cn", "Mn", "Lo", "So", "Nd"]), max_size=40
        ),
        st.builds(lambda char, n: char * n, st.sampled_from(["x", "é", "\ud800", "\x00", "🙂"]),
                  st.sampled_from([31, 101, 1001, 70_000])),
    )  # fmt: skip


# -- JSON fragments (raw text, so that not-quite-JSON can be written too) ------------------------------------------


def _deep(depth: int, opener: str, closer: str, balanced: bool) -> str:
    return opener * depth + (closer * depth if balanced else "")


HUGE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1E-400", "1e308", "-0", "0.0",
                "9223372036854775807", "9223372036854775808", "-9223372036854775809", "9" * 19, "9" * 400,
                "9" * 4300, "9" * 5000, "-" + "9" * 5000, "1" + "0" * 30 + ".5"]  # fmt: skip


def hostile_fragments() -> st.SearchStrategy[str]:
    """A JSON value as raw text: hostile strings, numbers, nesting, or a value of the wrong type."""
    depth = st.sampled_from([65, 129, 1_000, 100_000])
    return st.one_of(
        hostile_text().map(json.dumps),  # json.dumps writes a lone surrogate as a \\udxxx escape
        st.sampled_from(HUGE_NUMBERS),
        st.builds(_deep, depth, st.just("["), st.just("]"), st.booleans()),
        st.builds(lambda n: '{"a":' * n + "1" + "}" * n, depth),
        st.sampled_from(["true", "null", "[]", "{}", '""', "0", "-1", '{"id": 1}', '[{"id": "1"}]']),
    )


# -- whole bodies -----------------------------------------------------------------------------------------------


def hostile_bodies(valid: Any) -> st.SearchStrategy[bytes]:
    """A body that replaces a valid one: other encodings of it, broken bytes, or hostile JSON."""
    text = json.dumps(valid) if valid is not None else "{}"
    return st.one_of(
        st.sampled_from([
            text.encode("utf-16"), text.encode("utf-32"), b"\xef\xbb\xbf" + text.encode(), text.encode("latin-1",
            "replace"), b'{"firstName": "\xed\xa0\x80"}', b"\xff\xfe\xfd", b"\xc0\xaf", b"", b"   ", b"null",
            text.encode()[: len(text) // 2], text.encode() + b"garbage", b"\x00" * 16, b"x" * (1_048_576 + 1),
        ]),
        hostile_fragments().map(str.encode),
    )  # fmt: skip


# -- ids, query values, headers, patterns -------------------------------------------------------------------------

HOSTILE_IDS = ["9" * 5000, "9" * 19, "1" + "0" * 18, "0" * 30 + "1", "-1", "+1", "1e3", "1.0", "１２", "١", "0x10",
               "%00", " 1", "1%20", "", "9223372036854775808"]  # fmt: skip
HOSTILE_PATTERNS = [r"/(a|aa)+$", r"(a*)*b", r"(x+x+)+y", r"(?=a)a", r"(a)\1", "a{1000}{1000}", "(" * 500, "[",
                    "x" * 2_000, "\x00", ".*" * 300]  # fmt: skip
LIKE_PATTERNS = ["*a" * 30 + "*b", "%a" * 30 + "%b", "_" * 500, "%" * 1000 + "x", "a" * 5000]


def hostile_ids() -> st.SearchStrategy[str]:
    """Text where a path or query id goes: too long to name anything, signed, written in other digits."""
    return st.sampled_from(HOSTILE_IDS)


def hostile_query_values() -> st.SearchStrategy[str]:
    """A query parameter value (httpx percent-encodes it; `%00` and the like arrive decoded)."""
    return st.one_of(
        st.sampled_from([*HOSTILE_IDS, "nan", "inf", "-inf", "1e308", "1e999", "0", "301", "10000000"]),
        # Query strings carry no lone surrogate (they travel percent-encoded UTF-8); httpx caps a URL at 64 KiB.
        hostile_text().filter(lambda text: len(text) < 5_000 and not any("\ud800" <= c <= "\udfff" for c in text)),
        st.sampled_from([f'firstName like "{p}"' for p in LIKE_PATTERNS] + [f"firstName like '{p}'" for p in
                         LIKE_PATTERNS] + ["(" * 5000 + "id=1" + ")" * 5000, "not " * 5000 + "id=1", "9999-12-31",
                         "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00"]),
    )  # fmt: skip


CONTENT_TYPES = [b"text/plain", b"text/plain; charset=utf-8", b"multipart/form-data; boundary=x", b"application/xml",
                 b"image/png", b"application/json; charset=utf-16", b";;;", "é/è".encode("latin-1")]  # fmt: skip


def hostile_content_types() -> st.SearchStrategy[bytes]:
    """A Content-Type (raw Latin-1 bytes) for a body the endpoint reads as JSON."""
    return st.sampled_from(CONTENT_TYPES)


def hostile_authorizations() -> st.SearchStrategy[bytes]:
    """An Authorization header value as raw bytes (headers travel as Latin-1)."""
    return st.sampled_from([b"Basic \xe9", b"Basic \xff\xff", b"Basic " + b"A" * 10_000, b"Basic ====",
                            b"Basic Y3dtb2NrK+k6w6c=", b"User \xe9, Organization \xe9, Element \xe9", b"User , ,",
                            b"Bearer \x00", b"\xff"])  # fmt: skip


def hostile_patterns() -> st.SearchStrategy[str]:
    """A fault's path pattern that a backtracking matcher would take for ever on, or cannot compile."""
    return st.sampled_from(HOSTILE_PATTERNS)


# -- requests -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One route and a valid request to it, with the places hostile input may go.

    `body_slots` are JSON pointers into `body` ("" for the whole body); `query` is a valid query; `pattern_slots`
    are body pointers that take patterns; every path parameter of `route` may be replaced too.
    """

    method: str
    route: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    body_slots: Sequence[str] = ()
    pattern_slots: Sequence[str] = ()
    path_values: Mapping[str, str] = field(default_factory=dict)

    def path(self, replaced: Mapping[str, str] | None = None) -> str:
        """The route with its parameters filled in (`replaced` wins over the valid values)."""
        path = self.route
        for name, value in {**self.path_values, **(replaced or {})}.items():
            for form in (f"{{{name}:int}}", f"{{{name}}}"):
                path = path.replace(form, value)
        return path

    @property
    def path_parameters(self) -> list[str]:
        """The names of the route's path parameters."""
        return [part[1:-1].split(":")[0] for part in self.route.split("/") if part.startswith("{")]


@dataclass(frozen=True)
class HostileRequest:
    """A request as it goes on the wire: what was made hostile, and where."""

    endpoint: Endpoint
    how: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str | bytes]
    content: bytes | None

    def __repr__(self) -> str:
        content = self.content if self.content is None or len(self.content) < 200 else self.content[:200] + b"..."
        return f"<{self.endpoint.method} {self.path[:120]} {self.how} query={dict(self.query)!r:.200} body={content!r}>"


def _with_fragment(body: Any, pointer: str, fragment: str) -> bytes:
    """`body` as JSON text with the value at `pointer` replaced by the raw `fragment`."""
    if pointer == "":
        return fragment.encode("utf-8", "surrogatepass")
    document = json.loads(json.dumps(body))
    *parents, last = pointer.strip("/").split("/")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = SENTINEL
    else:
        target[last] = SENTINEL
    return json.dumps(document).replace(json.dumps(SENTINEL), fragment).encode("utf-8", "surrogatepass")


def _valid_content(endpoint: Endpoint) -> bytes | None:
    return None if endpoint.body is None else json.dumps(endpoint.body).encode()


@st.composite
def hostile_requests(draw: st.DrawFn, endpoints: Sequence[Endpoint]) -> HostileRequest:
    """One endpoint of `endpoints`, made hostile in one place."""
    endpoint = draw(st.sampled_from(endpoints))
    kinds = ["auth", "content-type", "whole-body", "query"]
    if endpoint.body_slots:
        kinds += ["body-field"] * 3
    if endpoint.pattern_slots:
        kinds += ["pattern"] * 2
    if endpoint.path_parameters:
        kinds += ["path"] * 2
    how = draw(st.sampled_from(kinds))
    headers: dict[str, str | bytes] = {**endpoint.headers}
    query = dict(endpoint.query)
    path = endpoint.path()
    content = _valid_content(endpoint)
    if content is not None:
        headers["content-type"] = "application/json"
    if how == "body-field":
        pointer = draw(st.sampled_from(endpoint.body_slots))
        content = _with_fragment(endpoint.body, pointer, draw(hostile_fragments()))
    elif how == "pattern":
        pointer = draw(st.sampled_from(endpoint.pattern_slots))
        content = _with_fragment(endpoint.body, pointer, json.dumps(draw(hostile_patterns())))
    elif how == "whole-body":
        content = draw(hostile_bodies(endpoint.body))
        headers["content-type"] = "application/json"
    elif how == "path":
        name = draw(st.sampled_from(endpoint.path_parameters))
        path = endpoint.path({name: draw(hostile_ids())})
    elif how == "query":
        name = draw(st.sampled_from([*endpoint.query, "pageId", "page", "pageSize", "conditions", "where", "x"]))
        query[name] = draw(hostile_query_values())
    elif how == "content-type":
        headers["content-type"] = draw(hostile_content_types())
        content = content if content is not None else b"{}"
    else:
        headers["authorization"] = draw(hostile_authorizations())
    return HostileRequest(endpoint, how, path, query, headers, content)


def routes_of(routes: Sequence[BaseRoute], prefix: str = "") -> set[tuple[str, str]]:
    """Every (method, path) an app's routes serve, mounts included: what a catalogue must cover."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= routes_of(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            found |= {(method, prefix + route.path) for method in route.methods or () if method != "HEAD"}
    return found


# -- settings -----------------------------------------------------------------------------------------------------

_BASE = settings(
    deadline=None,
    # No explain phase: it would print the megabyte values some examples carry.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example),
)
EXAMPLES = {"dev": 30, "ci": 150, "deep": 3000}


def hostile_settings(option: str | None, environ: Mapping[str, str] | None = None) -> settings:
    """The examples per test for the cwmock profile asked for (`--cwmock-profile`, `CWMOCK_HYPOTHESIS_PROFILE`):
    `ci` (the default) is derandomized and bounded for CI, `deep` runs twenty times as many."""
    name = profile_name(option, os.environ if environ is None else environ)
    if name == "ci":
        return settings(_BASE, max_examples=EXAMPLES[name], derandomize=True, database=None,
                        phases=(Phase.explicit, Phase.reuse, Phase.generate))  # fmt: skip
    return settings(_BASE, max_examples=EXAMPLES[name])
