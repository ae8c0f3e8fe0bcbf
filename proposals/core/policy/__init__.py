"""Rules shared by every area (pure: no models, no database)."""
