"""The proposals lists' rows written in Python (proposals.templatetags.listing) write what the template
filters they replaced would."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from proposals.templatetags.listing import when_shown

# Around New York's DST changes (2026-03-08 and 2026-11-01), midnights, single-digit days and hours,
# a year end, and a year before 1000 (written with leading zeros).
MOMENTS = [
    datetime(2026, 3, 8, 6, 59, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2027, 1, 1, 4, 5, tzinfo=UTC),
    datetime(999, 6, 2, 12, 0, tzinfo=UTC),
] + [
    datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=d, hours=d % 24, minutes=d % 60)
    for d in range(0, 365, 7)
]


@pytest.mark.parametrize("zone", ["America/New_York", "UTC", "Asia/Kolkata"])
def test_when_shown_writes_what_the_date_filter_writes(zone):
    with timezone.override(zone):
        for moment in MOMENTS:
            assert when_shown(moment) == date_format(timezone.localtime(moment), "j M Y, H:i")


def test_when_shown_writes_nothing_for_no_date():
    assert when_shown(None) == ""
