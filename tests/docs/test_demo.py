"""The demo of the README and the quickstart, exactly as printed, against a real `cwmock up` on its default ports."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cwmock.core.timestamps import parse_iso

from support.processes import cwmock_running

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
QUICKSTART = ROOT / "docs" / "quickstart.md"
needs_docs = pytest.mark.skipif(
    not (README.is_file() and QUICKSTART.is_file()),
    reason=f"README.md and docs/ are not beside the tests ({ROOT}): cwmock installed without its sources",
)


def demo_block(page: Path) -> str:
    """The bash block between the demo markers of `page`."""
    text = page.read_text(encoding="utf-8")
    assert text.count("<!-- demo:start -->") == 1, f"{page.name} must mark exactly one demo with <!-- demo:start -->"
    inside = text.split("<!-- demo:start -->", 1)[1].split("<!-- demo:end -->", 1)[0]
    return inside.split("```bash", 1)[1].rsplit("```", 1)[0]


@needs_docs
def test_the_quickstart_shows_the_readmes_demo() -> None:
    assert demo_block(QUICKSTART) == demo_block(README), "docs/quickstart.md must print the README's demo unchanged"


@pytest.fixture
def stack() -> Iterator[list[str]]:
    with cwmock_running("up") as lines:  # on its default ports, as the demo addresses it
        yield lines


def json_documents(text: str) -> list[Any]:
    """The JSON documents curl printed back to back (curl adds no newline between them)."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
    return documents


def wait_past_the_instance_start() -> None:
    """The stack follows wall time: a change in the very second the instance was created would be before s₀."""
    auth = {"Authorization": "User cwmock-user-secret, Organization cwmock-organization-secret"}
    created = parse_iso(
        httpx.get("http://localhost:8000/elements/api-v2/instances/1", headers=auth).json()["createdDate"]
    )
    pause = threading.Event()
    for _ in range(100):
        now = parse_iso(httpx.get("http://localhost:8000/__admin/clock").json()["now"])
        if now.replace(microsecond=0) > created:
            return
        pause.wait(0.05)
    raise AssertionError("the emulator clock did not move past the instance's createdDate")


@needs_docs
def test_the_demo_shows_a_signed_notification(stack: list[str]) -> None:
    bash = shutil.which("bash")
    assert bash is not None, "the demo needs bash"
    assert shutil.which("curl") is not None, "the demo needs curl"
    wait_past_the_instance_start()
    done = subprocess.run(
        [bash, "-euo", "pipefail", "-c", demo_block(README)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    arrivals = json_documents(done.stdout)[-1]["arrivals"]
    [arrival] = arrivals
    assert arrival["signature"]["status"] == "valid"
    assert arrival["path"] == "/mycoolapp"
    body = json.loads(arrival["body"])
    assert body["message"]["raw"]["contacts"][0]["firstName"] == "Ada"
    assert body["message"]["events"][0]["eventType"] == "CREATED"
