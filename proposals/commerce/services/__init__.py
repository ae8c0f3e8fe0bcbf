"""Commerce writes: gate decisions, hit adjudication, screening and license determination."""
