"""The Commerce API: same operations as the workspace, stable error bodies, role checks, N+1 guard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from proposals.commerce.models import CommerceReview, InformationRequest, LicenseGate, ScreeningHit
from proposals.commerce.services.licensing import licenses_determine
from proposals.core.enums import GateStatus, HitStatus, ProposalStatus
from proposals.demo import build_complete_proposal
from proposals.intake.selectors import proposal_revision_diff
from proposals.intake.services.transitions import proposal_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client, commerce_reviewer):
    api_client.force_authenticate(commerce_reviewer)
    return api_client


def test_queue_refused_to_exim_and_consortium(api_client, exim_officer, lead):
    for user in (exim_officer, lead):
        api_client.force_authenticate(user)
        response = api_client.get(reverse("api-commerce-queue"))
        assert response.status_code == 403
        assert response.json() == {
            "message": "Commerce reviewers only.",
            "code": "permission_denied",
            "extra": {},
        }


def test_queue_rows(api, worked):
    response = api.get(reverse("api-commerce-queue"))
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert {
        k: row[k] for k in ("title", "status", "destinations", "open_gates", "unresolved_hits", "reviewer")
    } == {
        "title": "UAE AI Cluster",
        "status": "in_review",
        "destinations": ["AE"],
        "open_gates": 2,
        "unresolved_hits": 1,
        "reviewer": None,
    }
    assert row["clock"]["flag"] == "on_track"


@pytest.mark.parametrize("assigned", [False, True])
def test_queue_row_json_is_what_its_declared_fields_write(worked, commerce_reviewer, assigned):
    """QueueRowSerializer writes a row by hand: byte for byte what its fields' own walk writes over
    the same proposal (the schema describes those fields)."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.serializers import ModelSerializer

    from proposals.commerce.api import QueueRowSerializer
    from proposals.commerce.selectors import queue_rows_for
    from proposals.commerce.services.review import review_assign
    from proposals.intake.models.proposal import Proposal

    if assigned:
        review_assign(proposal_id=worked.pk, reviewer_id=commerce_reviewer.pk, actor=commerce_reviewer)
        CommerceReview.objects.filter(proposal=worked).update(
            registered_at=timezone.now() - timedelta(days=3, microseconds=7),
            clock_days=3,
            clock_paused=True,
            clock_flag="paused",
            clock_next_mark="30-day mark",
            clock_days_to_mark=27,
        )
    (row,) = queue_rows_for([worked.pk])
    proposal = Proposal.objects.select_related("consortium", "commerce_review__reviewer").get(pk=worked.pk)
    for name in ("open_gates", "blocking_gates", "unresolved_hits", "open_rfis"):
        setattr(proposal, name, getattr(row, name))
    for name in ("queue_destinations", "queue_eccns"):
        setattr(proposal, name, getattr(row, name))
    serializer = QueueRowSerializer()
    by_hand = JSONRenderer().render(serializer.to_representation(row))
    assert by_hand == JSONRenderer().render(ModelSerializer.to_representation(serializer, proposal))
    assert (row.open_gates, row.unresolved_hits, row.reviewer_username) == (
        2,
        1,
        commerce_reviewer.username if assigned else None,
    )


@pytest.mark.parametrize("count", [1, 3])
def test_queue_api_query_count_does_not_grow(api, consortium, lead, count, django_assert_num_queries):
    for i in range(count):
        p = build_complete_proposal(consortium=consortium, lead=lead, title=f"P{i}")
        proposal_transition(proposal_id=p.pk, action="submit", actor=lead)
        licenses_determine(proposal_id=p.pk)
    # the page's sorted keys with the count, its rows by those keys (their distinct destinations, and
    # their ECCNs from the search summary), the reviewer's panel seats (the proposals they are recused
    # from)
    with django_assert_num_queries(3):
        response = api.get(reverse("api-commerce-queue"))
    assert response.json()["count"] == count


def test_track_shows_gates_hits_items_parties(api, worked):
    body = api.get(reverse("api-commerce-proposal", args=[worked.pk])).json()
    assert [(g["eccn"], g["destination"], g["status"], g["policy_version"]) for g in body["gates"]] == [
        ("3A090.a", "AE", "open", 1),
        ("4A090.a", "AE", "open", 1),
    ]
    assert [(h["screened_name"], h["source"], h["status"]) for h in body["hits"]] == [
        (
            "National AI Infrastructure Co.",
            "Specially Designated Nationals (SDN) - Treasury Department",
            "unresolved",
        )
    ]
    assert {i["eccn"] for i in body["items"]} >= {"3A090.a", "EAR99"}
    assert {p["role"] for p in body["parties"]} == {"purchaser", "ultimate_consignee", "end_user"}
    assert body["end_use"].startswith("Civil AI services")


def test_track_diff_is_the_policy_revision_diff_of_the_latest_two_revisions(api, resubmitted):
    body = api.get(reverse("api-commerce-proposal", args=[resubmitted.pk])).json()
    assert body["revision_number"] == 2
    assert body["diff"] == proposal_revision_diff(resubmitted).as_dict()["sections"]
    (overview,) = body["diff"]
    assert overview["section"] == "overview"
    assert [(f["field"], f["new"]) for f in overview["fields"]] == [
        ("title", "UAE Sovereign Health AI Cluster")
    ]


def test_track_diff_of_a_first_revision_is_empty(api, in_review):
    body = api.get(reverse("api-commerce-proposal", args=[in_review.pk])).json()
    assert body["diff"] == []


def test_gate_decide_api(api, worked, commerce_reviewer):
    gate = LicenseGate.objects.get(proposal=worked, eccn="3A090.a")
    response = api.post(
        reverse("api-commerce-gate-decide", args=[gate.pk]), {"action": "deny", "reason": "Diversion risk."}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decided_by"]) == ("denied", "commerce")


def test_gate_decide_api_without_reason_is_400_with_field_error(api, worked):
    gate = LicenseGate.objects.get(proposal=worked, eccn="3A090.a")
    response = api.post(reverse("api-commerce-gate-decide", args=[gate.pk]), {"action": "approve"})
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"reason": ["This field is required."]}


def test_gate_decide_api_twice_is_409(api, worked):
    gate = LicenseGate.objects.get(proposal=worked, eccn="3A090.a")
    url = reverse("api-commerce-gate-decide", args=[gate.pk])
    api.post(url, {"action": "approve", "reason": "Fine."})
    response = api.post(url, {"action": "deny", "reason": "No."})
    assert response.status_code == 409
    assert response.json() == {
        "message": '"Deny" is not possible while the license gate is approved.',
        "code": "transition_not_allowed",
        "extra": {"status": "approved", "action": "deny"},
    }


def test_gate_bulk_api_preview_then_commit(api, worked):
    ids = list(LicenseGate.objects.filter(proposal=worked).values_list("pk", flat=True))
    payload = {"gates": ids, "action": "return_without_action", "reason": "Resubmit with end-user statement."}
    preview = api.post(reverse("api-commerce-gate-bulk"), payload, format="json")
    assert [(r["from_state"], r["to_state"], r["ok"]) for r in preview.json()] == [
        ("open", "returned_without_action", True),
        ("open", "returned_without_action", True),
    ]
    assert set(LicenseGate.objects.values_list("status", flat=True)) == {GateStatus.OPEN}
    api.post(reverse("api-commerce-gate-bulk"), {**payload, "preview": False}, format="json")
    assert set(LicenseGate.objects.values_list("status", flat=True)) == {GateStatus.RETURNED_WITHOUT_ACTION}


def test_hit_adjudicate_api(api, worked):
    hit = ScreeningHit.objects.get(proposal=worked)
    response = api.post(
        reverse("api-commerce-hit-adjudicate", args=[hit.pk]), {"action": "confirm", "reason": "Same."}
    )
    assert (response.status_code, response.json()["status"]) == (200, HitStatus.CONFIRMED)


def test_rfi_api_and_consortium_answer(api, api_client, worked, lead):
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = api.post(
        reverse("api-commerce-rfi", args=[worked.pk]), {"question": "Who operates?", "due_date": due}
    )
    assert response.status_code == 201
    worked.refresh_from_db()
    assert worked.status == ProposalStatus.RETURNED
    rfi = InformationRequest.objects.get(proposal=worked)
    api_client.force_authenticate(lead)
    answer = api_client.post(
        reverse("api-commerce-rfi-answer", args=[rfi.pk]), {"answer": "Beacon Cloud LLC."}
    )
    assert (answer.status_code, answer.json()["answer"]) == (200, "Beacon Cloud LLC.")


def test_assign_api_me_and_auto(api, worked, commerce_reviewer, reviewer_b):
    url = reverse("api-commerce-assign", args=[worked.pk])
    assert api.post(url, {"reviewer": "auto"}).json() == {"reviewer": "commerce"}
    assert api.post(url, {"reviewer": str(reviewer_b.pk)}).json() == {"reviewer": "commerce_b"}
    assert CommerceReview.objects.get(proposal=worked).reviewer == reviewer_b
    assert api.post(url, {"reviewer": "someone"}).status_code == 400


@pytest.mark.parametrize(
    ("path", "operation_id", "request_schema", "response_schema"),
    [
        (
            "/api/commerce/gates/{id}/decide/",
            "commerce_gates_decide_create",
            "GateDecisionInputRequest",
            "Gate",
        ),
        ("/api/commerce/hits/{id}/adjudicate/", "commerce_hits_adjudicate_create", "HitInputRequest", "Hit"),
    ],
)
def test_each_review_decision_view_documents_its_own_input_and_output(
    path, operation_id, request_schema, response_schema
):
    """Gate decisions and hit adjudications share ReviewDecisionView; the schema still tells them apart."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][path]["post"]
    assert operation["operationId"] == operation_id
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert (body, answer) == (
        {"$ref": f"#/components/schemas/{request_schema}"},
        {"$ref": f"#/components/schemas/{response_schema}"},
    )
