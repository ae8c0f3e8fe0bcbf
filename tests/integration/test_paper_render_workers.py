"""Downloads and the documents worker: with a real broker and worker, repeated download requests
for a paper being prepared queue one render, and the worker runs it once."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from proposals.core.enums import GeneratedKind
from proposals.demo import build_complete_proposal
from proposals.documents.models import GeneratedDocument, PaperRender
from proposals.intake.services.transitions import proposal_transition
from tests.celery_worker import broker_backlog, broker_idle, broker_purge, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 120  # generous on a shared machine: it bounds a failure, it is not a timing assertion
RENDERED = re.compile(r"proposals\.documents\.tasks\.document_render\[[^\]]+\] succeeded in [^:]+: '(\w+)'")


@pytest.fixture(autouse=True)
def _designation_not_required(request) -> None:
    from tests.conftest import designation_requirement

    designation_requirement(request, required=False)


def test_two_download_requests_create_one_render(worker_factory, consortium, lead):
    proposal = build_complete_proposal(consortium=consortium, lead=lead, title="UAE cluster")
    proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    broker_purge()  # the render the submission sent is lost: only the downloads ask for one
    api = APIClient()
    api.force_authenticate(lead)
    url = reverse("api-paper-download", kwargs={"proposal_id": proposal.pk, "kind": "dossier"})

    assert [api.get(url).status_code, api.get(url).status_code] == [202, 202]
    assert broker_backlog()["documents"] == 1
    assert PaperRender.objects.filter(proposal=proposal).count() == 1

    worker = worker_factory(queues=("documents",), concurrency=2)
    wait_until(
        lambda: GeneratedDocument.objects.filter(proposal=proposal, kind=GeneratedKind.DOSSIER).exists(),
        timeout=DEADLINE,
        message="the dossier to be rendered",
    )
    wait_until(broker_idle, timeout=DEADLINE, message="the documents queue to be empty")
    assert RENDERED.findall(worker.log()) == ["rendered"]
    assert PaperRender.objects.filter(proposal=proposal).count() == 0
    response = api.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
