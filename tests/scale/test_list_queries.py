"""List reads at scale: a fixed number of queries however many rows, and no line-item join in counts.

The figures behind these guards are in `make bench` (bench/, issue 8); these tests hold the query
shapes that the figures needed.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.core.enums import Layer
from proposals.intake.models.proposal import LineItem
from proposals.intake.selectors import proposal_list_for
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _proposals_with_items(consortium, counts: list[int]) -> list:
    proposals = []
    for n in counts:
        proposal = ProposalFactory(consortium=consortium)
        LineItem.objects.bulk_create(
            LineItem(
                proposal=proposal,
                layer=Layer.CHIPS,
                description=f"Item {k}",
                manufacturer="Maker",
                quantity=1,
                unit_value=Decimal("10"),
                us_origin_value=Decimal("10"),
            )
            for k in range(n)
        )
        proposals.append(proposal)
    return proposals


@pytest.mark.parametrize("rows", [1, 3])
def test_proposal_list_for_queries_do_not_grow_with_rows(consortium, lead, django_assert_num_queries, rows):
    _proposals_with_items(consortium, [4] * rows)
    # The user's consortium roles, the proposals, their item counts: three, however many rows.
    with django_assert_num_queries(3):
        listed = [(p.title, p.consortium.name, p.item_count) for p in proposal_list_for(lead)]
    assert len(listed) == rows
    assert {count for _, _, count in listed} == {4}


def test_proposal_list_for_item_count_is_exact_including_zero(consortium, lead):
    made = _proposals_with_items(consortium, [0, 2, 5])
    counts = {p.pk: p.item_count for p in proposal_list_for(lead)}
    assert counts == {made[0].pk: 0, made[1].pk: 2, made[2].pk: 5}


def test_proposal_list_for_count_does_not_read_line_items(consortium, lead):
    _proposals_with_items(consortium, [3, 3])
    queryset = proposal_list_for(lead)
    with CaptureQueriesContext(connection) as ctx:
        assert queryset.count() == 2
    assert "lineitem" not in ctx.captured_queries[-1]["sql"].lower()


def test_proposal_list_for_page_counts_items_only_for_the_page(consortium, lead):
    made = _proposals_with_items(consortium, [2, 3, 4])
    page = proposal_list_for(lead)[1:2]  # OFFSET 1 LIMIT 1: the middle one, newest first
    with CaptureQueriesContext(connection) as ctx:
        rows = list(page)
    proposals_sql, counts_sql = (q["sql"] for q in ctx.captured_queries[-2:])
    # The page query reads no line items; the count query reads only the page's proposal.
    assert "lineitem" not in proposals_sql.lower()
    assert f"IN ({made[1].pk})" in counts_sql
    assert [(p.pk, p.item_count) for p in rows] == [(made[1].pk, 3)]


def test_agency_visibility_is_a_range_on_revision_number(consortium, commerce_reviewer):
    """Submitted once = revision_number > 0: a range the status/revision index can answer as an
    index condition ("<> 0" was a filter on every entry; bench/, issue 8)."""
    from proposals.intake.selectors import proposals_visible_to

    ProposalFactory(consortium=consortium)
    submitted = ProposalFactory(consortium=consortium, revision_number=1, status="submitted")
    queryset = proposals_visible_to(commerce_reviewer)
    assert list(queryset) == [submitted]
    assert '"revision_number" > 0' in str(queryset.query)
