"""Local TLS for the emulator: a throwaway CA (trustme), a server certificate it signs, the CA bundle on disk.

Real ConnectWise only speaks HTTPS and some clients (pyconnectwise) hard-code `https://`, so the emulator can serve
TLS with a certificate clients trust through the CA bundle written here (e.g. `REQUESTS_CA_BUNDLE=<file>`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TLS_HOSTS = ("localhost", "127.0.0.1", "::1")
CA_FILE_NAME = "cwmock-ca.pem"


@dataclass(frozen=True)
class TlsMaterial:
    """A freshly generated CA and a server certificate it signed, as PEM bytes."""

    ca_pem: bytes
    server_pem: bytes  # the server's private key followed by its certificate chain
    hosts: tuple[str, ...]

    def write_ca(self, path: str | os.PathLike[str]) -> Path:
        """Write the CA bundle clients must trust to `path` (parents created, replaced atomically); returns it."""
        target = Path(path).expanduser().resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a client never reads a half-written bundle.
        fd, temporary = tempfile.mkstemp(prefix=".cwmock-ca-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(self.ca_pem)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    @contextmanager
    def server_pem_file(self) -> Iterator[str]:
        """The server's key and chain in a private temporary file (mode 0600), removed when the block ends."""
        fd, path = tempfile.mkstemp(prefix="cwmock-server-", suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(self.server_pem)
            yield path
        finally:
            Path(path).unlink(missing_ok=True)


def tls_hosts(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The names a server certificate covers: localhost, 127.0.0.1, ::1, then `extra`, without repeats."""
    return tuple(dict.fromkeys([*DEFAULT_TLS_HOSTS, *extra]))


def generate_tls(extra_hosts: Iterable[str] = ()) -> TlsMaterial:
    """A new CA and a server certificate for localhost, 127.0.0.1, ::1 and `extra_hosts` (names or IP addresses)."""
    # Imported here: trustme brings cryptography (30-40 ms), and every process that imports the emulator (each pytest
    # run, through cwmock's plugin) would pay it for TLS that most never serve.
    import trustme

    hosts = tls_hosts(extra_hosts)
    ca = trustme.CA(organization_name="cwmock local test CA")
    leaf = ca.issue_cert(*hosts)
    return TlsMaterial(ca_pem=ca.cert_pem.bytes(), server_pem=leaf.private_key_and_cert_chain_pem.bytes(), hosts=hosts)


def default_ca_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where `--tls` writes the CA bundle unless told: `$XDG_CACHE_HOME/cwmock/cwmock-ca.pem` (else `~/.cache/...`).

    A fixed per-user path (not the working directory) lets `REQUESTS_CA_BUNDLE` be set once, whatever directory the
    emulator is started from, and keeps generated files out of project trees.
    """
    env = os.environ if environ is None else environ
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "cwmock" / CA_FILE_NAME
