"""Tests and CI automation."""
