"""The review clock: days since registration against the 9/30/90-day marks, paused while returned."""

from datetime import UTC, datetime, timedelta

from proposals.commerce.policy.clock import ClockMarks, review_clock
from proposals.core.enums import ProposalStatus as S
from proposals.core.enums import ReviewClockFlag

T0 = datetime(2026, 7, 1, 12, tzinfo=UTC)
MARKS = ClockMarks(referral_days=9, agency_answer_days=30, resolution_days=90, near_deadline_days=3)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_clock_counts_days_since_registration():
    clock = review_clock(history=[(day(0), S.SUBMITTED), (day(0.01), S.IN_REVIEW)], now=day(5), marks=MARKS)
    assert (clock.days, clock.next_mark, clock.days_to_mark, clock.flag) == (
        5,
        "referral to agencies",
        4,
        ReviewClockFlag.ON_TRACK,
    )
    assert clock.registered_at == day(0)


def test_clock_ignores_the_draft_before_registration():
    clock = review_clock(history=[(day(-40), S.DRAFT), (day(0), S.SUBMITTED)], now=day(2), marks=MARKS)
    assert clock.days == 2


def test_clock_pauses_while_waiting_on_the_applicant():
    history = [
        (day(0), S.SUBMITTED),
        (day(0), S.IN_REVIEW),
        (day(10), S.RETURNED),  # request for information: 10 days counted so far
        (day(40), S.SUBMITTED),  # 30 days with the applicant do not count
        (day(40), S.IN_REVIEW),
    ]
    paused = review_clock(history=history[:3], now=day(30), marks=MARKS)
    assert (paused.days, paused.paused, paused.flag) == (10, True, ReviewClockFlag.PAUSED)
    resumed = review_clock(history=history, now=day(45), marks=MARKS)
    assert (resumed.days, resumed.paused, resumed.marks_passed) == (15, False, ("referral to agencies",))


def test_clock_near_a_mark_is_flagged():
    clock = review_clock(history=[(day(0), S.SUBMITTED), (day(0), S.IN_REVIEW)], now=day(27), marks=MARKS)
    assert (clock.next_mark, clock.days_to_mark, clock.flag) == (
        "agency answers",
        3,
        ReviewClockFlag.NEAR_DEADLINE,
    )


def test_clock_past_the_resolution_mark_is_overdue():
    clock = review_clock(history=[(day(0), S.SUBMITTED), (day(0), S.IN_REVIEW)], now=day(91), marks=MARKS)
    assert (clock.days, clock.next_mark, clock.days_to_mark, clock.flag) == (
        91,
        "",
        None,
        ReviewClockFlag.OVERDUE,
    )


def test_clock_without_registration_has_not_started():
    clock = review_clock(history=[(day(0), S.DRAFT)], now=day(3), marks=MARKS)
    assert (clock.registered_at, clock.days, clock.flag) == (None, 0, ReviewClockFlag.ON_TRACK)


def test_clock_marks_come_from_settings_not_literals():
    marks = ClockMarks(referral_days=5, agency_answer_days=20, resolution_days=60, near_deadline_days=1)
    clock = review_clock(history=[(day(0), S.SUBMITTED)], now=day(61), marks=marks)
    assert clock.flag == ReviewClockFlag.OVERDUE
