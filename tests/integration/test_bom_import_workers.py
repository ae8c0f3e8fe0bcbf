"""Bill-of-materials imports on a real intake worker: progress then result, a hostile file failed with
its reason, and a lost message finished by the sweeper, exactly once."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from proposals.intake.enums import BomImportStatus
from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.models.proposal import LineItem
from proposals.intake.services.bom_jobs import bom_import_start
from tests.celery_worker import (
    broker_backlog,
    broker_idle,
    broker_purge,
    lock_waiters,
    row_locked,
    wait_until,
)
from tests.factories import ProposalFactory, line_item
from tests.security import hostile_files as files

pytestmark = pytest.mark.django_db(transaction=True)

# Generous: the machine is shared; a deadline only bounds a failure, it is never a timing assertion.
DEADLINE = 120
SWEEPER = {"EXPORTAI_SWEEPER_INTERVAL_SECONDS": "1", "EXPORTAI_SWEEPER_STALE_AFTER_SECONDS": "1"}
SWEPT = re.compile(r"intake_sweep_owed_work\[[^\]]+\] succeeded")


def large_csv(rows: int) -> bytes:
    content = files.good_csv(rows)
    assert len(content) > 8 * 1024  # over the default BOM_IMPORT_INLINE_MAX_BYTES: read by the worker
    return content


def job_of(draft, lead, content: bytes, name: str = "bom.csv") -> BomImportJob:
    started = bom_import_start(proposal_id=draft.pk, actor=lead, upload=SimpleUploadedFile(name, content))
    assert started.job is not None
    return started.job


def finished(job: BomImportJob) -> BomImportJob | None:
    job.refresh_from_db()
    return job if job.is_finished else None


@pytest.fixture
def draft(consortium, lead):
    return ProposalFactory(consortium=consortium, title="Bare draft", created_by=lead)


def test_worker_import_shows_progress_then_the_result(worker_factory, draft, lead):
    job = job_of(draft, lead, large_csv(3000))
    client = Client()
    client.force_login(lead)
    page = reverse("proposal-items-import-job", kwargs={"pk": draft.pk, "job_pk": job.pk})

    # The draft's row is held, so the worker stops where it adds the rows: after reading the file.
    with row_locked("proposals_proposal", draft.pk):
        worker_factory(queues=("intake",), concurrency=1)

        def reading_done():
            if lock_waiters() < 1:  # once it waits for the draft, its progress no longer moves
                return False
            job.refresh_from_db()
            return job.rows_read

        wait_until(
            reading_done, timeout=DEADLINE, message="the worker to read the file and wait for the draft"
        )
        assert job.status == BomImportStatus.RUNNING
        assert 0 < job.rows_read <= job.rows_estimate
        progress = client.get(page, HTTP_HX_REQUEST="true").content.decode()
        assert f'max="{job.rows_estimate}" value="{job.rows_read}"' in progress
        assert LineItem.objects.filter(proposal=draft).count() == 0

    job = wait_until(lambda: finished(job), timeout=DEADLINE, message="the import to finish")
    assert (job.status, job.rows_read, job.rows_imported, job.attempts) == ("succeeded", 3000, 3000, 1)
    assert LineItem.objects.filter(proposal=draft).count() == 3000
    assert client.get(page, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert "3,000 line items added from “bom.csv”." in client.get(page).content.decode()


def test_worker_hostile_import_fails_with_the_reason_and_leaves_the_draft_unchanged(
    worker_factory, draft, lead, consortium
):
    line_item(draft, description="Already there")
    too_many = job_of(draft, lead, files.huge_numbers_csv())
    other = ProposalFactory(consortium=consortium, title="Second draft", created_by=lead)
    wide = job_of(other, lead, files.wide_row_xlsx(), "bom.xlsx")

    # The 5,001-row file must be refused for its rows, not its time: the CPU budget out of the way
    # (reading it takes about a fifth of the usual budget, more on a loaded CI machine).
    worker_factory(queues=("intake",), concurrency=1, env={"BOM_IMPORT_CPU_SECONDS": "300"})

    too_many = wait_until(lambda: finished(too_many), timeout=DEADLINE, message="the 5,001-row file")
    wide = wait_until(lambda: finished(wide), timeout=DEADLINE, message="the one-wide-row workbook")
    assert (too_many.status, too_many.message) == (
        "failed",
        "The file has more than 5,000 line items; the limit is 5,000.",
    )
    # Its row's cells are all "1": refused for its row's errors (read to the end, the budget out of
    # the way; reading it takes ~1.2 s, near the usual 1.5 s budget).
    assert wide.status == "failed"
    assert wide.message.startswith("Nothing was imported: ")
    assert list(LineItem.objects.values_list("description", flat=True)) == ["Already there"]


def test_worker_import_whose_message_was_lost_is_finished_once_by_the_sweeper(worker_factory, draft, lead):
    job = job_of(draft, lead, large_csv(2000))
    assert broker_backlog()["intake"] == 1
    broker_purge()  # the message is lost
    assert broker_idle()

    worker = worker_factory(queues=("intake",), concurrency=1, beat=True, env=SWEEPER)

    job = wait_until(lambda: finished(job), timeout=DEADLINE, message="the sweeper to resend the import")
    start = len(SWEPT.findall(worker.log()))
    wait_until(
        lambda: len(SWEPT.findall(worker.log())) >= start + 2, timeout=DEADLINE, message="two more sweeps"
    )
    assert (job.status, job.rows_imported) == ("succeeded", 2000)
    assert LineItem.objects.filter(proposal=draft).count() == 2000
    assert BomImportJob.objects.get(pk=job.pk).attempts == 1
