"""The dashboard's pages, one module per thing shown: overview and clock, instances, timeline, contacts, faults,
arrivals, and the login form."""
