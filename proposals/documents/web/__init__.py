"""Documents pages: uploads and generated papers."""
