"""Shared by every area: the transition engine, access, errors, enums, reference data."""
