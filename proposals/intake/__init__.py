"""Intake: consortia, proposals, drafting, completeness, revisions."""
