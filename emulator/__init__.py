"""The ConnectWise emulator: native Manage API and Open Connectors hub view over one store."""
