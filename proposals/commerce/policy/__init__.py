"""Commerce rules as pure functions: ECCNs, licensing, screening, the review clock."""
