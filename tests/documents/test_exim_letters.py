"""EXIM papers: the term sheet once terms are computed, the final commitment letter once authorized."""

from decimal import Decimal

import pytest

from proposals.core.enums import DealStage, GeneratedKind, NotificationEvent
from proposals.documents.models import GeneratedDocument
from proposals.documents.services.generated import generated_render
from proposals.exim.services import deal_transition
from proposals.notify.models import OutboxMessage
from tests.documents.conftest import pdf_pages
from tests.exim.conftest import make_deal, program, screening_list  # noqa: F401
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


def _text(kind: str) -> str:
    doc = GeneratedDocument.objects.get(kind=kind)
    with doc.file.open("rb") as f:
        return " ".join("\n".join(pdf_pages(f.read())).split())


def test_term_sheet_states_the_computed_terms(make_deal):  # noqa: F811
    deal = make_deal()
    assert generated_render(
        proposal_id=deal.proposal_id, kind=GeneratedKind.TERM_SHEET, subject_id=deal.pk
    ) == ("rendered")
    text = _text(GeneratedKind.TERM_SHEET)
    assert f"Reference ExportAI-{deal.proposal_id}-D{deal.pk}" in text
    assert "Net contract price $80,000,000.00" in text
    assert "Amount financed $68,000,000.00" in text
    assert "Product Direct loan" in text


def test_terms_computation_enqueues_the_term_sheet(make_deal, django_capture_on_commit_callbacks):  # noqa: F811
    from proposals.exim.services import deal_compute_terms

    deal = make_deal()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deal_compute_terms(deal_id=deal.pk)
    assert len(sends(callbacks)) == 1


def test_stage_change_emails_consortium(make_deal, exim_officer):  # noqa: F811
    deal = make_deal()
    deal_transition(
        deal_id=deal.pk, action="start_due_diligence", actor=exim_officer, reason="File complete."
    )
    message = OutboxMessage.objects.get(event=NotificationEvent.DEAL_STAGE_CHANGED)
    assert message.recipient == "lead@example.test"
    assert message.subject == f"EXIM deal now at Due diligence: {deal.proposal.title}"
    assert "moved from Application received to Due diligence" in message.body


def test_commitment_letter_after_authorization(make_deal, exim_officer):  # noqa: F811
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("10000000"))
    kind = GeneratedKind.COMMITMENT_LETTER
    assert generated_render(proposal_id=deal.proposal_id, kind=kind, subject_id=deal.pk) == "not_applicable"
    deal_transition(deal_id=deal.pk, action="authorize", actor=exim_officer, reason="Ready to authorize.")
    assert generated_render(proposal_id=deal.proposal_id, kind=kind, subject_id=deal.pk) == "rendered"
    text = _text(kind)
    assert "Final commitment" in text
    assert "Amount financed $68,000,000.00" in text
    assert "Ready to authorize." in text
