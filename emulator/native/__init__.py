"""The native ConnectWise Manage REST API for contacts."""
