"""Documents' tasks: rendering generated papers.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing.
"""

from celery import shared_task

from proposals.core.enums import GeneratedKind
from proposals.documents.services.generated import generated_render


@shared_task
def document_render_dossier(*, proposal_id: int) -> str | None:
    """Render the dossier of the proposal's latest revision, unless the stored one is current."""
    return generated_render(proposal_id=proposal_id, kind=GeneratedKind.DOSSIER)


@shared_task
def document_render(*, proposal_id: int, kind: str, subject_id: int = 0) -> str | None:
    """Render any registered paper (letters from the Commerce and EXIM tracks), unless current."""
    return generated_render(proposal_id=proposal_id, kind=kind, subject_id=subject_id)
