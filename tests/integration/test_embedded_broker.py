"""The embedded broker `make run` uses (kombu's filesystem transport, exportai/broker.py) on a real worker:
a submission goes through intake into review and gets its license gates, and every file the broker
writes lives in its own folder (var/broker by default), none in the working tree."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from kombu import Connection

from exportai.broker import broker_transport, broker_transport_options
from proposals.commerce.models import LicenseGate
from proposals.core.enums import ProposalStatus
from proposals.demo import build_complete_proposal
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.tasks import intake_check_proposal
from tests.celery_worker import WorkerProcess, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

URL = "filesystem://"
DEADLINE = 90  # bounds a failure on a shared machine; never a timing assertion


@pytest.fixture
def embedded_worker(transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """A worker on every queue, on a filesystem broker in tmp_path/broker; yields that folder."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot open SQLite's in-memory test database")
    folder = tmp_path / "broker"
    worker = WorkerProcess(
        log_dir=tmp_path,
        env={"CELERY_BROKER_URL": URL, "EXPORTAI_BROKER_DIR": str(folder)},
    )
    worker.start()
    assert "exportai.broker:FilesystemTransport" in worker.log()
    try:
        yield folder
    finally:
        worker.stop()


def _publish_intake(folder: Path, proposal_id: int) -> None:
    """What enqueue_on_commit does after a submission, sent to the embedded broker in `folder`."""
    options = broker_transport_options(URL, folder=folder)
    with Connection(URL, transport=broker_transport(URL), transport_options=options) as conn:
        intake_check_proposal.apply_async(kwargs={"proposal_id": proposal_id}, connection=conn)


def test_embedded_broker_takes_a_submission_to_review_with_its_license_gates(
    embedded_worker, consortium, lead
):
    proposal = build_complete_proposal(consortium=consortium, lead=lead, title="UAE cluster")
    proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)

    _publish_intake(embedded_worker, proposal.pk)

    wait_until(
        lambda: LicenseGate.objects.filter(proposal=proposal).exists(),
        timeout=DEADLINE,
        message="intake, then Commerce's license determination, on the embedded broker",
    )
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.IN_REVIEW


def test_embedded_broker_files_live_in_its_folder_not_the_working_tree(embedded_worker):
    _publish_intake(embedded_worker, proposal_id=0)  # no such proposal: the task does nothing
    wait_until(
        lambda: not os.listdir(embedded_worker / "queues"), timeout=DEADLINE, message="the message taken"
    )

    assert sorted(os.listdir(embedded_worker)) == ["control", "queues"]
    assert {"intake.exchange", "commerce.exchange"} <= set(os.listdir(embedded_worker / "control"))
