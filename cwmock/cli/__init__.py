"""The `cwmock` command line: the emulator, the whole stack (`cwmock up`), the poller and the contract suite."""
