"""The Open Connectors platform API for instances (`/elements/api-v2/instances`)."""
