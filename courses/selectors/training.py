"""Reads for training (filled in with the feature)."""
