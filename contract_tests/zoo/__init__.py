"""Pollers other than ours: a naive one, and the bug zoo (one switchable production bug at a time)."""
