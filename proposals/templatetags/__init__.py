"""Template tags and filters for the portal's pages."""
