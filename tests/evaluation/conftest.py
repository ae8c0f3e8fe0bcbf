"""Evaluation fixtures: a proposal in review answering a call with a published weighted rubric, the
program officer, and one evaluator per evaluating agency."""

from decimal import Decimal

import pytest
from django.utils import timezone

from proposals.core.enums import ProposalStatus
from proposals.evaluation.services import (
    conflict_declare,
    panel_determine,
    panel_form,
    panel_summary_record,
    panel_transition,
    score_sheet_save,
)
from tests.factories import CallFactory, CriterionFactory, ProposalFactory, RubricFactory, UserFactory


@pytest.fixture
def rubric(db):
    rubric = RubricFactory(call=CallFactory(name="First call"), published_at=timezone.now())
    CriterionFactory(rubric=rubric, code="a", title="Alignment", weight=Decimal(50), order=1)
    CriterionFactory(rubric=rubric, code="b", title="Benefit", weight=Decimal(30), order=2)
    CriterionFactory(
        rubric=rubric, code="c", title="Capacity", weight=Decimal(20), scale_min=0, scale_max=10, order=3
    )
    return rubric


@pytest.fixture
def in_review(consortium, lead, rubric):
    return ProposalFactory(
        consortium=consortium,
        call=rubric.call,
        status=ProposalStatus.IN_REVIEW,
        revision_number=1,
        title="Northwind Cluster",
    )


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", agency="program")


@pytest.fixture
def evaluators(db):
    return {
        agency: UserFactory(username=f"eval_{agency}", agency=agency)
        for agency in ("commerce", "state", "war", "energy", "ostp")
    }


@pytest.fixture
def convened(in_review, officer, evaluators):
    panel = panel_form(proposal_id=in_review.pk, actor=officer)
    return panel_transition(panel_id=panel.pk, action="convene", actor=officer)


@pytest.fixture
def scoring(convened, evaluators):
    """Everyone but OSTP declares no conflict; OSTP declares one (recused); scoring opens by itself."""
    for agency, user in evaluators.items():
        conflict_declare(
            panel_id=convened.pk,
            actor=user,
            has_conflict=agency == "ostp",
            statement="Advised the anchor member in 2025." if agency == "ostp" else "",
        )
    convened.refresh_from_db()
    return convened


def designate(panel, evaluators, officer):
    """The scoring panel's four seated evaluators submit 4s, the officer records a summary and
    designates the package; the panel as determined."""
    for agency in ("commerce", "state", "war", "energy"):
        score_sheet_save(
            panel_id=panel.pk,
            actor=evaluators[agency],
            scores={code: {"value": 4, "comment": "Good."} for code in ("a", "b", "c")},
            submit=True,
        )
    panel_summary_record(panel_id=panel.pk, actor=officer, summary="Agreed.", public_summary="A cluster.")
    return panel_determine(
        panel_id=panel.pk, decision="designate", actor=officer, reason="National interest."
    )
