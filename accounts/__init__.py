"""Portal users and their agency roles."""
