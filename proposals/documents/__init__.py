"""Documents: uploads and the papers the portal generates (WeasyPrint)."""
