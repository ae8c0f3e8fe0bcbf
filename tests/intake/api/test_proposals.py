"""/api/proposals/: list, filters, create, read, PATCH; bad input, roles and other consortia."""

import pytest
from django.utils import timezone
from rest_framework import serializers

from proposals.core.enums import ProposalStatus
from proposals.evaluation.models import Panel, PanelMember
from proposals.intake.api.proposals import ProposalListOutput, proposal_list_rows
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import proposal_list_for
from proposals.intake.services.drafting import proposal_create
from proposals.intake.services.transitions import proposal_transition
from tests.factories import (
    ConsortiumUserFactory,
    CriterionFactory,
    ProposalFactory,
    RubricFactory,
    open_call,
)

pytestmark = pytest.mark.django_db

LIST = "/api/proposals/"


def detail(pk: int) -> str:
    return f"/api/proposals/{pk}/"


def test_proposal_list_shows_only_own_consortium(as_lead, draft, outsider):
    other = ConsortiumUserFactory(user=outsider).consortium
    ProposalFactory(consortium=other, title="Not yours")
    response = as_lead.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    row = response.json()["results"][0]
    assert row == {
        "id": draft.pk,
        "title": "Kenya AI Hub",
        "consortium": {"id": draft.consortium_id, "name": "Test Consortium"},
        "call": draft.call_id,
        "status": "draft",
        "status_display": "Draft",
        "status_changed_at": row["status_changed_at"],
        "revision_number": 0,
        "target_countries": ["KE"],
        "item_count": 0,
        "financing_amount": None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def test_proposal_list_filters_by_status_and_country(as_lead, consortium, lead, complete_proposal):
    kenya = proposal_create(
        consortium=consortium, call=open_call(), actor=lead, title="Kenya", target_countries=["KE"]
    )
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in as_lead.get(LIST + query).json()["results"]]

    assert ids("?status=draft") == [kenya.pk]
    assert ids("?status=submitted") == [complete_proposal.pk]
    assert sorted(ids("?status=draft&status=submitted")) == sorted([kenya.pk, complete_proposal.pk])
    assert ids("?country=AE") == [complete_proposal.pk]
    assert ids("?country=KE&status=draft") == [kenya.pk]
    assert ids("?country=FR") == []


def test_proposal_list_unknown_status_is_a_field_error(as_lead, draft):
    response = as_lead.get(LIST + "?status=lost")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Please correct the errors below.",
        "code": "invalid",
        "extra": {"fields": {"status": ["Select a valid choice. lost is not one of the available choices."]}},
    }


def test_proposal_list_is_paginated(as_lead, consortium):
    ProposalFactory.create_batch(27, consortium=consortium)
    first = as_lead.get(LIST).json()
    assert (first["count"], len(first["results"])) == (27, 25)
    assert len(as_lead.get(first["next"]).json()["results"]) == 2


@pytest.mark.parametrize("n", [1, 3])
def test_proposal_list_query_count_does_not_grow(api_client, consortium, lead, django_assert_num_queries, n):
    for i in range(n):
        proposal_create(
            consortium=consortium, call=open_call(), actor=lead, title=f"P{i}", target_countries=["KE", "AE"]
        )
    api_client.force_login(lead)  # a real session: the user and their roles load per request
    # session, user, consortium roles, the page's sorted keys with the count, their rows by those keys
    # (the consortium's name, item counts and target countries beside each: ProposalListPaginator)
    with django_assert_num_queries(5):
        response = api_client.get(LIST)
    assert response.json()["count"] == n


def _recuse(user, proposal: Proposal) -> None:
    """Seat `user` on the proposal's panel having declared a conflict of interest."""
    rubric = RubricFactory(published_at=timezone.now())
    CriterionFactory(rubric=rubric, code="fit", weight=100)
    panel = Panel.objects.create(proposal=proposal, rubric=rubric, stage_entered_at=timezone.now())
    PanelMember.objects.create(panel=panel, evaluator=user, agency=user.agency, has_conflict=True)


def test_proposal_list_leaves_out_what_a_reviewer_is_recused_from(api_client, consortium, commerce_reviewer):
    kept, recused = (
        ProposalFactory(consortium=consortium, revision_number=1, status="submitted") for _ in "ab"
    )
    _recuse(commerce_reviewer, recused)
    api_client.force_login(commerce_reviewer)

    body = api_client.get(LIST).json()

    assert (body["count"], [row["id"] for row in body["results"]]) == (1, [kept.pk])
    assert api_client.get(detail(recused.pk)).status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_agency_proposal_list_query_count_does_not_grow(
    api_client, consortium, commerce_reviewer, django_assert_num_queries, n
):
    for _ in range(n):
        ProposalFactory(consortium=consortium, revision_number=1, status="submitted")
    api_client.force_login(commerce_reviewer)
    # session, user, TOTP device (agency staff sign in with two factors), the reviewer's panel seats (what
    # they are recused from, excluded by key so that the count can use the narrow status-revision index),
    # the page's sorted keys with the count, their rows by those keys
    with django_assert_num_queries(6):
        response = api_client.get(LIST)
    assert response.json()["count"] == n


def test_proposal_list_rows_read_as_the_generic_serializer_would(consortium, lead, draft, complete_proposal):
    """ProposalListOutput reads its fields straight off the row; DRF's generic walk gives the same."""
    complete_proposal.financing_amount = "1234.5"
    complete_proposal.save()

    class Generic(ProposalListOutput):
        def to_representation(self, proposal: Proposal) -> dict:
            return serializers.ModelSerializer.to_representation(self, proposal)

    rows = proposal_list_rows(list(proposal_list_for(lead).values_list("pk", flat=True)))

    for zone in ("America/New_York", "UTC"):  # UTC: DRF writes "Z" for "+00:00"
        with timezone.override(zone):
            fast, generic = ProposalListOutput(rows, many=True).data, Generic(rows, many=True).data
        assert [list(row.items()) for row in fast] == [list(row.items()) for row in generic]
    assert len(rows) == 2
    assert fast[0]["created_at"].endswith("Z")
    assert {row["financing_amount"] for row in fast} == {None, "1234.50"}


def test_proposal_create_returns_the_new_draft(as_editor, consortium, editor, call):
    response = as_editor.post(
        LIST,
        {
            "consortium": consortium.pk,
            "call": call.pk,
            "title": "Ghana AI",
            "target_countries": ["GH"],
            "tenor_years": "7.5",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    proposal = Proposal.objects.get()
    assert (body["id"], body["title"], body["status"], body["target_countries"]) == (
        proposal.pk,
        "Ghana AI",
        "draft",
        ["GH"],
    )
    assert (body["tenor_years"], body["local_costs"], body["confidential_sections"]) == ("7.5", "0.00", [])
    assert proposal.created_by == editor


def test_proposal_create_with_bad_fields_saves_nothing(as_lead, consortium, call):
    response = as_lead.post(
        LIST,
        {
            "consortium": consortium.pk,
            "call": call.pk,
            "title": "",
            "target_countries": ["XX"],
            "financing_amount": "-5",
            "exim_product": "grant",
            "confidential_sections": ["finances"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Please correct the errors below.",
        "code": "invalid",
        "extra": {
            "fields": {
                "title": ["This field may not be blank."],
                "target_countries": ['Invalid pk "XX" - object does not exist.'],
                "financing_amount": ["Ensure this value is greater than or equal to 0.01."],
                "exim_product": ['"grant" is not a valid choice.'],
                "confidential_sections": {"0": ['"finances" is not a valid choice.']},
            }
        },
    }
    assert not Proposal.objects.exists()


def test_proposal_create_in_another_consortium_is_refused(as_outsider, consortium, call):
    response = as_outsider.post(
        LIST, {"consortium": consortium.pk, "call": call.pk, "title": "Sneaky"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["extra"] == {
        "fields": {"consortium": [f'Invalid pk "{consortium.pk}" - object does not exist.']}
    }
    assert not Proposal.objects.exists()


def test_proposal_create_by_viewer_is_forbidden(as_viewer, consortium, call):
    response = as_viewer.post(
        LIST, {"consortium": consortium.pk, "call": call.pk, "title": "Viewer's"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "message": "Only the consortium's lead and editors can start a proposal.",
        "code": "permission_denied",
        "extra": {},
    }
    assert not Proposal.objects.exists()


def test_proposal_read(as_viewer, draft):
    response = as_viewer.get(detail(draft.pk))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["summary"], body["exim_product"]) == (
        draft.pk,
        "Kenya AI Hub",
        "",
        "",
    )


def test_proposal_patch_changes_only_given_fields(as_editor, draft):
    response = as_editor.patch(
        detail(draft.pk), {"summary": "Cloud and models.", "target_countries": ["GH", "KE"]}, format="json"
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Kenya AI Hub", "Cloud and models.")
    assert sorted(draft.target_countries.values_list("code", flat=True)) == ["GH", "KE"]
    assert response.json()["target_countries"] == ["GH", "KE"]


def test_proposal_patch_bad_input_saves_nothing(as_editor, draft):
    response = as_editor.patch(detail(draft.pk), {"summary": "Changed", "tenor_years": "0.1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Please correct the errors below.",
        "code": "invalid",
        "extra": {"fields": {"tenor_years": ["Ensure this value is greater than or equal to 0.5."]}},
    }
    draft.refresh_from_db()
    assert draft.summary == ""


def test_proposal_patch_by_viewer_is_forbidden(as_viewer, draft):
    response = as_viewer.patch(detail(draft.pk), {"summary": "Viewer edit"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "message": "Your consortium role does not allow editing.",
        "code": "permission_denied",
        "extra": {},
    }


def test_proposal_patch_after_submission_is_a_conflict(as_lead, lead, complete_proposal):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    response = as_lead.patch(detail(complete_proposal.pk), {"title": "Renamed"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "message": "This proposal is submitted (automated intake) and can no longer be edited.",
        "code": "not_editable",
        "extra": {},
    }


@pytest.mark.parametrize("method", ["get", "patch"])
def test_proposal_of_another_consortium_is_not_found(as_outsider, draft, method):
    response = getattr(as_outsider, method)(detail(draft.pk), {"title": "Mine now"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found", "extra": {}}
    draft.refresh_from_db()
    assert draft.title == "Kenya AI Hub"


def test_agency_reviewer_does_not_see_unsubmitted_drafts(commerce_reviewer, draft, api_client):
    api_client.force_authenticate(commerce_reviewer)
    assert api_client.get(detail(draft.pk)).status_code == 404
    assert api_client.get(LIST).json()["count"] == 0


def test_anonymous_gets_401_with_a_token_challenge(api_client, draft):
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "extra": {},
    }
    assert api_client.post(LIST, {"title": "x"}, format="json").status_code == 401
    assert api_client.get(detail(draft.pk)).status_code == 401
    assert ProposalStatus(draft.status) == ProposalStatus.DRAFT
