"""EXIM rules as pure functions: financing terms and the exposure ceiling."""
