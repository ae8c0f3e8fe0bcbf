"""When a request for information needs a reminder, and how long the consortium has left: pure rules."""

from datetime import date

# Days before the due date the consortium is reminded once (the overdue reminder follows the day after).
REMINDER_LEAD_DAYS = 3
NEAR = "near"
OVERDUE = "overdue"


def rfi_days_left(*, due_date: date, today: date) -> int:
    """Whole days until the due date: 0 on the day itself, negative once it has passed."""
    return (due_date - today).days


def rfi_reminder_due(
    *, due_date: date, today: date, is_open: bool, lead_days: int = REMINDER_LEAD_DAYS
) -> str:
    """Which reminder an open request is owed today: "near" within `lead_days` of its due date,
    "overdue" once the date has passed, "" when none (answered, or not close yet)."""
    if not is_open:
        return ""
    left = rfi_days_left(due_date=due_date, today=today)
    if left < 0:
        return OVERDUE
    if left <= lead_days:
        return NEAR
    return ""
