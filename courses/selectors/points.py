"""Reads for points (filled in with the feature)."""
