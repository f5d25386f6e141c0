"""The contract scenarios: each drives the emulator, runs the poller under judgement and asks the oracle."""
