"""The EXIM API: the same operations as the workspace, with stable JSON errors."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.core.enums import DealStage, GateStatus, ProposalStatus
from tests.factories import license_gate

pytestmark = pytest.mark.django_db

DEALS = reverse("api-exim-deals")


def test_api_deals_forbidden_to_consortium_lead(api_client, lead):
    api_client.force_authenticate(lead)
    response = api_client.get(DEALS)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_api_deals_lists_filters_and_sorts(api_client, exim_officer, make_deal):
    a = make_deal()
    b = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("20000000"))
    api_client.force_authenticate(exim_officer)
    body = api_client.get(DEALS, {"ordering": "amount"}).json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [b.pk, a.pk]
    row = body["results"][1]
    assert (row["amount"], row["financed_max"], row["term_class"], row["region"], row["days_in_stage"]) == (
        "68000000.00",
        "68000000.00",
        "long",
        "Middle East",
        0,
    )
    assert row["benchmark_days"] == 10
    assert [r["id"] for r in api_client.get(DEALS, {"stage": "credit_committee"}).json()["results"]] == [b.pk]


def test_api_deals_bad_filter_is_400_with_fields(api_client, exim_officer):
    api_client.force_authenticate(exim_officer)
    response = api_client.get(DEALS, {"amount_min": "lots"})
    assert response.status_code == 400
    assert "amount_min" in response.json()["extra"]["fields"]


@pytest.mark.parametrize("count", [1, 3])
def test_api_deals_queries_do_not_grow_with_rows(
    api_client, exim_officer, make_deal, count, django_assert_num_queries
):
    for _ in range(count):
        make_deal()
    api_client.force_authenticate(exim_officer)
    # settings (benchmarks), the page's keys with the count, then their rows by those keys
    # (PipelinePaginator: a deep page sorts keys only)
    with django_assert_num_queries(3):
        response = api_client.get(DEALS)
    assert response.json()["count"] == count


def test_api_deal_detail_has_terms_timeline_and_commerce_status(api_client, exim_officer, make_deal):
    deal = make_deal()
    api_client.force_authenticate(exim_officer)
    body = api_client.get(reverse("api-exim-deal", args=[deal.pk])).json()
    assert (body["terms"]["cash_payment"], body["terms"]["financed_amount"]) == ("12000000.00", "68000000.00")
    assert [e["action"] for e in body["timeline"]] == ["open"]
    assert body["commerce_blockers"] == []
    assert body["commerce_cleared"] is True and body["commerce_cleared_at"]
    assert [a["action"] for a in body["actions"]] == ["start_due_diligence", "decline", "withdraw"]


def test_api_transition_moves_stage(api_client, exim_officer, make_deal):
    deal = make_deal()
    api_client.force_authenticate(exim_officer)
    response = api_client.post(
        reverse("api-exim-deal-transition", args=[deal.pk]),
        {"action": "start_due_diligence", "reason": "File complete."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "due_diligence"
    assert response.json()["timeline"][-1]["reason"] == "File complete."


def test_api_transition_without_reason_is_400(api_client, exim_officer, make_deal):
    deal = make_deal()
    api_client.force_authenticate(exim_officer)
    response = api_client.post(
        reverse("api-exim-deal-transition", args=[deal.pk]), {"action": "start_due_diligence"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["reason"]


def test_api_authorize_refused_by_gate_rule_is_409_with_reasons(api_client, exim_officer, make_deal):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("10000000"))
    license_gate(deal.proposal, GateStatus.OPEN)
    api_client.force_authenticate(exim_officer)
    response = api_client.post(
        reverse("api-exim-deal-transition", args=[deal.pk]),
        {"action": "authorize", "reason": "Ready."},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "commitment_refused"
    assert response.json()["extra"]["reasons"] == [
        "Commerce: License gate 3A090 to United Arab Emirates is open (awaiting decision)."
    ]
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.CREDIT_COMMITTEE, ProposalStatus.IN_REVIEW)


def test_api_routing_refusal_is_409(api_client, exim_officer, make_deal):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("10000000"))
    api_client.force_authenticate(exim_officer)
    response = api_client.post(
        reverse("api-exim-deal-transition", args=[deal.pk]),
        {"action": "refer_to_board", "reason": "Board."},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["message"] == (
        "$10,000,000.00 does not go to board from credit committee: next is final commitment (authorized)."
    )


def test_api_target_date_records_reason(api_client, exim_officer, make_deal):
    deal = make_deal()
    api_client.force_authenticate(exim_officer)
    response = api_client.post(
        reverse("api-exim-deal-target-date", args=[deal.pk]),
        {"field": "target_final_commitment_on", "date": "2027-01-15", "reason": "Board calendar."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["target_final_commitment_on"] == "2027-01-15"
    assert response.json()["timeline"][-1]["data"]["after"] == "2027-01-15"


def test_api_csv_streams_filtered_rows(api_client, exim_officer, make_deal):
    make_deal()
    deal = make_deal(stage=DealStage.BOARD, amount=Decimal("20000000"))
    api_client.force_authenticate(exim_officer)
    response = api_client.get(reverse("api-exim-deals-csv"), {"stage": "board"})
    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[0] for r in rows[1:]] == [str(deal.pk)]


def test_api_exposure_figures(api_client, exim_officer, make_deal):
    make_deal()
    api_client.force_authenticate(exim_officer)
    body = api_client.get(reverse("api-exim-exposure")).json()
    assert body["pipeline"] == "68000000.00"
    assert body["ceilings"][0] == {
        "label": "Statutory ceiling",
        "ceiling": "135000000000.00",
        "exposure": "34100000000.00",
        "headroom": "100900000000.00",
        "after_pipeline": "100832000000.00",
        "pipeline_fits": True,
    }
    assert body["by_region"] == [
        {"key": "Middle East", "label": "Middle East", "count": 1, "total": "68000000.00"}
    ]


def test_api_schema_builds(api_client, exim_officer):
    api_client.force_authenticate(exim_officer)
    assert api_client.get(reverse("api-schema")).status_code == 200


def test_api_deals_equal_amounts_sort_by_id_so_pages_are_stable(api_client, exim_officer, make_deal):
    first, second = make_deal(), make_deal()  # the same amount
    api_client.force_authenticate(exim_officer)
    ids = {
        o: [r["id"] for r in api_client.get(DEALS, {"ordering": o}).json()["results"]]
        for o in ("amount", "-amount")
    }
    assert ids == {"amount": [first.pk, second.pk], "-amount": [second.pk, first.pk]}


def test_api_deals_list_in_the_pipeline_order_priority_packages_first(api_client, exim_officer, make_deal):
    # PIPELINE_ORDER: the page, the API and the CSV list the deals alike; a designated priority
    # package comes first though it is at a later stage.
    early = make_deal()
    late_priority = make_deal(stage=DealStage.CREDIT_COMMITTEE)
    late_priority.priority = True
    late_priority.save(update_fields=["priority"])
    api_client.force_authenticate(exim_officer)
    api_ids = [r["id"] for r in api_client.get(DEALS).json()["results"]]
    assert api_ids == [late_priority.pk, early.pk]
    streamed = api_client.get(reverse("api-exim-deals-csv")).streaming_content
    rows = list(csv.reader(io.StringIO(b"".join(streamed).decode())))
    assert [row[0] for row in rows[1:]] == [str(late_priority.pk), str(early.pk)]
