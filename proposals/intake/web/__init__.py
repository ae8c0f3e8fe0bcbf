"""Intake pages: the dashboard, the consortium's editor, members, review and submit."""
