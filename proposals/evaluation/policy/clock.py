"""The evaluation clock: whole days a panel has spent in its current stage (like the Commerce clock)."""

from datetime import datetime, timedelta


def days_in_stage(*, entered: datetime, now: datetime) -> int:
    """Whole days since the panel entered its stage; never negative."""
    return max((now - entered) // timedelta(days=1), 0)
