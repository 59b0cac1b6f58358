"""Secrets committed to the repository."""
