"""Benchmarks run by `make bench`: they print figures and a ratio to a baseline, never fail on time."""
