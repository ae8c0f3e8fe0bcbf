"""What every area's API shares: the proposal in the URL, parsers, the error handler."""
