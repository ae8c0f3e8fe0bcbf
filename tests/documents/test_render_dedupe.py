"""One render in flight per paper and source: repeated downloads queue one render, a render another
worker is running is not started again, and a render is bounded (its data's size, its attempts)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.core.enums import GeneratedKind
from proposals.documents.models import GeneratedDocument, PaperRender
from proposals.documents.papers import PAPERS
from proposals.documents.selectors import owed_paper_renders
from proposals.documents.services.generated import generated_render, paper_context, source_checksum
from proposals.intake.selectors import owed_dossier
from tests.factories import TEST_PASSWORD
from tests.oncommit import sends

pytestmark = pytest.mark.django_db

DOSSIER = GeneratedKind.DOSSIER


def _url(proposal) -> str:
    return reverse("api-paper-download", kwargs={"proposal_id": proposal.pk, "kind": "dossier"})


def _source(proposal) -> str:
    return source_checksum(paper_context(PAPERS[DOSSIER], proposal, 0))


def _request(proposal, **fields) -> PaperRender:
    return PaperRender.objects.create(
        proposal=proposal,
        kind=DOSSIER,
        source_sha256=_source(proposal),
        requested_at=fields.pop("requested_at", timezone.now()),
        **fields,
    )


def test_repeated_downloads_queue_one_render(submitted, lead, api_client, django_capture_on_commit_callbacks):
    api_client.force_authenticate(lead)
    with django_capture_on_commit_callbacks(execute=False) as first:
        assert api_client.get(_url(submitted)).status_code == 202
    with django_capture_on_commit_callbacks(execute=False) as later:
        for _ in range(3):
            assert api_client.get(_url(submitted)).status_code == 202
    assert (len(sends(first)), len(sends(later))) == (1, 0)
    request = PaperRender.objects.get()
    assert (request.proposal_id, request.kind, request.source_sha256) == (
        submitted.pk,
        DOSSIER,
        _source(submitted),
    )


def test_a_download_of_changed_data_asks_for_a_new_render(
    submitted, lead, api_client, django_capture_on_commit_callbacks
):
    _request(submitted, requested_at=timezone.now() - timedelta(minutes=1))
    PaperRender.objects.update(source_sha256="0" * 64, attempts=2)  # asked for other data before
    api_client.force_authenticate(lead)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert api_client.get(_url(submitted)).status_code == 202
    assert len(sends(callbacks)) == 1
    request = PaperRender.objects.get()
    assert (request.source_sha256, request.attempts) == (_source(submitted), 0)


def test_stored_paper_ends_its_render_request(submitted):
    _request(submitted)
    assert generated_render(proposal_id=submitted.pk, kind=DOSSIER) == "rendered"
    assert (PaperRender.objects.count(), GeneratedDocument.objects.count()) == (0, 1)


def test_render_another_worker_is_running_is_not_started_again(submitted):
    _request(submitted, started_at=timezone.now(), attempts=1)
    assert generated_render(proposal_id=submitted.pk, kind=DOSSIER) == "in_flight"
    assert GeneratedDocument.objects.count() == 0


def test_render_started_longer_ago_than_its_time_limit_is_taken_over(submitted, settings):
    settings.EXPORTAI_PAPER_RENDER_SECONDS = 60
    _request(submitted, started_at=timezone.now() - timedelta(seconds=91), attempts=1)
    assert generated_render(proposal_id=submitted.pk, kind=DOSSIER) == "rendered"
    assert PaperRender.objects.count() == 0


def test_render_out_of_attempts_is_refused_with_the_reason(submitted, lead, client, settings):
    settings.EXPORTAI_PAPER_RENDER_ATTEMPTS = 3
    _request(submitted, attempts=3)
    assert generated_render(proposal_id=submitted.pk, kind=DOSSIER) == "refused"
    assert GeneratedDocument.objects.count() == 0
    assert PaperRender.objects.get().refused == (
        "It could not be prepared in 3 attempts of 120 seconds each; shorten the proposal's texts or its "
        "bill of materials, and it is prepared again."
    )
    client.login(username=lead.username, password=TEST_PASSWORD)
    page = client.get(reverse("paper-download", kwargs={"pk": submitted.pk, "kind": "dossier"}))
    assert page.status_code == 409
    html = page.content.decode()
    assert "cannot be prepared</h1>" in html
    assert "It could not be prepared in 3 attempts of 120 seconds each" in html


def test_paper_whose_data_is_too_large_is_refused_not_rendered(
    submitted, lead, api_client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTAI_PAPER_MAX_SOURCE_BYTES = 1000  # the dossier's data is several times this
    api_client.force_authenticate(lead)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.get(_url(submitted))
    assert response.status_code == 409
    assert response.json() == {
        "message": "The document cannot be prepared. Its data is larger than 1000\xa0bytes; shorten the "
        "proposal's texts or split its bill of materials, and it is prepared again.",
        "code": "not_renderable",
        "extra": {},
    }
    assert sends(callbacks) == []
    assert generated_render(proposal_id=submitted.pk, kind=DOSSIER) == "refused"
    assert GeneratedDocument.objects.count() == 0
    package = api_client.get(reverse("api-package-download", kwargs={"proposal_id": submitted.pk}))
    assert package.status_code == 409


def test_refused_dossier_is_not_owed_until_its_data_changes(submitted, lead, settings):
    later = timezone.now() + timedelta(days=1)
    assert list(owed_dossier(older_than=later)) == [submitted]
    settings.EXPORTAI_PAPER_MAX_SOURCE_BYTES = 100
    assert generated_render(proposal_id=submitted.pk, kind=DOSSIER) == "refused"
    assert list(owed_dossier(older_than=later)) == []
    assert list(owed_paper_renders(older_than=later)) == []


def test_owed_renders_are_the_queued_and_the_abandoned(submitted, settings):
    settings.EXPORTAI_PAPER_RENDER_SECONDS = 60
    now = timezone.now()
    queued = _request(submitted, requested_at=now - timedelta(minutes=10))
    running = PaperRender.objects.create(
        proposal=submitted,
        kind=GeneratedKind.LICENSE_LETTER,
        subject_id=7,
        source_sha256="1" * 64,
        requested_at=now - timedelta(minutes=10),
        started_at=now - timedelta(seconds=30),
    )
    cutoff = now - timedelta(minutes=5)
    assert list(owed_paper_renders(older_than=cutoff)) == [queued]
    PaperRender.objects.filter(pk=running.pk).update(started_at=now - timedelta(seconds=91))
    assert list(owed_paper_renders(older_than=cutoff)) == [queued, running]
    PaperRender.objects.filter(pk=queued.pk).update(refused="Too large.")
    assert list(owed_paper_renders(older_than=cutoff)) == [running]
