"""What installing cwmock provides: import root, entry points, packaged fixtures."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

from cwmock.fixtures import fixture_path, read_fixture


def test_console_script_and_pytest_plugin_are_registered() -> None:
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("cwmock") == "cwmock.cli.main:main"
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("cwmock") == "cwmock.testing.plugin"


def test_the_customer_directories_install_under_one_import_root() -> None:
    import cwmock.contract_tests
    import cwmock.emulator
    import cwmock.poller

    assert cwmock.__version__
    for module in (cwmock.emulator, cwmock.poller, cwmock.contract_tests):
        assert module.__name__.startswith("cwmock.")


def test_fixtures_ship_as_package_data() -> None:
    reference = json.loads(read_fixture("reference_data.json"))
    assert reference["companies"]
    assert json.loads(read_fixture("contacts/sample.json"))["contacts"]


def test_a_missing_fixture_is_named_in_the_error() -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.json"):
        fixture_path("nope.json")


def test_the_dashboard_ships_its_templates_and_files() -> None:
    from importlib import resources

    package = resources.files("cwmock.dashboard")
    templates = {entry.name for entry in package.joinpath("templates").iterdir()}
    assert {"base.html", "overview.html", "timeline.html", "login.html"} <= templates
    static = {entry.name for entry in package.joinpath("static").iterdir()}
    assert {"dashboard.css", "live.js"} <= static
