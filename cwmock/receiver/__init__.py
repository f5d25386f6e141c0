"""The webhook receiver: it stands for the user's app, records what arrives and verifies signatures."""
