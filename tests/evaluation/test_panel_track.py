"""The evaluation track: forming, conflicts (recusal), blind scoring, aggregation, determination."""

from decimal import Decimal

import pytest

from proposals.core.enums import ProposalStatus
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import PanelMember
from proposals.evaluation.selectors import aggregate_visible_to, panel_aggregate, scores_visible_to
from proposals.evaluation.services import (
    conflict_declare,
    panel_determine,
    panel_form,
    panel_suggestion,
    panel_summary_record,
    score_sheet_save,
)
from proposals.notify.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHEETS = {
    "commerce": {"a": 3, "b": 5, "c": 2},
    "state": {"a": 4, "b": 5, "c": 8},
    "war": {"a": 5, "b": 5, "c": 8},
}


def _sheet(values):
    return {code: {"value": value, "comment": f"Scored {value}."} for code, value in values.items()}


def _score_all(panel, evaluators, sheets=SHEETS):
    for agency, values in sheets.items():
        score_sheet_save(panel_id=panel.pk, actor=evaluators[agency], scores=_sheet(values), submit=True)


def test_panel_suggestion_picks_the_least_loaded_evaluator_per_agency(in_review, officer, evaluators):
    busy_state = evaluators["state"]
    idle_state = UserFactory(username="eval_state_2", agency="state")
    other = panel_form(proposal_id=in_review.pk, actor=officer, evaluator_ids=[busy_state.pk])
    assert other.members.count() == 1

    chosen = panel_suggestion()

    assert idle_state in chosen and busy_state not in chosen
    assert sorted(u.agency for u in chosen) == sorted(["commerce", "state", "war", "energy", "ostp"])


def test_panel_form_refuses_someone_who_is_not_an_evaluator(in_review, officer, exim_officer):
    with pytest.raises(InvalidInput) as exc:
        panel_form(proposal_id=in_review.pk, actor=officer, evaluator_ids=[exim_officer.pk])
    assert "evaluators" in exc.value.extra["fields"]


def test_only_the_program_officer_forms_a_panel(in_review, evaluators):
    with pytest.raises(TransitionNotAllowed):
        panel_form(proposal_id=in_review.pk, actor=evaluators["commerce"])


def test_scoring_opens_once_every_member_has_declared(scoring):
    assert scoring.status == PanelStatus.SCORING
    assert PanelMember.objects.get(panel=scoring, agency="ostp").recused


def test_conflict_recusal_refuses_the_recused_member_a_score(scoring, evaluators):
    with pytest.raises(TransitionNotAllowed, match="recused"):
        score_sheet_save(panel_id=scoring.pk, actor=evaluators["ostp"], scores=_sheet({"a": 5}))


def test_conflict_recusal_needs_a_statement(convened, evaluators):
    with pytest.raises(InvalidInput):
        conflict_declare(panel_id=convened.pk, actor=evaluators["war"], has_conflict=True, statement=" ")


def test_score_outside_the_scale_is_a_field_error_and_nothing_saved(scoring, evaluators):
    with pytest.raises(InvalidInput) as exc:
        score_sheet_save(
            panel_id=scoring.pk, actor=evaluators["state"], scores=_sheet({"a": 4, "c": 11}), submit=False
        )
    assert "c" in exc.value.extra["fields"]
    assert not PanelMember.objects.get(panel=scoring, agency="state").scores.exists()


def test_blind_scoring_until_submission(scoring, evaluators, officer):
    score_sheet_save(
        panel_id=scoring.pk, actor=evaluators["state"], scores=_sheet(SHEETS["state"]), submit=True
    )
    score_sheet_save(panel_id=scoring.pk, actor=evaluators["war"], scores=_sheet({"a": 5}), submit=False)

    war_sees = scores_visible_to(scoring, evaluators["war"])
    assert {s.member.agency for s in war_sees} == {"war"}  # only its own draft
    assert aggregate_visible_to(scoring, evaluators["war"]) is None

    state_sees = scores_visible_to(scoring, evaluators["state"])
    assert {s.member.agency for s in state_sees} == {"state"}  # war's draft is not submitted
    assert aggregate_visible_to(scoring, evaluators["state"]) is not None

    score_sheet_save(panel_id=scoring.pk, actor=evaluators["war"], scores=_sheet(SHEETS["war"]), submit=True)
    assert {s.member.agency for s in scores_visible_to(scoring, evaluators["war"])} == {"state", "war"}
    assert not scores_visible_to(scoring, evaluators["ostp"]).exists()  # recused


def test_scoring_closes_when_every_member_not_recused_submitted(scoring, evaluators):
    _score_all(scoring, evaluators, {**SHEETS, "energy": {"a": 4, "b": 5, "c": 6}})
    scoring.refresh_from_db()
    assert scoring.status == PanelStatus.DETERMINATION


def test_aggregation_worked_example_through_the_panel(scoring, evaluators, officer):
    _score_all(scoring, evaluators)
    result = panel_aggregate(scoring)
    assert result.weighted_mean_total == Decimal("79.50")
    assert result.weighted_median_total == Decimal("83.50")
    assert [c.code for c in result.criteria if c.disagreement] == ["a", "c"]


def _to_determination(panel, evaluators):
    _score_all(panel, evaluators, {**SHEETS, "energy": {"a": 4, "b": 5, "c": 6}})
    panel.refresh_from_db()
    return panel


def test_determination_needs_the_summary_and_reasons(scoring, evaluators, officer):
    panel = _to_determination(scoring, evaluators)
    with pytest.raises(InvalidInput):
        panel_determine(panel_id=panel.pk, decision="designate", actor=officer, reason="Strong package.")
    panel_summary_record(panel_id=panel.pk, actor=officer, summary="Consensus.", public_summary="A cluster.")
    with pytest.raises(InvalidInput):
        panel_determine(panel_id=panel.pk, decision="designate", actor=officer, reason="  ")


def test_designation_marks_priority_and_tells_the_consortium(scoring, evaluators, officer, lead):
    panel = _to_determination(scoring, evaluators)
    panel_summary_record(panel_id=panel.pk, actor=officer, summary="Consensus.", public_summary="A cluster.")

    panel = panel_determine(
        panel_id=panel.pk, decision="designate", actor=officer, reason="National interest."
    )

    assert panel.status == PanelStatus.DESIGNATED and panel.designated_at is not None
    assert panel.proposal.commerce_review.priority
    assert OutboxMessage.objects.filter(event="determination", recipient=lead.email).exists()
    assert AuditEvent.objects.filter(proposal=panel.proposal, action="panel_designate").exists()


def test_not_designated_ends_the_federal_review_with_the_reasons(scoring, evaluators, officer, lead):
    panel = _to_determination(scoring, evaluators)
    panel_summary_record(panel_id=panel.pk, actor=officer, summary="Split panel.")

    panel_determine(
        panel_id=panel.pk, decision="not_designate", actor=officer, reason="Insufficient benefit."
    )

    panel.proposal.refresh_from_db()
    assert panel.proposal.status == ProposalStatus.DECLINED
    event = AuditEvent.objects.get(proposal=panel.proposal, subject="proposal", action="decline")
    assert "Insufficient benefit." in event.reason
    message = OutboxMessage.objects.get(event="determination", recipient=lead.email)
    assert "Insufficient benefit." in message.body


def test_deferral_can_be_reconsidered(scoring, evaluators, officer):
    from proposals.evaluation.services import panel_transition

    panel = _to_determination(scoring, evaluators)
    panel_summary_record(panel_id=panel.pk, actor=officer, summary="Need the site plan.")
    panel_determine(panel_id=panel.pk, decision="defer", actor=officer, reason="Awaiting the site plan.")
    panel = panel_transition(panel_id=panel.pk, action="reconsider", actor=officer, reason="Plan received.")
    assert panel.status == PanelStatus.DETERMINATION
