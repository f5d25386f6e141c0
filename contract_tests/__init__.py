"""The contract suite: oracle, harness, targets and scenarios that judge any poller."""
