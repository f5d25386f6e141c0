"""What every part of cwmock shares: the clock, timestamps, and the Open Connectors instance model."""
