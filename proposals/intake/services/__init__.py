"""Intake writes: drafting, membership, submission and automated intake."""
