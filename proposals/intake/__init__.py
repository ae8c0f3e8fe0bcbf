"""Intake: consortia, proposals, drafting, completeness, revisions and automated intake."""
