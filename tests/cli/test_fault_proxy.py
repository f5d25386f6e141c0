"""`--fault-proxy-port`: the TCP fault proxy served by `cwmock emulator` and `cwmock up`, faulted over the admin API."""

from __future__ import annotations

import socket

import httpx
import pytest

from cwmock.cli.main import main
from cwmock.testing.plugin import native_headers

from support.ports import free_port, free_ports
from support.processes import cwmock_running

CONTACTS = "/v4_6_release/apis/3.0/company/contacts"


NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


def fault_the_next_read_through_the_proxy(port: int, proxy_port: int) -> None:
    admin = f"http://127.0.0.1:{port}/__admin"
    assert httpx.get(f"{admin}/fault-proxy", timeout=5).json() == {"url": f"http://127.0.0.1:{proxy_port}"}
    headers = NATIVE
    with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", headers=headers, timeout=5) as client:
        assert client.get(CONTACTS).status_code == 200, "untouched through the proxy"
        added = httpx.post(
            f"{admin}/socket-faults", json={"kind": "reset_before_response", "path": CONTACTS, "times": 1}, timeout=5
        )
        assert added.status_code == 201, added.text
        with pytest.raises(httpx.ReadError):
            client.get(CONTACTS)
        assert client.get(CONTACTS).status_code == 200
    direct = httpx.get(f"http://127.0.0.1:{port}{CONTACTS}", headers=headers, timeout=5)
    assert direct.status_code == 200, "the emulator's own port is never faulted by the proxy"


def test_cwmock_emulator_serves_the_fault_proxy_on_its_own_port() -> None:
    port, proxy_port = free_ports(2)
    with cwmock_running("emulator", "--port", str(port), "--fault-proxy-port", str(proxy_port)) as banner:
        assert any(f"fault proxy:     http://127.0.0.1:{proxy_port}" in line for line in banner), banner
        fault_the_next_read_through_the_proxy(port, proxy_port)


def test_cwmock_up_serves_the_fault_proxy_on_its_own_port() -> None:
    port, receiver_port, proxy_port = free_ports(3)
    arguments = ["--port", str(port), "--receiver-port", str(receiver_port), "--fault-proxy-port", str(proxy_port)]
    with cwmock_running("up", *arguments) as banner:
        assert any("fault proxy (socket faults" in line and str(proxy_port) in line for line in banner), banner
        fault_the_next_read_through_the_proxy(port, proxy_port)


def test_a_fault_proxy_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert main(["emulator", "--port", str(free_port()), "--fault-proxy-port", str(busy)]) == 1
    assert f"the fault proxy cannot listen on 127.0.0.1:{busy}" in capsys.readouterr().err


def test_the_proxy_is_refused_in_front_of_an_https_only_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--tls", "--fault-proxy-port", "9999"])
    assert exited.value.code == 2
    assert "--fault-proxy-port forwards plain HTTP" in capsys.readouterr().err
