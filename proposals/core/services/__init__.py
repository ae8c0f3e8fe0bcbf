"""Writes to shared reference data."""
