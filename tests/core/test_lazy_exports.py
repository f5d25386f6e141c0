"""Re-exports imported on first use: the same objects as their modules', and unknown names fail as a module's do."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import cwmock.contract_tests.harness as harness
from cwmock.core.lazy_exports import lazy_exports


def test_a_name_comes_from_its_module_relative_or_absolute() -> None:
    from cwmock.contract_tests.harness.runner import Harness
    from cwmock.core.timestamps import format_cw

    getattr_ = lazy_exports(
        "cwmock.contract_tests.harness", {"Harness": ".runner", "format_cw": "cwmock.core.timestamps"}
    )
    assert getattr_("Harness") is Harness
    assert getattr_("format_cw") is format_cw
    message = "module 'cwmock.contract_tests.harness' has no attribute 'runner'"
    with pytest.raises(AttributeError, match=re.escape(message)):
        getattr_("runner")


def test_an_unknown_name_is_an_attribute_error_and_an_import_error() -> None:
    assert not hasattr(harness, "NoSuchName")
    with pytest.raises(ImportError, match="NoSuchName"):
        from cwmock.contract_tests.harness import NoSuchName  # type: ignore[attr-defined]  # noqa: F401


def test_importing_the_package_imports_none_of_its_modules_until_a_name_is_used() -> None:
    probe = (
        "import sys, cwmock.contract_tests.harness as h\n"
        "print('cwmock.contract_tests.harness.runner' in sys.modules)\n"
        "h.Harness\n"
        "print('cwmock.contract_tests.harness.runner' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "True"]
