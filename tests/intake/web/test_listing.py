"""The proposals lists' rows written in Python (proposals.templatetags.listing) write what the template
filters they replaced would."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.template import Context, Template, engines
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from proposals.core.enums import ProposalStatus
from proposals.core.models.reference import Country
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import ProposalFilter
from proposals.templatetags.listing import html_row, open_request_items, proposal_rows, truncated, when_shown

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


# The markup the consortium dashboard's template wrote for each open request before the tag wrote it.
OPEN_REQUEST_TEMPLATE = """{% for rfi in open_requests %}
      <li><a class="usa-link" href="{% url 'proposal-information-request' rfi.proposal_id rfi.pk %}">{{ rfi.proposal.title }}: answer {{ rfi.asked_by_agency }}'s request</a>
        <br><span>{{ rfi.question|truncatechars:120 }}</span>
        <br><span>Due <time datetime="{{ rfi.due_date|date:'Y-m-d' }}">{{ rfi.due_date|date:"j M Y" }}</time> · {% with left=rfi.days_left %}{% if left < 0 %}<strong>overdue by {{ rfi.days_overdue }} day{{ rfi.days_overdue|pluralize }}</strong>{% elif left == 0 %}<strong>due today</strong>{% else %}{{ left }} day{{ left|pluralize }} left{% endif %}{% endwith %} · the review clock is paused until you resubmit</span></li>
    {% endfor %}"""  # noqa: E501


def _request(n: int, days_left: int) -> SimpleNamespace:
    return SimpleNamespace(
        pk=100 + n,
        proposal_id=7 + n,
        proposal=SimpleNamespace(title=f"<b>Grid</b> & co {n}"),
        asked_by_agency="Department of Commerce (BIS)",
        question=("Confirm the consignee's <ownership> & the end use, " * 4)[: 60 + 40 * n],
        due_date=date(2026, 12, 6) + timedelta(days=days_left),
        days_left=days_left,
        days_overdue=max(0, -days_left),
    )


def test_open_request_items_write_what_the_template_wrote():
    requests = [_request(n, left) for n, left in enumerate([-12, -1, 0, 1, 2, 30])]
    expected = Template(OPEN_REQUEST_TEMPLATE).render(Context({"open_requests": requests}))
    assert open_request_items(requests) == expected
    assert "overdue by 1 day<" in expected and "due today" in expected and "1 day left" in expected


def test_open_request_items_escape_what_people_typed():
    html = open_request_items([_request(1, 3)])
    assert "&lt;b&gt;Grid&lt;/b&gt; &amp; co" in html and "<b>" not in html
    assert "&lt;ownership&gt;" in html and "<ownership>" not in html


def test_html_row_escapes_as_format_html_does():
    values = [
        "<b>\"Bold\"</b> & 'co'",
        mark_safe("<em>kept</em>"),
        gettext_lazy("Recently updated"),
        format_lazy("{} & {}", "<a>", "b"),
        12,
        None,
        "—",
        Decimal("1.50"),
    ]
    template = "<td>{}</td>" * len(values)
    assert html_row(template, *values) == format_html(template, *values)


def _filters_html(data, *, tag: bool) -> str:
    source = (
        '{% load listing %}{% list_filters label="Filter" clear_url="/" %}'
        if tag
        else '{% include "search/_filters.html" with label="Filter" clear_url="/" %}'
    )
    filterset = ProposalFilter(QueryDict(data), queryset=Proposal.objects.none())
    filterset.is_valid()
    return engines["django"].from_string(source).render({"filter": filterset})


@pytest.mark.django_db
@pytest.mark.parametrize("data", ["", "page=3&sort=", "status=in_review&q=grid", "country=ZZ", "sort=bogus"])
def test_list_filters_write_what_the_include_wrote_blank_filled_or_wrong(data):
    for _ in range(2):  # the second time a blank form comes from what the first one kept
        assert _filters_html(data, tag=True) == _filters_html(data, tag=False)


@pytest.mark.django_db
def test_list_filters_show_a_country_added_since_a_blank_form_was_kept():
    assert "Qzland" not in _filters_html("", tag=True)
    Country.objects.create(code="QZ", name="Qzland (test)")
    assert ">Qzland (test)</option>" in _filters_html("", tag=True)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_when_shown_writes_the_month_in_the_active_language_as_the_date_filter(language):
    with translation.override(language):
        for moment in MOMENTS[:6]:
            assert when_shown(moment) == date_format(timezone.localtime(moment), "j M Y, H:i")


def test_proposal_rows_write_each_status_label_as_get_status_display():
    consortium = Consortium(name="Acme")
    proposals = [
        Proposal(pk=n + 1, title="T", status=status, consortium=consortium, revision_number=1)
        for n, status in enumerate(ProposalStatus.values)
    ]
    for proposal in proposals:
        proposal.item_count = 0  # as the dashboard's page reads it
    for agency in (False, True):
        html = proposal_rows(proposals, agency=agency)
        for proposal in proposals:
            assert f'status-tag--{proposal.status}">{proposal.get_status_display()}</span>' in html


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "x" * 120,
        "x" * 121,
        "é" * 119 + "e\u0301",
        "cafe\u0301 " * 30,
        "a\u0301" * 120,
        "ü" * 130,
    ],
)
def test_truncated_writes_what_truncatechars_writes(text):
    assert truncated(text, 120) == Template("{{ text|truncatechars:120 }}").render(Context({"text": text}))
