"""Pure rules of the evaluation track: aggregation of scores, stage clocks."""
