"""URL configuration: web routes and API routes of every area."""
