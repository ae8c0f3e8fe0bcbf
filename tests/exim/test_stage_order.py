"""The stored stage order (Deal.stage_order) that the pipeline sorts by, and the index serving it."""

import pytest
from django.db import connection

from proposals.core.enums import DEAL_STAGE_ORDER, DealStage
from proposals.exim.models import Deal
from proposals.exim.selectors import deal_pipeline
from proposals.exim.services import deal_transition

pytestmark = pytest.mark.django_db


def test_stored_stage_order_matches_deal_stage_order_for_every_stage(make_deal):
    deal = make_deal()
    stored = {}
    for stage in DealStage:
        Deal.objects.filter(pk=deal.pk).update(stage=stage)
        stored[stage] = Deal.objects.values_list("stage_order", flat=True).get(pk=deal.pk)
    assert stored == DEAL_STAGE_ORDER


def test_stored_stage_order_follows_a_stage_move(make_deal, exim_officer):
    deal = make_deal()
    deal_transition(deal_id=deal.pk, action="start_due_diligence", actor=exim_officer, reason="Docs in.")
    deal.refresh_from_db()
    assert (deal.stage, deal.stage_order) == (
        DealStage.DUE_DILIGENCE,
        DEAL_STAGE_ORDER[DealStage.DUE_DILIGENCE],
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads a PostgreSQL query plan")
def test_pipeline_page_keys_read_from_the_stage_order_index_without_sorting(exim_officer):
    keys = deal_pipeline(exim_officer, {}).qs.values_list("pk", flat=True)[:50]
    sql, params = keys.query.sql_with_params()
    with connection.cursor() as cursor:
        # An empty test table would be scanned whole; make the planner show what it does at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "deal_pipeline_order" in plan, plan
    assert "Sort" not in plan, plan
