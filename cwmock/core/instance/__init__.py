"""The Open Connectors instance JSON (what users POST to `/instances`) as typed configuration."""
