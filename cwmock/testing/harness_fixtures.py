"""Plugin options and fixtures for judging a poller: receiver, poller target, harness.

Options: `--poller-cmd "CMD"` judges an external poller (docs/contract-suite/protocol.md), not our reference poller;
`--poller-claims-drift-safe` holds it to exactly-once even when the hub's pages shift (cwmock policy, beyond the
platform; the reference poller always is);
`--judge-policy` holds it to cwmock policy too (policy scenarios and policy rules; the reference poller always is);
`--poller-timeout S` kills a window that runs longer (default 30 s); `--cwmock-profile dev|ci|deep` picks the
stateful property test's Hypothesis profile.

A test that fails after its harness judged gets the verdict drawn as a self-contained HTML timeline
(`verdict-timeline.html` in the harness's work directory), and the failure message names the file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING

import pytest

from cwmock.contract_tests.harness.classification import DOCUMENTED_MARK, POLICY_MARK
from cwmock.contract_tests.harness.options import DEFAULT_POLLER_TIMEOUT, DRIFT_OPTION, POLICY_OPTION

# The options and markers are registered in every session; the harness, the receiver and httpx are imported by the
# fixtures that use them (cwmock.testing.plugin says why).
if TYPE_CHECKING:
    import ssl
    from pathlib import Path

    from cwmock.contract_tests.harness.runner import Harness
    from cwmock.contract_tests.harness.targets import PollerTarget
    from cwmock.emulator.live import LiveEmulator
    from cwmock.receiver.inbox import Receiver
    from cwmock.receiver.server import ReceiverServer

TIMELINE_FILE = "verdict-timeline.html"
TIMELINE_SECTION = "cwmock verdict timeline"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register cwmock's command-line options."""
    group = parser.getgroup("cwmock", "cwmock contract suite")
    group.addoption(
        "--poller-cmd",
        default=None,
        help="judge this external poller command (run once per window with the CWMOCK_* environment)",
    )
    group.addoption(
        DRIFT_OPTION,
        action="store_true",
        default=False,
        help="the --poller-cmd poller claims exactly-once even when the hub's pages shift between fetches: run the "
        "drift scenarios and judge their windows strictly (cwmock policy, beyond the platform)",
    )
    group.addoption(
        POLICY_OPTION,
        action="store_true",
        default=False,
        help="hold a --poller-cmd poller to cwmock policy too: run the policy scenarios and fail on policy rules "
        "(the reference poller is always held to it)",
    )
    group.addoption(
        "--poller-timeout",
        type=float,
        default=DEFAULT_POLLER_TIMEOUT,
        help="seconds before a poller window is killed and recorded as a crash (default: %(default)s)",
    )
    group.addoption(
        "--cwmock-profile",
        choices=("dev", "ci", "deep"),
        default=None,
        help="Hypothesis profile of the stateful property test (default: $CWMOCK_HYPOTHESIS_PROFILE, else ci)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers that classify every contract scenario (docs/contract-suite/scenarios.md#classification)."""
    config.addinivalue_line(
        "markers", f"{DOCUMENTED_MARK}(source): a scenario that judges documented behaviour; names its public source"
    )
    config.addinivalue_line(
        "markers",
        f"{POLICY_MARK}(why): a scenario that judges cwmock policy; a --poller-cmd poller only with {POLICY_OPTION}",
    )


def judges_policy(config: pytest.Config, target: PollerTarget) -> bool:
    """True when `target` is held to cwmock policy: always the in-process reference poller, else on request."""
    from cwmock.contract_tests.harness.targets import ExternalCommandTarget

    return not isinstance(target, ExternalCommandTarget) or bool(config.getoption(POLICY_OPTION))


@pytest.fixture(scope="session")
def cwmock_receiver_server(cwmock_server: LiveEmulator) -> Iterator[ReceiverServer]:
    """One webhook receiver over a real socket per session, stamping arrivals with the emulator's clock."""
    from cwmock.receiver.inbox import Receiver
    from cwmock.receiver.server import serve_receiver

    with serve_receiver(Receiver(cwmock_server.emulator.clock)) as server:
        yield server


@pytest.fixture
def cwmock_receiver(cwmock_receiver_server: ReceiverServer) -> Iterator[Receiver]:
    """The session's receiver, emptied for this test; anything that failed inside it fails the test."""
    receiver = cwmock_receiver_server.receiver
    receiver.reset()
    receiver.set_signature_keys([])
    yield receiver
    receiver.check()


@pytest.fixture
def cwmock_poller_target(request: pytest.FixtureRequest) -> PollerTarget:
    """The poller under judgement: `--poller-cmd`, else the reference poller. A policy scenario is skipped for a
    `--poller-cmd` poller unless `--judge-policy` (or the option the scenario names, such as a drift claim) asks."""
    from cwmock.contract_tests.harness.targets import ExternalCommandTarget

    command = request.config.getoption("--poller-cmd")
    timeout = float(request.config.getoption("--poller-timeout"))
    if command:
        target: PollerTarget = ExternalCommandTarget(command, timeout=timeout)
    else:
        target = default_target(timeout, request.getfixturevalue("cwmock_reference_ssl_context"))
    marker = request.node.get_closest_marker(POLICY_MARK)
    if marker is not None:
        asked_by = str(marker.kwargs.get("asked_by", POLICY_OPTION))
        asked = bool(request.config.getoption(POLICY_OPTION)) or bool(request.config.getoption(asked_by))
        if isinstance(target, ExternalCommandTarget) and not asked:
            why = marker.args[0] if marker.args else "cwmock's own choice"
            pytest.skip(f"cwmock policy ({why}); pass {asked_by} to hold this poller to it")
    return target


def default_target(timeout: float, ssl_context: ssl.SSLContext | None = None) -> PollerTarget:
    """Our reference poller, when no `--poller-cmd` is given, verifying HTTPS with `ssl_context` (default: its own)."""
    from cwmock.contract_tests.harness.reference_adapter import ReferencePoller

    return ReferencePoller(ssl_context=ssl_context)


@pytest.fixture(scope="session")
def cwmock_reference_ssl_context() -> ssl.SSLContext:
    """The context every in-process reference poller of the session verifies HTTPS with: httpx's default, built once.
    Each test's poller loading the CA bundle again took about 19 ms, a tenth of an in-process contract run's CPU."""
    import httpx

    return httpx.create_ssl_context()


@pytest.fixture
def cwmock_instance_body() -> dict[str, object]:
    """The instance JSON the harness registers: the seed's "Example JSON with Polling" body."""
    import json

    from cwmock.fixtures import SEED_INSTANCE, read_fixture

    body: dict[str, object] = json.loads(read_fixture(SEED_INSTANCE))
    return body


@pytest.fixture
async def cwmock_harness(
    cwmock_live: LiveEmulator,
    cwmock_receiver: Receiver,
    cwmock_receiver_server: ReceiverServer,
    cwmock_poller_target: PollerTarget,
    cwmock_instance_body: dict[str, object],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Harness]:
    """A started harness: instance registered at the emulator clock's start, the poller ready to run windows."""
    from cwmock.contract_tests.harness.emulator_control import EmulatorControl
    from cwmock.contract_tests.harness.runner import Harness, HarnessSettings

    control = EmulatorControl(cwmock_live.url)
    settings = HarnessSettings(
        cwmock_live.url,
        f"{cwmock_receiver_server.url}/hooks",
        tmp_path / "harness",
        judge_policy=judges_policy(request.config, cwmock_poller_target),
    )
    harness = Harness(control, cwmock_receiver, cwmock_poller_target, cwmock_instance_body, settings)
    await harness.start()
    try:
        yield harness
    finally:
        await control.aclose()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """When a test that judged with `cwmock_harness` fails, write the verdict's timeline and name it in the failure."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    harness = getattr(item, "funcargs", {}).get("cwmock_harness")
    if harness is None:
        return report
    from cwmock.contract_tests.harness.runner import Harness

    if not isinstance(harness, Harness):
        return report
    path = harness.write_timeline(harness.settings.work_dir / TIMELINE_FILE)
    if path is not None:
        text = f"the verdict as a timeline (open it in a browser): {path}"
        # In the failure's own text when pytest built one (shown even with --show-capture=no), else as a section.
        add_section = getattr(report.longrepr, "addsection", None)
        if callable(add_section):
            add_section(TIMELINE_SECTION, text)
        else:
            report.sections.append((TIMELINE_SECTION, text))
    return report
