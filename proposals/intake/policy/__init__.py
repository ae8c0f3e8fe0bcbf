"""Intake rules."""
