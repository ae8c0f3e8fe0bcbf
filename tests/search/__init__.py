"""Tests of search: the summary, the filters on every list, saved filters."""
