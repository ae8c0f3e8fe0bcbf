"""Papers the portal generates: which exist, their template, and the function that gathers their data.

A paper is a template plus a context function, declared once in PAPERS below. The context function
takes (proposal, subject_id) and returns plain, JSON-serializable data (or None when the paper does
not apply yet); `services.generated.generated_render` hashes that data, renders the template with
WeasyPrint only when the hash changed, and stores the PDF with its checksum and source revision.

Papers: the dossier (rendered on submit), the Commerce license determination letter (one per
decided gate, enqueued by the gate track in `proposals.commerce.services.review`), the EXIM term
sheet (one per deal, enqueued by `proposals.exim.services.deal_compute_terms`) and final commitment
letter (enqueued by the deal track on authorization), and the designation letter (one per designated
evaluation panel, enqueued by the panel track in `proposals.evaluation.services`). A new paper is
one more entry here, a context function and a template. Templates extend "pdf/base.html" (page size,
page numbers, the confidential marking). The track's write path enqueues
`proposals.documents.tasks.document_render` (proposal_id, kind, subject_id) on commit.
"""

from dataclasses import dataclass

from proposals.core.enums import GeneratedKind


@dataclass(frozen=True)
class Paper:
    kind: str
    template: str
    # Dotted path of `context(proposal, subject_id) -> dict | None`, imported when first used.
    context: str
    # One paper per track object (gate, deal), or one for the whole proposal.
    per_subject: bool = False
    # The django-rules permission a user needs on the proposal to download it.
    permission: str = "proposals.view_proposal"


PAPERS: dict[str, Paper] = {
    paper.kind: paper
    for paper in (
        Paper(
            GeneratedKind.DOSSIER, "pdf/dossier.html", "proposals.documents.papers.dossier.dossier_context"
        ),
        Paper(
            GeneratedKind.LICENSE_LETTER,
            "pdf/license_letter.html",
            "proposals.documents.papers.letters.license_letter_context",
            per_subject=True,
        ),
        Paper(
            GeneratedKind.TERM_SHEET,
            "pdf/term_sheet.html",
            "proposals.documents.papers.letters.term_sheet_context",
            True,
        ),
        Paper(
            GeneratedKind.COMMITMENT_LETTER,
            "pdf/commitment_letter.html",
            "proposals.documents.papers.letters.commitment_letter_context",
            per_subject=True,
        ),
        Paper(
            GeneratedKind.DESIGNATION_LETTER,
            "pdf/designation_letter.html",
            "proposals.documents.papers.designation.designation_letter_context",
            per_subject=True,
        ),
    )
}
