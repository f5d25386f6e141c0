"""The exactly-once oracle: a pure function from what was recorded to a verdict with evidence."""
