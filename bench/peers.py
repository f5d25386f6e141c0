"""The mocks people use instead, run as peers in the list-page benchmark: WireMock and json-server.

Both come from the npm registry at bench time (`npm install` of pinned versions into a cache directory outside the
repository, `--peers-dir`); the npm package `wiremock` bundles WireMock's standalone jar, which runs on the machine's
`java`. Each peer serves the emulator's page and binds only to 127.0.0.1. A peer whose runtime (java, node, npm) or
package is missing is skipped with a line saying why, never silently.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WIREMOCK_PACKAGE = "wiremock@3.13.2"
JSON_SERVER_PACKAGE = "json-server@0.17.4"
WIREMOCK_JAR = "wiremock/build/wiremock-standalone-3.13.2.jar"
JSON_SERVER_CLI = "json-server/lib/cli/bin.js"
# WireMock's default journal keeps every request (and, in 3.x, every response body) in memory; a bounded run keeps
# its heap from growing past what the machine has.
WIREMOCK_HEAP = "-Xmx4g"
PEERS = ("wiremock", "wiremock-journal", "json-server")


def default_peers_dir() -> Path:
    """Where npm installs the peers: the user's cache, never the repository."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "cwmock-bench" / "peers"


@dataclass
class Peer:
    """A peer server: its label, process, port and the request target it answers the page on."""

    label: str
    process: subprocess.Popen[bytes]
    port: int
    target: str

    @property
    def pid(self) -> int:
        """The serving process (java for WireMock, node for json-server)."""
        return self.process.pid


def install(peers_dir: Path) -> tuple[Path | None, str]:
    """`npm install` the pinned peers into `peers_dir` (once); (node_modules, "") or (None, why not)."""
    modules = peers_dir / "node_modules"
    if (modules / WIREMOCK_JAR).exists() and (modules / JSON_SERVER_CLI).exists():
        return modules, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not on PATH"
    peers_dir.mkdir(parents=True, exist_ok=True)
    print(f"installing {WIREMOCK_PACKAGE} and {JSON_SERVER_PACKAGE} into {peers_dir} ...", file=sys.stderr, flush=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(peers_dir), WIREMOCK_PACKAGE, JSON_SERVER_PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        return None, f"npm install failed: {done.stderr.strip()[-300:]}"
    return modules, ""


def missing_runtime(peer: str, modules: Path | None, why: str) -> str | None:
    """Why `peer` cannot run here (None when it can)."""
    if modules is None:
        return why
    if peer.startswith("wiremock"):
        if shutil.which("java") is None:
            return "java is not on PATH"
        if not (modules / WIREMOCK_JAR).exists():
            return f"{WIREMOCK_JAR} is missing from {modules}"
        return None
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (modules / JSON_SERVER_CLI).exists():
        return f"{JSON_SERVER_CLI} is missing from {modules}"
    return None


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def peer_server(
    peer: str, modules: Path, work_dir: Path, path: str, body: bytes, link: str, timeout: float = 120.0
) -> Iterator[Peer]:
    """Start `peer` serving `body` (the emulator's page) on 127.0.0.1; yield once it answers; stop it afterwards."""
    port = free_port()
    if peer.startswith("wiremock"):
        command, target = _wiremock(modules, work_dir / peer, port, path, body, link, journal=peer.endswith("journal"))
    else:
        command, target = _json_server(modules, work_dir / peer, port, body)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_serving(process, port, target, timeout)
        yield Peer(peer, process, port, target)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wiremock(
    modules: Path, root: Path, port: int, path: str, body: bytes, link: str, journal: bool
) -> tuple[list[str], str]:
    """A static stub for `path` answering `body` with the emulator's headers, from WireMock's file store."""
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(parents=True, exist_ok=True)
    (root / "__files" / "page.json").write_bytes(body)
    stub = {
        "request": {"method": "GET", "urlPath": path},
        "response": {
            "status": 200,
            "bodyFileName": "page.json",
            "headers": {"Content-Type": "application/json", "Link": link},
        },
    }
    (root / "mappings" / "page.json").write_text(json.dumps(stub))
    command = ["java", WIREMOCK_HEAP, "-jar", str(modules / WIREMOCK_JAR), "--port", str(port),
               "--bind-address", "127.0.0.1", "--root-dir", str(root), "--disable-banner"]  # fmt: skip
    if not journal:
        command.append("--no-request-journal")
    return command, path


def _json_server(modules: Path, root: Path, port: int, body: bytes) -> tuple[list[str], str]:
    """json-server over a database whose `contacts` are the page's contacts (it answers them at `/contacts`)."""
    root.mkdir(parents=True, exist_ok=True)
    database = root / "db.json"
    database.write_text(json.dumps({"contacts": json.loads(body)}))
    command = ["node", str(modules / JSON_SERVER_CLI), "--port", str(port), "--host", "127.0.0.1", "--quiet",
               "--read-only", str(database)]  # fmt: skip
    return command, "/contacts"


def _wait_until_serving(process: subprocess.Popen[bytes], port: int, target: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"the peer on port {port} exited with {process.returncode}: {stderr[-500:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", target)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the peer on port {port} did not answer {target} within {timeout} s")
