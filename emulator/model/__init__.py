"""The emulated state: tenants, contacts, their versions, Open Connectors instances; nothing of HTTP."""
