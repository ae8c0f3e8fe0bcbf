"""Documents API: uploads and generated papers."""
