"""HTTPS for the emulator: generated certificates, the CA bundle on disk, the threaded server and the CLI flags."""

from __future__ import annotations

import os
import signal
import ssl
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from cwmock.cli.main import main
from cwmock.emulator.app import create_emulator
from cwmock.emulator.http.server import BackgroundServer
from cwmock.emulator.http.tls import TlsMaterial, default_ca_file, generate_tls, tls_hosts
from cwmock.testing.plugin import TlsLiveEmulator, native_headers

from support.ports import free_port, free_ports

HEADERS = native_headers("cwmock", "cwmock-public", "cwmock-private")


def trusting(ca_file: Path) -> ssl.SSLContext:
    """An SSL context that trusts only the CA in `ca_file`."""
    return ssl.create_default_context(cafile=str(ca_file))


@pytest.fixture(scope="module")
def material() -> TlsMaterial:
    return generate_tls(["cwmock.internal", "10.1.2.3"])


def test_certificate_covers_loopback_names_and_extra_hosts_once(material: TlsMaterial) -> None:
    assert material.hosts == ("localhost", "127.0.0.1", "::1", "cwmock.internal", "10.1.2.3")
    assert tls_hosts(["127.0.0.1", "localhost"]) == ("localhost", "127.0.0.1", "::1")
    leaf = x509.load_pem_x509_certificates(material.server_pem)[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(names.get_values_for_type(x509.DNSName)) == ["cwmock.internal", "localhost"]
    assert sorted(str(ip) for ip in names.get_values_for_type(x509.IPAddress)) == ["10.1.2.3", "127.0.0.1", "::1"]
    ca = x509.load_pem_x509_certificate(material.ca_pem)
    assert leaf.issuer == ca.subject
    assert b"PRIVATE KEY" in material.server_pem
    assert b"PRIVATE KEY" not in material.ca_pem, "the bundle clients get must not carry a key"


def test_each_generation_is_a_new_ca(material: TlsMaterial) -> None:
    assert generate_tls().ca_pem != material.ca_pem


def test_write_ca_creates_parents_and_replaces_an_old_bundle(material: TlsMaterial, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "ca.pem"
    assert material.write_ca(target) == target
    assert target.read_bytes() == material.ca_pem
    other = generate_tls()
    other.write_ca(target)
    assert target.read_bytes() == other.ca_pem
    assert [p.name for p in target.parent.iterdir()] == ["ca.pem"], "no temporary file left behind"


def test_server_key_file_is_private_and_removed_after_use(material: TlsMaterial) -> None:
    with material.server_pem_file() as path:
        assert Path(path).read_bytes() == material.server_pem
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not Path(path).exists()


def test_default_ca_file_is_under_the_user_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_ca_file({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "cwmock" / "cwmock-ca.pem"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_ca_file({}) == tmp_path / "home" / ".cache" / "cwmock" / "cwmock-ca.pem"


@pytest.fixture(scope="module")
def https_server(material: TlsMaterial, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    ca_file = material.write_ca(tmp_path_factory.mktemp("tls") / "ca.pem")
    with BackgroundServer(create_emulator().app, tls=material) as server:
        yield server.url, ca_file


def test_https_request_verified_against_the_written_ca_succeeds(https_server: tuple[str, Path]) -> None:
    url, ca_file = https_server
    assert url.startswith("https://127.0.0.1:")
    with httpx.Client(verify=trusting(ca_file)) as client:
        info = client.get(f"{url}/login/companyinfo/cwmock")
        by_name = client.get(url.replace("127.0.0.1", "localhost") + "/v4_6_release/apis/3.0/company/contacts",
                             headers=HEADERS)  # fmt: skip
    assert info.status_code == 200
    assert info.json()["Codebase"] == "v4_6_release/"
    assert by_name.status_code == 200
    assert by_name.json() == []


def test_https_request_without_the_ca_fails_certificate_verification(https_server: tuple[str, Path]) -> None:
    url, _ = https_server
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"), httpx.Client() as client:
        client.get(f"{url}/login/companyinfo/cwmock")


def test_https_request_trusting_another_ca_fails(https_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = https_server
    stranger = generate_tls().write_ca(tmp_path / "other.pem")
    with (
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
        httpx.Client(verify=trusting(stranger)) as client,
    ):
        client.get(f"{url}/login/companyinfo/cwmock")


def test_plugin_tls_fixture_serves_https_trusted_by_its_ca_file(cwmock_tls_live: TlsLiveEmulator) -> None:
    assert cwmock_tls_live.api_url.startswith("https://")
    assert cwmock_tls_live.ca_file.is_file()
    with httpx.Client(base_url=cwmock_tls_live.api_url, headers=HEADERS, verify=trusting(cwmock_tls_live.ca_file)) as c:
        created = c.post("/company/contacts", json={"firstName": "Secure"})
        assert created.status_code == 201
        assert created.json()["_info"]["communications_href"].startswith("https://127.0.0.1:")
        assert [r["firstName"] for r in c.get("/company/contacts").json()] == ["Secure"]


def test_tls_ca_file_without_tls_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["emulator", "--tls-ca-file", "ca.pem"])
    assert exit_info.value.code == 2
    assert "add --tls" in capsys.readouterr().err


# -- the CLI, as a user runs it -------------------------------------------------------------


def read_banner(process: subprocess.Popen[str], timeout: float = 30) -> list[str]:
    """The startup summary, read in a thread until its last line (or the timeout)."""
    lines: list[str] = []
    done = threading.Event()

    def reader() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout)
    return lines


def get_when_up(url: str, verify: ssl.SSLContext | bool, attempts: int = 200) -> httpx.Response:
    """GET `url`, retrying while the socket is not open yet (the banner comes just before it opens)."""
    for _ in range(attempts):
        try:
            return httpx.get(url, verify=verify, timeout=5)
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise
            threading.Event().wait(0.05)
    raise AssertionError(f"nothing answered on {url}")


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[str], int]]]:
    processes: list[subprocess.Popen[str]] = []

    def start(*arguments: str) -> tuple[subprocess.Popen[str], int]:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "cwmock", *arguments, "--port", str(port), "--clock", "manual"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")},
        )
        processes.append(process)
        return process, port

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        assert process.stdout is not None
        process.stdout.close()


def test_cli_up_with_tls_writes_the_ca_prints_its_path_and_serves_https(
    run_cli: Callable[..., tuple[subprocess.Popen[str], int]], tmp_path: Path
) -> None:
    ca_file = tmp_path / "certs" / "my-ca.pem"
    tls_port, receiver_port = free_ports(2)
    process, port = run_cli(
        "up", "--tls", "--tls-ca-file", str(ca_file), "--tls-port", str(tls_port), "--receiver-port", str(receiver_port)
    )
    banner = "".join(read_banner(process))
    # `up --tls` adds an HTTPS listener beside the plain one (docs/design.md#wiring); the stack's poller uses HTTP.
    assert f"HTTPS emulator: https://127.0.0.1:{tls_port}  (CA bundle: {ca_file})" in banner, banner
    response = get_when_up(f"https://127.0.0.1:{tls_port}/login/companyinfo/cwmock", trusting(ca_file))
    assert response.json()["Codebase"] == "v4_6_release/"
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"https://127.0.0.1:{tls_port}/login/companyinfo/cwmock")
    assert httpx.get(f"http://127.0.0.1:{port}/login/companyinfo/cwmock").status_code == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0, "Ctrl-C must stop the HTTPS emulator cleanly"


def test_cli_emulator_with_tls_defaults_the_ca_file_to_the_cache_dir(
    run_cli: Callable[..., tuple[subprocess.Popen[str], int]], tmp_path: Path
) -> None:
    process, port = run_cli("emulator", "--tls")
    banner = "".join(read_banner(process))
    expected = tmp_path / "cache" / "cwmock" / "cwmock-ca.pem"
    assert f"TLS CA bundle:   {expected}" in banner, banner
    response = get_when_up(f"https://localhost:{port}/login/companyinfo/cwmock", trusting(expected))
    assert response.status_code == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0


def test_importing_the_emulator_and_cwmock_s_pytest_plugin_leaves_trustme_for_when_tls_is_served() -> None:
    probe = (
        "import sys, cwmock.testing.plugin, cwmock.emulator.app; print({'trustme', 'cryptography'} & set(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "set()"
