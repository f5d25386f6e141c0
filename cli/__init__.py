"""cwmock: test doubles for SAP Open Connectors polling events over ConnectWise contacts."""

__version__ = "0.1.0"
