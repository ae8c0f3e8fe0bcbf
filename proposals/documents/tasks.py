"""Documents' tasks: rendering generated papers.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing. A render is bounded: it is stopped after
EXPORTAI_PAPER_RENDER_SECONDS (the service records the attempt and the sweeper tries again, up to
EXPORTAI_PAPER_RENDER_ATTEMPTS times), and the worker process is killed 30 s later if it still runs.
"""

from celery import shared_task
from django.conf import settings

from proposals.core.enums import GeneratedKind
from proposals.documents.selectors import PAPER_HARD_LIMIT_MARGIN_SECONDS
from proposals.documents.services.generated import generated_render, generated_render_request

RENDER_LIMITS = {
    "soft_time_limit": settings.EXPORTAI_PAPER_RENDER_SECONDS,
    "time_limit": settings.EXPORTAI_PAPER_RENDER_SECONDS + PAPER_HARD_LIMIT_MARGIN_SECONDS,
}


@shared_task(**RENDER_LIMITS)
def document_render_dossier(*, proposal_id: int) -> str | None:
    """Render the dossier of the proposal's latest revision, unless the stored one is current."""
    return generated_render(proposal_id=proposal_id, kind=GeneratedKind.DOSSIER)


@shared_task(**RENDER_LIMITS)
def document_render(*, proposal_id: int, kind: str, subject_id: int = 0) -> str | None:
    """Render any registered paper (letters from the Commerce and EXIM tracks), unless current."""
    return generated_render(proposal_id=proposal_id, kind=kind, subject_id=subject_id)


@shared_task(**RENDER_LIMITS)
def document_render_requested(*, render_id: int) -> str | None:
    """The sweeper's resend of a requested render (a PaperRender row) whose message was lost."""
    return generated_render_request(render_id=render_id)
