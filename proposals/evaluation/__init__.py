"""Interagency evaluation of proposals and the national-interest determination (issue 15)."""
