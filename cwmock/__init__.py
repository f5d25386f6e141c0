"""cwmock: test doubles for SAP Open Connectors polling events over ConnectWise contacts."""

from pathlib import Path

__version__ = "0.1.0"

# Installed, `cwmock.emulator`, `cwmock.poller`, `cwmock.contract_tests` and `cwmock.fixtures` sit inside this package
# (pyproject.toml maps the checkout's top-level folders there). Imported from a source checkout (`python -m cwmock`
# in the clone's root), they are this folder's siblings: look for them there too.
_checkout = Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "emulator" / "__init__.py").is_file():
    __path__.append(str(_checkout))
