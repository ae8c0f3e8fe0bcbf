"""Search across lists: the per-proposal search summary, the filters that read it, saved filters."""
