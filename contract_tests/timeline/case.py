"""One judged instance: everything the oracle is given, kept together so it can be judged and drawn again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import History, JournalLog, ServedLog, SettleFacts, Window
from cwmock.contract_tests.oracle.judge import judge
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.receiver.records import Arrival


@dataclass(frozen=True)
class Case:
    """The oracle's inputs for one instance (docs/design.md#the-exactly-once-oracle), as `judge` takes them."""

    instance: InstanceFacts
    history: History
    served: ServedLog
    journal: JournalLog
    windows: Sequence[Window]
    arrivals: Sequence[Arrival]
    settle: SettleFacts
    strict_drift: bool = False
    """Judge windows whose data changed between pages as clean (cwmock policy, asked for by the poller:
    docs/contract-suite/oracle.md#strict-drift)."""
    policy: bool = True
    """Whether findings that rest only on cwmock policy fail (docs/contract-suite/oracle.md#rules)."""

    def judge(self) -> Verdict:
        """The oracle's verdict on these inputs."""
        return judge(
            instance=self.instance,
            history=self.history,
            served=self.served,
            journal=self.journal,
            windows=self.windows,
            arrivals=self.arrivals,
            settle=self.settle,
            strict_drift=self.strict_drift,
            policy=self.policy,
        )
