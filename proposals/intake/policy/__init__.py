"""Intake rules as pure functions: completeness and revision differences."""
