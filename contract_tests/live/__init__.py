"""The live judge: a poller running as a service on its own schedule, driven by a seeded workload and judged from
what it did (docs/contract-suite/live-judge.md)."""
