"""Models every area reads: the audit trail and reference data."""
