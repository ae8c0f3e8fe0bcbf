"""Browser journey tests: Django test client against PostgreSQL."""
