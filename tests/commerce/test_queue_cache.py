"""The Commerce queue's page cache: served again without queries until something it shows changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.commerce.models import CommerceReview
from proposals.commerce.services.review import review_assign, review_clock_refresh

pytestmark = pytest.mark.django_db

URL = "commerce-queue"


@pytest.fixture(autouse=True)
def _page_cache_on(settings) -> None:
    settings.EXPORTAI_PAGE_CACHE_SECONDS = 300


@pytest.fixture
def reviewing(client, commerce_reviewer):
    client.force_login(commerce_reviewer)
    client.get(reverse(URL))  # as a browser: the first page sets the CSRF cookie the cache key needs
    return client


def _queue_queries(client) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(URL))
    assert response.status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if "proposals_proposal" in q["sql"]]
    return len(reads), response.content


def test_commerce_queue_page_is_served_from_cache_until_a_change(
    reviewing, in_review, commerce_reviewer, django_capture_on_commit_callbacks
):
    first, page = _queue_queries(reviewing)
    again, cached = _queue_queries(reviewing)
    assert first > 0 and again == 0
    assert cached == page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review_assign(proposal_id=in_review.pk, reviewer_id=commerce_reviewer.pk, actor=commerce_reviewer)
    assert _queue_queries(reviewing)[0] == 0  # not yet committed: the cached page still stands
    for callback in callbacks:  # the commit
        callback()
    after, fresh = _queue_queries(reviewing)
    assert after > 0
    assert b"Assign to me" in page and b"Assign to me" not in fresh


def test_commerce_queue_cache_is_invalidated_by_bulk_clock_refresh(
    reviewing, in_review, django_capture_on_commit_callbacks
):
    _queue_queries(reviewing)
    with django_capture_on_commit_callbacks(execute=True):
        CommerceReview.objects.filter(proposal=in_review).update(clock_days=0)  # no signal: stays cached
    assert _queue_queries(reviewing)[0] == 0
    with django_capture_on_commit_callbacks(execute=True):
        review_clock_refresh(proposal_ids=[in_review.pk])  # bulk_update, bumps the generation itself
    assert _queue_queries(reviewing)[0] > 0


def test_commerce_queue_cache_is_per_session(client, reviewing, in_review, commerce_reviewer):
    _queue_queries(reviewing)
    client.logout()
    other = type(reviewing)()
    other.force_login(commerce_reviewer)
    other.get(reverse(URL))
    assert _queue_queries(other)[0] > 0  # another session renders its own page (its own CSRF tokens)


def test_commerce_queue_cache_is_off_when_seconds_is_zero(reviewing, in_review, settings):
    settings.EXPORTAI_PAGE_CACHE_SECONDS = 0
    _queue_queries(reviewing)
    assert _queue_queries(reviewing)[0] > 0


def test_commerce_queue_cache_never_hides_a_flash_message(reviewing, in_review):
    _queue_queries(reviewing)
    # A refused action changes nothing (the cached page stays current) but redirects back to the
    # queue with its error message: the page must be rendered to show it.
    response = reviewing.post(
        reverse("commerce-assign", args=[in_review.pk]), {"who": "not-a-user", "next": "queue"}, follow=True
    )
    assert response.status_code == 200
    assert b"Choose a reviewer." in response.content
    assert _queue_queries(reviewing)[0] == 0  # and the next plain visit is served from the cache again


def test_commerce_queue_generation_is_replaced_once_per_transaction(
    in_review, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from proposals.core import page_cache

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for _ in range(3):
            page_cache.bump(page_cache.COMMERCE_QUEUE)
    assert len([c for c in callbacks if getattr(c, "page_cache_name", None)]) == 1
