"""The dossier PDF: what it says (read back with pypdf), when it is rendered again, and its checksum."""

import hashlib

import pytest

from proposals.core.enums import GeneratedKind
from proposals.documents.models import GeneratedDocument
from proposals.documents.services.generated import generated_render
from proposals.documents.tasks import document_render_dossier
from proposals.intake.services.transitions import proposal_transition
from tests.documents.conftest import pdf_pages

pytestmark = pytest.mark.django_db


def _dossier(proposal) -> tuple[GeneratedDocument, list[str]]:
    doc = GeneratedDocument.objects.get(proposal=proposal, kind=GeneratedKind.DOSSIER)
    with doc.file.open("rb") as f:
        return doc, pdf_pages(f.read())


def test_dossier_shows_amounts_totals_and_revision(submitted):
    assert generated_render(proposal_id=submitted.pk, kind=GeneratedKind.DOSSIER) == "rendered"
    doc, pages = _dossier(submitted)
    text = " ".join("\n".join(pages).split())  # table cells wrap: compare on single spaces
    assert (doc.revision, doc.page_count, len(pages)) == (1, len(pages), len(pages))
    assert "Revision 1, frozen on" in text
    assert "Package value $157,200,000.00 in 6 line items" in text
    # Line items by layer, each with its total (GULF_ITEMS: 2,048 accelerators at $30,000).
    assert "2,048 $30,000.00 $61,440,000.00 $55,296,000.00" in text
    assert "Chips total (US-origin 90.0%) $61,440,000.00 $55,296,000.00" in text
    assert "Servers total (US-origin 80.0%) $64,000,000.00 $51,200,000.00" in text
    assert "Total package value $157,200,000.00" in text
    assert "US-origin value $135,016,000.00 (85.9%)" in text
    assert "Amount requested $133,620,000.00" in text
    assert "Minimum cash payment $23,580,000.00" in text
    # Sites, parties, documents, findings.
    assert "Abu Dhabi AI Campus 1" in text
    assert "End user Ministry of Health and Prevention" in text
    assert "Security and cybersecurity plan security_plan.pdf" in text
    assert "No findings: revision 1 passes every completeness check." in text
    assert pages[0].rstrip().endswith(f"Page 1 of {len(pages)}")


def test_dossier_marks_flagged_sections_business_confidential(submitted):
    generated_render(proposal_id=submitted.pk, kind=GeneratedKind.DOSSIER)
    _, pages = _dossier(submitted)
    marked = [i for i, page in enumerate(pages) if "BUSINESS CONFIDENTIAL" in page]
    items_page = next(i for i, page in enumerate(pages) if "4. Line items by layer" in page)
    financing_page = next(i for i, page in enumerate(pages) if "6. Financing requested" in page)
    parties_page = next(i for i, page in enumerate(pages) if "5. Parties and end use" in page)
    assert items_page in marked and financing_page in marked
    assert 0 not in marked  # the cover and overview are not flagged
    assert parties_page not in marked
    assert "Business confidential Line items, Financing" in pages[0]


def test_render_again_with_same_source_does_nothing(submitted):
    assert document_render_dossier(proposal_id=submitted.pk) == "rendered"
    first = GeneratedDocument.objects.get()
    assert document_render_dossier(proposal_id=submitted.pk) == "current"
    again = GeneratedDocument.objects.get()
    assert (again.file.name, again.sha256, again.rendered_at) == (
        first.file.name,
        first.sha256,
        first.rendered_at,
    )


def test_checksum_is_the_stored_file_sha256(submitted):
    generated_render(proposal_id=submitted.pk, kind=GeneratedKind.DOSSIER)
    doc = GeneratedDocument.objects.get()
    with doc.file.open("rb") as f:
        content = f.read()
    assert (doc.sha256, doc.size) == (hashlib.sha256(content).hexdigest(), len(content))


def test_new_revision_renders_again_and_removes_old_file(submitted, lead, commerce_reviewer):
    from proposals.intake.services.drafting import proposal_update
    from proposals.intake.services.intake import intake_check

    generated_render(proposal_id=submitted.pk, kind=GeneratedKind.DOSSIER)
    old = GeneratedDocument.objects.get()
    storage, old_name = old.file.storage, old.file.name
    intake_check(proposal_id=submitted.pk)
    proposal_transition(
        proposal_id=submitted.pk, action="request_information", actor=commerce_reviewer, reason="Tenor?"
    )
    proposal_update(proposal_id=submitted.pk, actor=lead, data={"tenor_years": "8"})
    proposal_transition(proposal_id=submitted.pk, action="submit", actor=lead)

    with pytest.MonkeyPatch.context() as mp:  # run the old file's removal as the commit would
        mp.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())
        assert generated_render(proposal_id=submitted.pk, kind=GeneratedKind.DOSSIER) == "rendered"
    doc, pages = _dossier(submitted)
    assert (doc.pk, doc.revision) == (old.pk, 2)
    assert "Revision 2, frozen on" in pages[0]
    assert "8.0 years" in "\n".join(pages)
    assert not storage.exists(old_name)


def test_draft_has_no_dossier(complete_proposal):
    assert generated_render(proposal_id=complete_proposal.pk, kind=GeneratedKind.DOSSIER) == "not_applicable"
    assert not GeneratedDocument.objects.exists()


def test_render_of_missing_proposal_or_unregistered_kind_is_a_no_op(submitted):
    assert generated_render(proposal_id=999_999, kind=GeneratedKind.DOSSIER) is None
    assert generated_render(proposal_id=submitted.pk, kind="no_such_paper") is None


def test_user_text_is_escaped_in_the_pdf(complete_proposal, lead):
    from proposals.intake.services.drafting import proposal_update

    proposal_update(
        proposal_id=complete_proposal.pk,
        actor=lead,
        data={"summary": 'Rack <b>bold</b> & "quoted" </style><img src="file:///etc/passwd">'},
    )
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    generated_render(proposal_id=complete_proposal.pk, kind=GeneratedKind.DOSSIER)
    _, pages = _dossier(complete_proposal)
    assert 'Rack <b>bold</b> & "quoted" </style><img src="file:///etc/passwd">' in pages[0]
