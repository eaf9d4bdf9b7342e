"""Reads for assignments (filled in with the feature)."""
