"""The dashboard as a person uses it: a real headless Chromium on a running `cwmock up`, through the forms only.

It reads the dashboard's URL from the startup summary, advances the clock with the keyboard, creates a contact,
watches the notification arrive on the arrivals page (live refresh, no reload), and finds the delivered version on
the instance's timeline. Screenshots go to `.ci/artifacts/screenshots/` (or `$CWMOCK_SCREENSHOT_DIR`).

The browser is Debian's `chromium` (`/usr/bin/chromium`, or `$CWMOCK_CHROMIUM`), driven by Playwright; nothing is
downloaded at run time. Without it the test fails and says how to install it: it never passes unseen. To skip it
deliberately (a machine that cannot have a browser), set `CWMOCK_BROWSER_TESTS=skip`; CI (`.ci/run`) installs
Chromium and never sets it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.ports import free_port
from support.processes import cwmock_running

ROOT = Path(__file__).parents[2]
SCREENSHOTS = Path(os.environ.get("CWMOCK_SCREENSHOT_DIR") or ROOT / ".ci" / "artifacts" / "screenshots")
CHROMIUM = os.environ.get("CWMOCK_CHROMIUM", "/usr/bin/chromium")
# No sandbox: CI runs as root, where Chromium's sandbox cannot start. The rest keeps it from calling home.
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 15_000

if os.environ.get("CWMOCK_BROWSER_TESTS") == "skip":
    pytest.skip("CWMOCK_BROWSER_TESTS=skip: the browser test is skipped on purpose", allow_module_level=True)


def browser_missing() -> str | None:
    """Why the browser test cannot run here, with what to install (None when it can)."""
    problems = []
    if shutil.which(CHROMIUM) is None:
        problems.append(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set CWMOCK_CHROMIUM=PATH)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Playwright is not installed: pip install -e '.[test]' (or pip install playwright)")
    if not problems:
        return None
    return (
        "the dashboard's browser test needs a real browser: "
        + "; ".join(problems)
        + ". Set CWMOCK_BROWSER_TESTS=skip only on a machine that cannot have one."
    )


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[str]:
    """A real `cwmock up` on free ports with a frozen clock; yields the dashboard URL its summary printed."""
    arguments = ["up", "--clock", "manual", "--port", str(free_port()), "--receiver-port", str(free_port())]
    with cwmock_running(*arguments, "--state-dir", str(tmp_path / "state")) as lines:
        found = re.search(r"dashboard \(.*\): (http://\S+)", "".join(lines))
        assert found, "the startup summary must name the dashboard's URL:\n" + "".join(lines)
        yield found.group(1)


def shoot(page: Any, name: str) -> None:
    """Save a full-page screenshot as SCREENSHOTS/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_advance_create_watch_the_arrival_and_find_it_on_the_timeline(dashboard: str) -> None:
    missing = browser_missing()
    if missing is not None:
        pytest.fail(missing)
    from playwright.sync_api import Page, Route, expect, sync_playwright

    outside: list[str] = []

    def only_this_machine(route: Route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "http://localhost:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})  # a laptop's screen
            context.route("**/*", only_this_machine)
            page: Page = context.new_page()
            page.set_default_timeout(WAIT_MS)

            page.goto(dashboard)
            expect(page.get_by_role("heading", name="Overview")).to_be_visible()
            shoot(page, "01-overview")

            # The clock, with the keyboard: type the amount, pick the unit, press Enter.
            page.get_by_label("Amount").fill("1")
            page.get_by_label("Unit").select_option("minutes")
            page.get_by_label("Amount").press("Enter")
            expect(page.get_by_role("status")).to_contain_text("Advanced 1 minute to 2026-01-01 00:01:00Z")

            # A contact, through the tenant's form.
            page.get_by_role("link", name="Contacts of cloudelements").click()
            page.get_by_label("First name").fill("Ada")
            page.get_by_label("Last name").fill("Lovelace")
            page.get_by_role("button", name="Create contact").click()
            expect(page.get_by_role("status")).to_contain_text("Created contact")
            found = re.search(r"/contacts/(\d+)", page.url)
            assert found, page.url
            contact = found.group(1)
            expect(page.get_by_role("heading", name=f"Contact {contact} of cloudelements")).to_be_visible()
            shoot(page, "02-contact")

            # The arrivals page, open in its own tab before anything was sent.
            arrivals = context.new_page()
            arrivals.set_default_timeout(WAIT_MS)
            arrivals.goto(page.url.split("/__ui/")[0] + "/__ui/arrivals")
            expect(arrivals.locator("#arrivals")).to_contain_text("Nothing has arrived yet")

            # One refresh interval later the poller's window runs, at its exact instant.
            page.get_by_role("link", name="Clock & instances").click()
            page.get_by_label("Amount").fill("15")
            page.get_by_label("Unit").select_option("minutes")
            page.get_by_role("button", name="Advance").click()
            expect(page.get_by_role("status")).to_contain_text("ran what was due at 2026-01-01 00:15:00Z")

            # The notification appears in the other tab by itself (live refresh, no reload).
            expect(arrivals.locator("#arrivals")).to_contain_text('"firstName": "Ada"')
            expect(arrivals.locator("#arrivals")).to_contain_text("signature valid")
            expect(arrivals.locator("#arrivals")).to_contain_text("answered 200")
            shoot(arrivals, "03-arrivals")

            # The instance: its poller state, then the verdict as a timeline.
            page.get_by_role("link", name="Instance 1", exact=True).click()
            expect(page.locator("#delivered-count")).to_have_text("1")
            shoot(page, "04-instance")
            page.get_by_role("link", name="The verdict of instance 1 as a timeline").click()
            expect(page.locator(".timeline .outcome")).to_contain_text("PASS instance 1: 1 required version(s)")
            row = page.locator("table.versions tr", has_text=f"contact {contact}")
            expect(row).to_contain_text("2026-01-01T00:01:00Z")
            expect(row).to_contain_text("required (window 1)")
            expect(row).to_contain_text("delivered: delivery 1")
            mark = page.locator("svg.tl circle.version.required title")
            expect(mark).to_have_text(
                f"contact {contact} @ 2026-01-01T00:01:00Z: required by window 1; delivered by delivery 1"
            )
            shoot(page, "05-timeline")

            # A fault, added from the form.
            page.get_by_role("link", name="Faults").click()
            page.get_by_label("Kind").select_option("status")
            page.get_by_label("Status code").fill("503")
            page.get_by_label("Times").fill("1")
            page.get_by_role("button", name="Add fault").click()
            expect(page.get_by_role("status")).to_contain_text("Added fault 1 (status)")
            shoot(page, "06-faults")
        finally:
            browser.close()
    assert outside == [], f"the dashboard must fetch nothing from the network: {outside}"
