"""EXIM fixtures: a deal opened through the real path (submit, intake, review), at a chosen stage."""

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from proposals.commerce.models import LicenseGate
from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.review import gate_decide
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.core.enums import DealStage, GateStatus, Layer
from proposals.core.models.reference import ProgramSettings
from proposals.demo import build_complete_proposal
from proposals.exim.models import Deal
from proposals.exim.services import deal_compute_terms, deal_open
from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition
from tests.commerce.csl_fixture import csl_row, write_csl_csv
from tests.factories import CommerceReviewerFactory

# The DOMAIN.md worked example: an $80M contract, all US content.
EIGHTY_MILLION_ITEMS = [
    (Layer.CHIPS, "AI accelerators", "Northstar Silicon Inc.", "3A090.a", 1, "40000000", "1.00"),
    (Layer.SERVERS, "AI servers", "Atlas Compute Systems Inc.", "4A090.a", 1, "20000000", "1.00"),
    (Layer.STORAGE, "Storage", "Beacon Cloud LLC", "5A992.c", 1, "5000000", "1.00"),
    (Layer.NETWORKING, "Switch fabric", "Cobalt Networks Corp.", "5A992.c", 1, "5000000", "1.00"),
    (Layer.CLOUD, "Cloud control plane", "Beacon Cloud LLC", "5D992.c", 1, "5000000", "1.00"),
    (Layer.APPLICATION, "Clinical model", "Delphi Models Inc.", "EAR99", 1, "5000000", "1.00"),
]


@pytest.fixture
def program(db: None) -> ProgramSettings:
    return ProgramSettings.current()


@pytest.fixture
def screening_list(db: None, tmp_path: Path) -> None:
    """A loaded screening list that names none of the test consortium's companies or parties."""
    path = write_csl_csv(tmp_path / "consolidated.csv", [csl_row("e-ros", "ROSOBORONEXPORT OAO")])
    screening_list_load(source=str(path))


@pytest.fixture
def make_deal(consortium, lead, screening_list) -> Callable[..., Deal]:
    """Build a complete proposal, take it into review, screen it, open its deal and compute its terms.

    `determine` has Commerce determine its licenses and grant each (cleared); `stage` and `amount`
    then place the deal directly (arrangement only; the tests of the stage moves
    go through deal_transition).
    """
    counter = iter(range(1, 1000))
    licensing_officer = CommerceReviewerFactory(username="licensing_officer")

    def make(
        *,
        stage: str | None = None,
        amount: Decimal | None = None,
        compute: bool = True,
        screen: bool = True,
        determine: bool = True,
        **kw: Any,
    ) -> Deal:
        kw.setdefault("items", EIGHTY_MILLION_ITEMS)
        kw.setdefault("amount", Decimal("68000000"))
        proposal = build_complete_proposal(
            consortium=consortium, lead=lead, title=f"Deal proposal {next(counter)}", **kw
        )
        proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
        assert intake_check(proposal_id=proposal.pk) == "accept_for_review"
        if screen:
            proposal_screen(proposal_id=proposal.pk)  # as Commerce's start of review does
        if determine:
            # Commerce determines the licenses and its reviewer grants each one: the deal starts cleared.
            licenses_determine(proposal_id=proposal.pk)
            for gate in LicenseGate.objects.filter(proposal=proposal, status=GateStatus.OPEN):
                gate_decide(gate_id=gate.pk, action="approve", actor=licensing_officer, reason="Licensed.")
        deal = deal_open(proposal_id=proposal.pk)
        if compute:
            deal_compute_terms(deal_id=deal.pk)
        updates: dict[str, Any] = {}
        if stage is not None:
            updates["stage"] = stage
        if amount is not None:
            updates["amount"] = amount
        if updates:
            Deal.objects.filter(pk=deal.pk).update(**updates)
        return Deal.objects.select_related("proposal").get(pk=deal.pk)

    return make


@pytest.fixture
def deal_at_credit_committee(make_deal) -> Deal:
    return make_deal(stage=DealStage.CREDIT_COMMITTEE)


@pytest.fixture(autouse=True)
def _designation_not_required(request) -> None:
    """These tests are about this area's own checks: EXIM's designation requirement is off here
    (tests/evaluation/test_designation_required.py proves it on and off)."""
    from tests.conftest import designation_requirement

    designation_requirement(request, required=False)
