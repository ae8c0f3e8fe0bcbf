"""EXIM's final commitment requires designation when the program setting says so: one named reason of
the one clearance function (proposals.commerce.selectors.commerce_clearance)."""

import pytest

from proposals.commerce.selectors import NOT_DESIGNATED, commerce_clearance, consortium_standing
from proposals.core.models.reference import ProgramSettings
from proposals.exim.models import Deal
from proposals.exim.services import final_commitment_blockers
from tests.evaluation.conftest import designate

pytestmark = pytest.mark.django_db


def _require(on: bool) -> ProgramSettings:
    program = ProgramSettings.current()
    program.final_commitment_requires_designation = on
    program.save()
    return program


def test_setting_defaults_on():
    assert ProgramSettings.current().final_commitment_requires_designation is True


def test_designation_required_for_final_commitment_when_the_setting_is_on(in_review):
    program = _require(True)
    clearance = commerce_clearance(proposal_id=in_review.pk)
    assert clearance.held["designated"] == [NOT_DESIGNATED]
    deal = Deal.objects.create(proposal=in_review)
    assert f"Commerce: {NOT_DESIGNATED}" in final_commitment_blockers(deal, program=program)


def test_designation_not_required_for_final_commitment_when_the_setting_is_off(in_review):
    program = _require(False)
    assert "designated" not in commerce_clearance(proposal_id=in_review.pk).held
    deal = Deal.objects.create(proposal=in_review)
    assert f"Commerce: {NOT_DESIGNATED}" not in final_commitment_blockers(deal, program=program)


def test_designation_lifts_the_reason_when_the_setting_is_on(scoring, evaluators, officer):
    _require(True)
    designate(scoring, evaluators, officer)
    assert "designated" not in commerce_clearance(proposal_id=scoring.proposal_id).held


def test_consortium_reads_awaiting_the_determination_when_only_designation_holds(in_review, monkeypatch):
    from proposals.commerce import selectors

    _require(True)
    monkeypatch.setattr(
        selectors, "CLEARANCE_CHECKS", tuple(c for c in selectors.CLEARANCE_CHECKS if c[0] == "designated")
    )
    assert consortium_standing(proposal=in_review).state == "awaiting_designation"
