"""The request journal: what the emulated APIs were asked and answered."""
