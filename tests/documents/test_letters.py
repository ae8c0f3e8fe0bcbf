"""The Commerce license determination letter: made when a reviewer decides a gate, and its emails."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.commerce.models import LicenseGate
from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.review import commerce_review_start, gate_decide, review_clock_refresh
from proposals.core.enums import GeneratedKind, NotificationEvent
from proposals.documents.models import GeneratedDocument
from proposals.documents.services.generated import generated_render
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import OutboxMessage
from tests.documents.conftest import pdf_pages
from tests.factories import TEST_PASSWORD
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


@pytest.fixture
def chips_gate(complete_proposal, lead):
    """The UAE proposal in review with its 3A090.a chips gate open."""
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=complete_proposal.pk, action="accept_for_review", actor=None, reason="ok")
    licenses_determine(proposal_id=complete_proposal.pk)
    return LicenseGate.objects.get(proposal=complete_proposal, eccn="3A090.a")


def _decide(gate, reviewer):
    return gate_decide(
        gate_id=gate.pk,
        action="approve_with_conditions",
        actor=reviewer,
        reason="End user verified by an end-use check; no diversion risk found.",
        conditions="No re-export or transfer without prior BIS authorization.",
    )


def test_gate_decision_emails_consortium_and_exim_and_enqueues_the_letter(
    chips_gate, commerce_reviewer, exim_officer, django_capture_on_commit_callbacks
):
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _decide(chips_gate, commerce_reviewer)
    messages = OutboxMessage.objects.filter(event=NotificationEvent.GATE_DECIDED).order_by("recipient")
    assert [m.recipient for m in messages] == ["exim@example.test", "lead@example.test"]
    assert messages[0].subject == "License gate decided (Approved with conditions): UAE AI Cluster"
    assert "Rule version: v1" in messages[0].body
    assert len(sends(callbacks)) == 3  # two emails and the letter's render


def test_letter_states_decision_reason_conditions_and_policy(chips_gate, commerce_reviewer):
    assert (
        generated_render(
            proposal_id=chips_gate.proposal_id, kind=GeneratedKind.LICENSE_LETTER, subject_id=chips_gate.pk
        )
        == "not_applicable"
    )  # still open
    _decide(chips_gate, commerce_reviewer)
    assert (
        generated_render(
            proposal_id=chips_gate.proposal_id, kind=GeneratedKind.LICENSE_LETTER, subject_id=chips_gate.pk
        )
        == "rendered"
    )
    doc = GeneratedDocument.objects.get(kind=GeneratedKind.LICENSE_LETTER)
    assert (doc.subject_id, doc.revision) == (chips_gate.pk, 1)
    with doc.file.open("rb") as f:
        text = " ".join("\n".join(pdf_pages(f.read())).split())
    assert f"Reference ExportAI-{chips_gate.proposal_id}-G{chips_gate.pk}" in text
    assert "Items ECCN 3A090.a to United Arab Emirates" in text
    assert "Decision Approved with conditions on" in text
    assert "End user verified by an end-use check; no diversion risk found." in text
    assert "No re-export or transfer without prior BIS authorization." in text
    assert "Policy version v1" in text
    assert "Data-center AI accelerator, 141 GB HBM3e Northstar Silicon Inc. 2,048 $61,440,000.00" in text


def test_letter_download_for_owner_not_for_other_consortium(chips_gate, commerce_reviewer, outsider, client):
    _decide(chips_gate, commerce_reviewer)
    generated_render(
        proposal_id=chips_gate.proposal_id, kind=GeneratedKind.LICENSE_LETTER, subject_id=chips_gate.pk
    )
    url = reverse(
        "paper-download-subject",
        kwargs={"pk": chips_gate.proposal_id, "kind": "license_letter", "subject_id": chips_gate.pk},
    )
    client.login(username="outsider", password=TEST_PASSWORD)
    assert client.get(url).status_code == 404
    client.login(username="lead", password=TEST_PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="license-letter-{chips_gate.pk}-proposal-{chips_gate.proposal_id}-r1.pdf"'
    )


def test_review_clock_near_deadline_emails_commerce_once(chips_gate, commerce_reviewer):
    commerce_review_start(proposal_id=chips_gate.proposal_id)
    later = timezone.now() + timedelta(days=88)  # final resolution at 90 days, flagged 3 days before
    review_clock_refresh(proposal_ids=[chips_gate.proposal_id], now=later)
    review_clock_refresh(proposal_ids=[chips_gate.proposal_id], now=later + timedelta(hours=1))
    messages = OutboxMessage.objects.filter(event=NotificationEvent.DEADLINE_NEAR)
    assert [(m.recipient, m.subject) for m in messages] == [
        ("commerce@example.test", "Deadline approaching: Commerce review, final resolution (UAE AI Cluster)")
    ]


def test_package_carries_the_decision_letters(chips_gate, commerce_reviewer, lead, client):
    import io
    import zipfile

    _decide(chips_gate, commerce_reviewer)
    proposal_id = chips_gate.proposal_id
    generated_render(proposal_id=proposal_id, kind=GeneratedKind.DOSSIER)
    generated_render(proposal_id=proposal_id, kind=GeneratedKind.LICENSE_LETTER, subject_id=chips_gate.pk)
    client.login(username="lead", password=TEST_PASSWORD)
    response = client.get(reverse("package-download", kwargs={"pk": proposal_id}))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        letters = [name for name in zf.namelist() if name.startswith("letters/")]
    assert letters == [f"letters/license-letter-{chips_gate.pk}-proposal-{proposal_id}-r1.pdf"]
