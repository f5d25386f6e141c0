"""The reference poller: Open Connectors' polling, without its hazards (issues 7-9)."""
