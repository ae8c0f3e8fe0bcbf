"""The EXIM track: deals, financing terms, approvals routing, exposure and the ceiling."""
