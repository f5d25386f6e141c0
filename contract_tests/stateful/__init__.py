"""The stateful property test: random runs over the whole stack, judged by the oracle."""
