"""The Open Connectors hub view of contacts (`/elements/api-v2/hubs/crm/contacts`)."""
