"""The contract suite's command-line options: their names and defaults, with nothing else imported.

The plugin registers them in every pytest session of an environment where cwmock is installed, most of which never
judge a poller, so this module must stay cheap to import (tests/testing/test_plugin_imports.py).
"""

from __future__ import annotations

POLICY_OPTION = "--judge-policy"
"""Holds a `--poller-cmd` poller to cwmock policy too (docs/contract-suite/scenarios.md#classification)."""
DRIFT_OPTION = "--poller-claims-drift-safe"
"""A `--poller-cmd` poller claims exactly-once even when the hub's pages shift between fetches (cwmock policy)."""
DEFAULT_POLLER_TIMEOUT = 30.0
"""Seconds before an external poller's window is killed and recorded as a crash (`--poller-timeout`)."""
