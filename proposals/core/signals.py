"""Model and sign-in signals: what invalidates the cached pages (proposals.core.page_cache), and the
inbox count cached at sign-in (proposals.notify.selectors.inbox_unread_count).

Signals rather than calls in each service, because the Commerce queue shows data that many paths
write (transitions, workers, reviewers, the consortium's edits while a proposal is returned). Bulk
writes send no signals: the services that make them call `page_cache.bump` themselves.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save

from proposals.commerce.models import CommerceReview, InformationRequest, LicenseGate, ScreeningHit
from proposals.core import page_cache
from proposals.evaluation.models import PanelMember
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import LineItem, Proposal, Site
from proposals.notify.selectors import inbox_unread_count

# Everything a Commerce queue row or its filters read.
COMMERCE_QUEUE_MODELS = (
    Proposal,
    Consortium,
    CommerceReview,
    LicenseGate,
    ScreeningHit,
    InformationRequest,
    Site,
    LineItem,
    PanelMember,  # a declared conflict takes the proposal off the reviewer's queue
)


def commerce_queue_changed(sender: Any, **kwargs: Any) -> None:
    page_cache.bump(page_cache.COMMERCE_QUEUE)


def inbox_count_warm(sender: Any, user: Any = None, **kwargs: Any) -> None:
    """At sign-in, cache the header's unread count: the pages that follow read it without a query."""
    if user is not None:
        inbox_unread_count(user)


def connect() -> None:
    user_logged_in.connect(inbox_count_warm, dispatch_uid="inbox-count-warm")
    for model in COMMERCE_QUEUE_MODELS:
        post_save.connect(commerce_queue_changed, sender=model, dispatch_uid=f"queue-save-{model.__name__}")
        post_delete.connect(commerce_queue_changed, sender=model, dispatch_uid=f"queue-del-{model.__name__}")
    m2m_changed.connect(
        commerce_queue_changed, sender=Proposal.target_countries.through, dispatch_uid="queue-targets"
    )
