"""Every scenario is classified: it judges *documented* behaviour (naming its public source) or *cwmock policy*.

A policy scenario judges cwmock's reference poller always, and a `--poller-cmd` poller only when `--judge-policy`
asks for it (docs/contract-suite/scenarios.md#classification); the plugin registers both markers.
"""

from __future__ import annotations

import pytest

from cwmock.contract_tests.harness.options import POLICY_OPTION

__all__ = ["DOCUMENTED_MARK", "POLICY_MARK", "POLICY_OPTION", "documented", "policy"]

DOCUMENTED_MARK = "cwmock_documented"
POLICY_MARK = "cwmock_policy"


def documented(source: str) -> pytest.MarkDecorator:
    """Mark a scenario as judging what `source` (a public source, by name and address) documents."""
    if not source.strip():
        raise ValueError("a documented scenario names its public source")
    mark: pytest.MarkDecorator = getattr(pytest.mark, DOCUMENTED_MARK)(source)
    return mark


def policy(why: str, asked_by: str = POLICY_OPTION) -> pytest.MarkDecorator:
    """Mark a scenario as judging cwmock policy: `why` says what cwmock chose where nothing is documented;
    `asked_by` is the option that holds a `--poller-cmd` poller to it (a claim the poller makes, e.g. drift safety)."""
    if not why.strip():
        raise ValueError("a policy scenario says what cwmock chose and why")
    mark: pytest.MarkDecorator = getattr(pytest.mark, POLICY_MARK)(why, asked_by=asked_by)
    return mark
