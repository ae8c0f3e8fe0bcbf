"""The Commerce review clock (Executive Order 12981), as a pure function of the proposal's history.

Days run from registration (the first submission) while the proposal is with the government
(submitted or in review) and stop while Commerce waits on the applicant (returned). Marks: referral
to other agencies, their answer, and the final resolution, in days from registration.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from proposals.core.enums import ProposalStatus, ReviewClockFlag

# States in which the clock runs; in any other state it is stopped.
RUNNING_STATUSES = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW})
WAITING_ON_APPLICANT = frozenset({ProposalStatus.RETURNED})


@dataclass(frozen=True)
class ClockMarks:
    referral_days: int = 9
    agency_answer_days: int = 30
    resolution_days: int = 90
    near_deadline_days: int = 3

    def ordered(self) -> list[tuple[str, int]]:
        return sorted(
            [
                ("referral to agencies", self.referral_days),
                ("agency answers", self.agency_answer_days),
                ("final resolution", self.resolution_days),
            ],
            key=lambda mark: mark[1],
        )


@dataclass(frozen=True)
class Clock:
    registered_at: datetime | None
    elapsed: timedelta
    paused: bool
    next_mark: str  # "" once every mark has passed
    days_to_mark: int | None
    flag: str
    marks_passed: tuple[str, ...]

    @property
    def days(self) -> int:
        return self.elapsed.days


def review_clock(*, history: Iterable[tuple[datetime, str]], now: datetime, marks: ClockMarks) -> Clock:
    """`history`: (when, status entered), oldest first; the first `submitted` is the registration."""
    registered_at: datetime | None = None
    elapsed = timedelta(0)
    status: str | None = None
    since: datetime | None = None
    for at, entered in history:
        if registered_at is None:
            if entered != ProposalStatus.SUBMITTED:
                continue
            registered_at = at
        elif status in RUNNING_STATUSES and since is not None:
            elapsed += at - since
        status, since = entered, at
    if registered_at is None:
        return Clock(None, timedelta(0), False, "", None, ReviewClockFlag.ON_TRACK, ())
    if status in RUNNING_STATUSES and since is not None:
        elapsed += max(now - since, timedelta(0))
    paused = status in WAITING_ON_APPLICANT
    days = elapsed.days
    passed = tuple(name for name, limit in marks.ordered() if days >= limit)
    upcoming = [(name, limit) for name, limit in marks.ordered() if days < limit]
    next_mark, days_to_mark = (upcoming[0][0], upcoming[0][1] - days) if upcoming else ("", None)
    if paused:
        flag = ReviewClockFlag.PAUSED
    elif days >= marks.resolution_days:
        flag = ReviewClockFlag.OVERDUE
    elif days_to_mark is not None and days_to_mark <= marks.near_deadline_days:
        flag = ReviewClockFlag.NEAR_DEADLINE
    else:
        flag = ReviewClockFlag.ON_TRACK
    return Clock(registered_at, elapsed, paused, next_mark, days_to_mark, flag, passed)
