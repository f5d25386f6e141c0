"""The harness: runs a poller window by window on the emulated clock, settles and judges."""
