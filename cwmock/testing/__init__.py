"""The pytest plugin and the helpers users put in their own suites."""
