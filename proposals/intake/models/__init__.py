"""Intake models: consortia and their companies; proposals and their parts."""
