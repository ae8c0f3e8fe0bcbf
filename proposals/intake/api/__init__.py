"""Intake API: proposals and their parts, submission, history and findings."""
