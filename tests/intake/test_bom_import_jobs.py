"""Bill-of-materials imports too large for a web request: stored as a job, read later, all or nothing.

Here the job is read in this process (`bom_import_job_run`, what the task calls); tests/integration/
test_bom_import_workers.py runs the same jobs on a real worker, with the sweeper and a lost message.
"""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from proposals.core.enums import ProposalStatus
from proposals.intake.enums import BomImportStatus
from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.models.proposal import LineItem, Proposal
from proposals.intake.policy.imports import (
    bom_import_in_background,
    bom_import_job_exhausted,
    bom_rows_estimate,
)
from proposals.intake.selectors import owed_bom_imports
from proposals.intake.services.bom_jobs import ImportInProgress, bom_import_job_run, bom_import_start
from tests.factories import ProposalFactory, line_item
from tests.oncommit import sends
from tests.security import hostile_files as files
from tests.security.hostile_files import BAD_ROW_CSV, good_csv

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "bom.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def _small_inline_limit(settings, tmp_path) -> None:
    """Files over 1 KB to parse go to the worker (the default is 8 KB; tests need not send that much)."""
    settings.BOM_IMPORT_INLINE_MAX_BYTES = 1024
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(consortium, lead) -> Proposal:
    return ProposalFactory(consortium=consortium, title="Bare draft", created_by=lead)


def start(draft, lead, content: bytes, name: str = "bom.csv"):
    return bom_import_start(proposal_id=draft.pk, actor=lead, upload=upload(content, name))


# --- the rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_bytes", "unpacked_bytes", "background"),
    [
        (1024, None, False),  # a CSV at the limit
        (1025, None, True),  # a CSV over it
        (900, 1024, False),  # an XLSX whose members unpack to the limit
        (900, 5_000_000, True),  # a small XLSX that unpacks to megabytes
        (2048, None, True),  # an XLSX over the limit is not even opened
    ],
)
def test_bom_import_in_background_decides_on_the_bytes_to_parse(file_bytes, unpacked_bytes, background):
    assert (
        bom_import_in_background(file_bytes=file_bytes, unpacked_bytes=unpacked_bytes, inline_max_bytes=1024)
        is background
    )


def test_bom_rows_estimate_scales_the_rows_read_by_the_bytes_left():
    assert bom_rows_estimate(rows_read=250, bytes_read=10_000, bytes_total=40_000) == 1000
    assert bom_rows_estimate(rows_read=250, bytes_read=40_000, bytes_total=40_000) == 250
    assert bom_rows_estimate(rows_read=0, bytes_read=0, bytes_total=40_000) == 0


def test_bom_import_job_exhausted_once_it_started_the_maximum_number_of_times():
    assert bom_import_job_exhausted(attempts=2, max_attempts=3) is False
    assert bom_import_job_exhausted(attempts=3, max_attempts=3) is True


# --- where a file is read -----------------------------------------------------------------------


def test_small_file_is_imported_during_the_request(draft, lead):
    started = start(draft, lead, good_csv(3))

    assert (started.imported, started.job) == (3, None)
    assert LineItem.objects.filter(proposal=draft).count() == 3
    assert BomImportJob.objects.count() == 0


def test_small_xlsx_that_unpacks_past_the_limit_goes_to_the_worker(draft, lead, settings):
    settings.BOM_IMPORT_INLINE_MAX_BYTES = 64 * 1024
    content = files.wide_row_xlsx()  # 40 KB compressed, megabytes of XML
    assert len(content) < 64 * 1024

    started = start(draft, lead, content, "bom.xlsx")

    assert started.imported is None
    assert (started.job.kind, started.job.status) == ("xlsx", BomImportStatus.QUEUED)


def test_large_file_is_stored_with_its_checksum_and_queued_after_commit(
    draft, lead, django_capture_on_commit_callbacks
):
    content = good_csv(40)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(draft, lead, content, "../My BOM.csv").job

    job.refresh_from_db()
    assert (job.status, job.original_name, job.kind, job.size) == (
        "queued",
        "My BOM.csv",
        "csv",
        len(content),
    )
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.file.name == f"imports/{draft.pk}/{job.sha256[:16]}.csv"
    assert default_storage.open(job.file.name).read() == content
    assert len(sends(callbacks)) == 1  # intake_import_bom(job_id=...), once committed
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_large_file_refused_before_storing_when_it_is_no_spreadsheet(draft, lead):
    with pytest.raises(Exception, match="upload a CSV or XLSX file"):
        start(draft, lead, b"%PDF-1.4\n" + b"x" * 4000, "bom.csv")

    assert BomImportJob.objects.count() == 0


def test_second_large_import_while_one_is_being_read_is_refused(draft, lead):
    first = start(draft, lead, good_csv(40)).job

    with pytest.raises(ImportInProgress) as refused:
        start(draft, lead, good_csv(50))

    assert refused.value.extra == {"job": first.pk}
    assert BomImportJob.objects.count() == 1


# --- the worker's reading -----------------------------------------------------------------------


def test_job_adds_every_row_records_the_result_and_deletes_its_file(
    draft, lead, django_capture_on_commit_callbacks
):
    job = start(draft, lead, good_csv(600)).job
    stored = job.file.name

    with django_capture_on_commit_callbacks(execute=True):  # the file is deleted once committed
        assert bom_import_job_run(job_id=job.pk) == "succeeded"

    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_estimate, job.rows_imported) == ("succeeded", 600, 600, 600)
    assert (job.attempts, job.message, job.errors, job.file.name) == (1, "", [], "")
    assert job.finished_at is not None
    assert not default_storage.exists(stored)
    assert LineItem.objects.filter(proposal=draft).count() == 600


def test_job_run_a_second_time_changes_nothing(draft, lead):
    job = start(draft, lead, good_csv(40)).job
    bom_import_job_run(job_id=job.pk)

    assert bom_import_job_run(job_id=job.pk) == "already succeeded"
    assert LineItem.objects.filter(proposal=draft).count() == 40


def test_job_with_bad_rows_fails_with_its_row_errors_and_changes_nothing(draft, lead):
    line_item(draft)
    bad = good_csv(40) + BAD_ROW_CSV
    job = start(draft, lead, bad).job

    assert bom_import_job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == BomImportStatus.FAILED
    assert job.message.startswith("Nothing was imported: 3 problem(s) in 1 row(s).")
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (42, "layer"),
        (42, "quantity"),
        (42, "unit_value"),
    ]
    assert list(LineItem.objects.filter(proposal=draft).values_list("description", flat=True)) == ["Kept"]


def test_hostile_job_fails_with_the_reason(draft, lead, settings):
    # Refused for its rows, not its time: the CPU budget out of the way on a loaded machine.
    settings.BOM_IMPORT_CPU_SECONDS = 300
    job = start(draft, lead, files.huge_numbers_csv()).job

    bom_import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == (
        "failed",
        "The file has more than 5,000 line items; the limit is 5,000.",
    )
    assert LineItem.objects.count() == 0


def test_job_fails_when_the_proposal_was_submitted_meanwhile(draft, lead):
    job = start(draft, lead, good_csv(40)).job
    Proposal.objects.filter(pk=draft.pk).update(status=ProposalStatus.SUBMITTED)

    assert bom_import_job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.message == (
        "Nothing was imported. This proposal is submitted (automated intake) and can no longer be edited."
    )
    assert LineItem.objects.count() == 0


def test_job_being_read_by_another_worker_is_left_alone(draft, lead):
    job = start(draft, lead, good_csv(40)).job
    BomImportJob.objects.filter(pk=job.pk).update(status=BomImportStatus.RUNNING, attempts=1)

    assert bom_import_job_run(job_id=job.pk) == "being read by another worker"
    assert LineItem.objects.count() == 0


def test_job_that_stopped_too_often_is_failed_with_the_reason(draft, lead, settings):
    job = start(draft, lead, good_csv(40)).job
    BomImportJob.objects.filter(pk=job.pk).update(
        status=BomImportStatus.RUNNING, attempts=3, updated_at=timezone.now() - timedelta(hours=1)
    )

    assert bom_import_job_run(job_id=job.pk) == "failed: gave up"

    job.refresh_from_db()
    assert job.status == BomImportStatus.FAILED
    assert job.message.startswith(
        "Reading the file stopped before it finished 3 times; nothing was imported."
    )
    assert LineItem.objects.count() == 0


def test_jobs_waiting_too_long_are_owed_work(draft, lead, consortium, settings):
    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 300
    stale = start(draft, lead, good_csv(40)).job
    other = ProposalFactory(consortium=consortium, created_by=lead)
    fresh = start(other, lead, good_csv(40)).job
    done = ProposalFactory(consortium=consortium, created_by=lead)
    finished = start(done, lead, good_csv(40)).job
    bom_import_job_run(job_id=finished.pk)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    BomImportJob.objects.filter(pk__in=[stale.pk, finished.pk]).update(updated_at=an_hour_ago)

    # The fresh job is owed too, but not yet for too long; the finished one owes nothing.
    assert list(owed_bom_imports(older_than=timezone.now() - timedelta(seconds=300))) == [stale]
    assert list(owed_bom_imports(older_than=timezone.now() + timedelta(seconds=1))) == [stale, fresh]


# --- the pages and the API ----------------------------------------------------------------------


def page_url(job: BomImportJob) -> str:
    return reverse("proposal-items-import-job", kwargs={"pk": job.proposal_id, "job_pk": job.pk})


def test_web_upload_of_a_large_file_goes_to_its_progress_page(draft, lead):
    client = Client()
    client.force_login(lead)

    response = client.post(
        reverse("proposal-items-import", kwargs={"pk": draft.pk}), {"file": upload(good_csv(40))}
    )

    job = BomImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(job)
    page = client.get(page_url(job)).content.decode()
    assert 'id="import-progress"' in page
    assert f'hx-get="{page_url(job)}" hx-trigger="every 2s"' in page
    assert "Waiting for its turn to be read" in page
    # The import page points at the import being read instead of taking a second one.
    form = client.get(reverse("proposal-items-import", kwargs={"pk": draft.pk})).content.decode()
    assert f'href="{page_url(job)}">See its progress' in form


def test_web_progress_shows_the_rows_read_of_the_estimate(draft, lead):
    job = start(draft, lead, good_csv(40)).job
    BomImportJob.objects.filter(pk=job.pk).update(status="running", rows_read=1200, rows_estimate=5000)
    client = Client()
    client.force_login(lead)

    fragment = client.get(page_url(job), HTTP_HX_REQUEST="true").content.decode()

    assert fragment.startswith('<div id="import-job" hx-get=')
    assert 'max="5000" value="1200"' in fragment
    assert "1,200 rows read of about 5,000." in fragment


def test_web_poll_of_a_finished_job_reloads_the_page_which_shows_the_row_errors(draft, lead):
    job = start(draft, lead, good_csv(40) + b"quantum,x,y,US,3A090,1,1,0,\n").job
    bom_import_job_run(job_id=job.pk)
    client = Client()
    client.force_login(lead)

    poll = client.get(page_url(job), HTTP_HX_REQUEST="true")
    page = client.get(page_url(job)).content.decode()

    assert poll["HX-Refresh"] == "true"
    assert "Nothing was imported" in page and "hx-trigger" not in page.split('id="import-job"')[1][:200]
    assert "“quantum” is not a layer" in page
    assert "<td>42</td><td><code>layer</code></td>" in page


def test_web_second_large_upload_is_a_field_error(draft, lead):
    start(draft, lead, good_csv(40))
    client = Client()
    client.force_login(lead)

    response = client.post(
        reverse("proposal-items-import", kwargs={"pk": draft.pk}), {"file": upload(good_csv(50))}
    )

    assert response.status_code == 200
    assert "is still being imported into this proposal" in response.content.decode()


def test_api_large_import_answers_202_with_the_job_url_then_its_result(draft, lead):
    api = APIClient()
    api.force_authenticate(lead)

    response = api.post(
        f"/api/proposals/{draft.pk}/line-items/import/", {"file": upload(good_csv(40))}, format="multipart"
    )
    job = BomImportJob.objects.get()
    url = f"/api/proposals/{draft.pk}/line-items/imports/{job.pk}/"

    assert response.status_code == 202
    assert response["Location"] == url
    assert {k: response.json()[k] for k in ("id", "url", "status", "rows_read", "started_at")} == {
        "id": job.pk,
        "url": url,
        "status": "queued",
        "rows_read": 0,
        "started_at": None,
    }
    bom_import_job_run(job_id=job.pk)
    result = api.get(url).json()
    assert {k: result[k] for k in ("status", "rows_imported", "message", "errors", "delayed")} == {
        "status": "succeeded",
        "rows_imported": 40,
        "message": "",
        "errors": [],
        "delayed": False,
    }


def test_api_second_large_import_is_a_409(draft, lead):
    start(draft, lead, good_csv(40))
    api = APIClient()
    api.force_authenticate(lead)

    response = api.post(
        f"/api/proposals/{draft.pk}/line-items/import/", {"file": upload(good_csv(50))}, format="multipart"
    )

    assert (response.status_code, response.json()["code"]) == (409, "import_in_progress")


def test_only_the_proposals_consortium_sees_an_import(draft, lead, viewer, outsider, commerce_reviewer):
    job = start(draft, lead, good_csv(40)).job
    Proposal.objects.filter(pk=draft.pk).update(status=ProposalStatus.IN_REVIEW, revision_number=1)
    answers = {}
    for name, user in (("viewer", viewer), ("outsider", outsider), ("commerce", commerce_reviewer)):
        web, api = Client(), APIClient()
        web.force_login(user)
        api.force_authenticate(user)
        answers[name] = (
            web.get(page_url(job)).status_code,
            api.get(f"/api/proposals/{draft.pk}/line-items/imports/{job.pk}/").status_code,
        )

    # Commerce sees the submitted proposal, never the files it was drafted from.
    assert answers == {"viewer": (200, 200), "outsider": (404, 404), "commerce": (404, 404)}
