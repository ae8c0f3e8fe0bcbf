"""The evaluation pages and API: an evaluator declares and scores; the officer records the determination."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel, PanelMember
from proposals.evaluation.services import panel_form
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_evaluator_declares_no_conflict_and_scores_on_the_web(client, convened, evaluators):
    client.force_login(evaluators["state"])
    page = client.get(reverse("evaluation-panel", args=[convened.pk]))
    assert page.status_code == 200 and "Declare conflicts of interest" in page.content.decode()

    response = client.post(reverse("evaluation-conflicts", args=[convened.pk]), {"has_conflict": "no"})
    assert response.status_code == 302
    assert PanelMember.objects.get(panel=convened, agency="state").has_conflict is False


def test_web_conflict_declaration_recuses_and_the_panel_is_then_a_404(client, convened, evaluators):
    client.force_login(evaluators["war"])
    client.post(
        reverse("evaluation-conflicts", args=[convened.pk]),
        {"has_conflict": "yes", "statement": "Board seat."},
    )
    assert client.get(reverse("evaluation-panel", args=[convened.pk])).status_code == 404
    assert client.get(reverse("proposal-detail", args=[convened.proposal_id])).status_code == 404


def test_web_score_outside_the_scale_is_a_field_error(client, scoring, evaluators):
    client.force_login(evaluators["state"])
    data = {"value-a": "9", "comment-a": "Too high.", "submit": "0"}
    response = client.post(reverse("evaluation-scores", args=[scoring.pk]), data)
    assert response.status_code == 400
    assert "from 1 to 5" in response.content.decode()


def test_api_scores_and_determination(api_client, scoring, evaluators, officer):
    for agency in ("commerce", "state", "war", "energy"):
        api_client.force_authenticate(evaluators[agency])
        response = api_client.post(
            reverse("api-panel-scores", args=[scoring.pk]),
            {
                "scores": [{"criterion": c, "value": 4, "comment": "Solid."} for c in ("a", "b", "c")],
                "submit": True,
            },
            format="json",
        )
        assert response.status_code == 200, response.content
    assert response.json()["aggregate"]["weighted_mean_total"] == "68.00"  # 50 x 0.75 + 30 x 0.75 + 20 x 0.4

    api_client.force_authenticate(officer)
    response = api_client.post(
        reverse("api-panel-determination", args=[scoring.pk]),
        {"decision": "designate", "reason": "Yes."},
        format="json",
    )
    assert response.status_code == 400  # the summary first
    api_client.post(
        reverse("api-panel-summary", args=[scoring.pk]),
        {"summary": "Agreed.", "public_summary": "A cluster."},
        format="json",
    )
    response = api_client.post(
        reverse("api-panel-determination", args=[scoring.pk]),
        {"decision": "designate", "reason": "Yes."},
        format="json",
    )
    assert response.status_code == 200
    assert Panel.objects.get(pk=scoring.pk).status == PanelStatus.DESIGNATED


def test_api_blind_scoring_hides_others_until_submission(api_client, scoring, evaluators):
    api_client.force_authenticate(evaluators["state"])
    api_client.post(
        reverse("api-panel-scores", args=[scoring.pk]),
        {
            "scores": [{"criterion": c, "value": 5, "comment": "Top."} for c in ("a", "b", "c")],
            "submit": True,
        },
        format="json",
    )
    api_client.force_authenticate(evaluators["war"])
    body = api_client.get(reverse("api-panel-detail", args=[scoring.pk])).json()
    assert body["scores"] == [] and body["aggregate"] is None


def test_officer_forms_a_panel_on_the_web_with_the_suggestion_ticked(client, in_review, officer, evaluators):
    client.force_login(officer)
    page = client.get(reverse("evaluation-form-panel", args=[in_review.pk]))
    assert page.status_code == 200
    assert page.content.decode().count(" checked") == 5
    response = client.post(
        reverse("evaluation-form-panel", args=[in_review.pk]),
        {"evaluators": [evaluators["state"].pk, evaluators["war"].pk]},
    )
    assert response.status_code == 302
    assert Panel.objects.get(proposal=in_review).members.count() == 2


def test_web_determination_before_the_summary_is_an_error_on_the_form(client, scoring, evaluators, officer):
    for agency in ("commerce", "state", "war", "energy"):
        client.force_login(evaluators[agency])
        data = {"submit": "1"} | {f"value-{c}": "3" for c in "ab"} | {"value-c": "5"}
        data |= {f"comment-{c}": "Fair." for c in "abc"}
        assert client.post(reverse("evaluation-scores", args=[scoring.pk]), data).status_code == 302
    client.force_login(officer)

    response = client.post(
        reverse("evaluation-determination", args=[scoring.pk]), {"decision": "designate", "reason": "Yes."}
    )

    assert response.status_code == 400
    assert "Record the panel summary before the determination." in response.content.decode()
    assert Panel.objects.get(pk=scoring.pk).status == PanelStatus.DETERMINATION


def test_web_refusal_by_the_panel_state_is_a_message_on_the_panel_page(client, scoring, officer):
    client.force_login(officer)

    response = client.post(
        reverse("evaluation-summary", args=[scoring.pk]), {"summary": "Too early.", "public_summary": ""}
    )

    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation-panel", args=[scoring.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "The summary is recorded once scoring has closed." in page
    assert Panel.objects.get(pk=scoring.pk).summary == ""


def test_officer_panel_list_offers_to_form_a_panel_for_proposals_in_review_without_one(
    client, in_review, officer, evaluators
):
    client.force_login(officer)
    page = client.get(reverse("evaluation-panels")).content.decode()
    assert page.count(reverse("evaluation-form-panel", args=[in_review.pk])) == 1
    assert "<title>Evaluation panels · ExportAI Portal</title>" in page

    client.force_login(evaluators["state"])  # an evaluator is offered nothing to form
    page = client.get(reverse("evaluation-panels")).content.decode()
    assert "awaiting a panel" not in page


def test_officer_panel_list_queries_do_not_grow_with_panels(client, rubric, consortium, officer, evaluators):
    """N+1 guard: the officer's list (panels, and proposals awaiting one) at 1 and at 3 of each."""
    client.force_login(officer)

    def add_one(n: int) -> None:
        for suffix in ("panel", "waiting"):
            proposal = ProposalFactory(
                consortium=consortium,
                call=rubric.call,
                status="in_review",
                revision_number=1,
                title=f"{suffix} {n}",
            )
            if suffix == "panel":
                panel_form(proposal_id=proposal.pk, actor=officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("evaluation-panels")).status_code == 200
        return len(captured)

    add_one(1)
    one = queries()
    add_one(2)
    add_one(3)
    assert queries() == one
