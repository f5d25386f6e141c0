"""Programs some tests need besides Python (node, libfaketime): found, or the test fails saying how to install them.

CI (`.ci/run`) installs them. A machine that cannot have one may skip those tests on purpose with
`CWMOCK_RUNTIME_TESTS=skip`; tox does not pass that variable through, so under tox they always run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cwmock.core.clock import FaketimeMissing, find_libfaketime

SKIP_VARIABLE = "CWMOCK_RUNTIME_TESTS"
INSTALL = {"node": "apt-get install -y nodejs (or any node >= 18 on PATH)"}


def _missing(what: str, how: str) -> None:
    if os.environ.get(SKIP_VARIABLE) == "skip":
        pytest.skip(f"{SKIP_VARIABLE}=skip: {what} is not installed and the test is skipped on purpose")
    pytest.fail(f"this test needs {what}: {how}. Set {SKIP_VARIABLE}=skip only on a machine that cannot have it.")


def required_program(name: str) -> str:
    """The path of `name` on PATH (node), or fail/skip as the module says."""
    found = shutil.which(name)
    if found is None:
        _missing(name, INSTALL.get(name, f"install {name}"))
        raise AssertionError("unreachable")
    return found


def required_libfaketime() -> Path:
    """The libfaketime library, or fail/skip as the module says."""
    try:
        return find_libfaketime()
    except FaketimeMissing as exc:
        _missing("libfaketime", str(exc))
        raise AssertionError("unreachable") from None
