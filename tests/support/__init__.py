"""Helpers shared by cwmock's own tests, imported as `support.*` (pytest puts `tests/` on `sys.path`)."""
