"""Documents writes: validated uploads and rendered papers."""
