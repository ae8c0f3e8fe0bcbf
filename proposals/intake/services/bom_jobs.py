"""Bill-of-materials imports too large for a web request: stored as a job, read by the intake worker.

`bom_import_start` is what the web and the API call. A small file (BOM_IMPORT_INLINE_MAX_BYTES of
bytes to parse) is imported at once, as before; a larger one is stored with its checksum as a
`BomImportJob` and `intake_import_bom` is sent after commit. The worker (`bom_import_job_run`) reads
the stored file with the same bounded parser, writing its progress on the row as it goes, then adds
every line item or none, in the same transaction that marks the job done. A failed job keeps why
(and the row errors) and changes nothing in the draft.

The row is the work, the message only a nudge: a job that waits too long (its `updated_at`) is sent
again by the sweeper (`workflow.OWED_WORK`); a job whose reading never finishes after
BOM_IMPORT_JOB_MAX_ATTEMPTS starts (the file kills the worker) is failed with that reason.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from proposals.core.engine import enqueue_on_commit
from proposals.core.errors import ApplicationError, InvalidInput
from proposals.intake.enums import ACTIVE_BOM_IMPORT_STATUSES, BomImportStatus
from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.models.proposal import Proposal
from proposals.intake.policy.imports import (
    bom_import_in_background,
    bom_import_job_exhausted,
    bom_rows_estimate,
)
from proposals.intake.selectors import stale_cutoff
from proposals.intake.services.bom_import import bom_import, bom_measure, bom_parse
from proposals.intake.services.drafting import line_items_replace_from_import, locked_editable_proposal

log = logging.getLogger(__name__)

IMPORT_TASK = "proposals.intake.tasks.intake_import_bom"
# The job row's progress is written at most this often (one UPDATE each time).
PROGRESS_WRITE_SECONDS = 0.5


class ImportInProgress(ApplicationError):
    """The proposal already has an import being read (HTTP 409): one at a time, since both would add."""

    status_code = 409
    code = "import_in_progress"


@dataclass(frozen=True)
class BomImportStarted:
    """What an upload became: `imported` line items at once, or a `job` the worker reads."""

    imported: int | None = None
    job: BomImportJob | None = None


def bom_import_start(*, proposal_id: int, actor: Any, upload: File) -> BomImportStarted:
    """Import a small file now; store a larger one as a job for the intake worker."""
    with transaction.atomic():
        locked_editable_proposal(proposal_id=proposal_id, actor=actor)  # refuse before reading anything
    kind, unpacked = bom_measure(upload)
    if not bom_import_in_background(
        file_bytes=upload.size or 0,
        unpacked_bytes=unpacked,
        inline_max_bytes=settings.BOM_IMPORT_INLINE_MAX_BYTES,
    ):
        return BomImportStarted(imported=bom_import(proposal_id=proposal_id, actor=actor, upload=upload))
    return BomImportStarted(
        job=bom_import_job_create(proposal_id=proposal_id, actor=actor, upload=upload, kind=kind)
    )


def _checksum(upload: File) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def bom_import_job_create(*, proposal_id: int, actor: Any, upload: File, kind: str) -> BomImportJob:
    """Store the upload (under a name the user does not choose) and queue its reading after commit."""
    name = PurePath((upload.name or "").replace("\\", "/")).name[:200] or f"bom.{kind}"
    sha256 = _checksum(upload)
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        running = BomImportJob.objects.filter(
            proposal=proposal, status__in=ACTIVE_BOM_IMPORT_STATUSES
        ).first()
        if running is not None:
            raise ImportInProgress(
                f"The file “{running.original_name}” is still being imported into this proposal; "
                "wait for it to finish, then send this one.",
                extra={"job": running.pk},
            )
        job = BomImportJob(
            proposal=proposal,
            created_by=actor,
            original_name=name,
            kind=kind,
            size=upload.size or 0,
            sha256=sha256,
            updated_at=timezone.now(),
        )
        job.file.save(f"bom.{kind}", upload, save=False)
        try:  # if the row cannot be written, remove the file just stored
            job.save()
        except Exception:
            job.file.delete(save=False)
            raise
        enqueue_on_commit(IMPORT_TASK, job_id=job.pk)
    return job


class _ProgressWriter:
    """bom_parse's progress callback: rows read and the estimate on the job row, at most twice a second."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.next_write = 0.0

    def __call__(self, rows: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now < self.next_write:
            return
        self.next_write = now + PROGRESS_WRITE_SECONDS
        BomImportJob.objects.filter(pk=self.job_id, status=BomImportStatus.RUNNING).update(
            rows_read=rows,
            rows_estimate=bom_rows_estimate(rows_read=rows, bytes_read=done, bytes_total=total),
            updated_at=timezone.now(),
        )


def _finish(job: BomImportJob, status: str, *, message: str = "", errors: list | None = None) -> None:
    """Write the job's end (the caller holds its lock) and delete its file once that is committed."""
    now = timezone.now()
    job.status = status
    job.message = message
    job.errors = errors or []
    job.finished_at = job.updated_at = now
    stored = job.file.name
    job.file = ""
    job.save(
        update_fields=[
            "status",
            "message",
            "errors",
            "rows_read",
            "rows_estimate",
            "rows_imported",
            "file",
            "finished_at",
            "updated_at",
        ]
    )
    if stored:
        storage = BomImportJob._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))


def _fail(job_id: int, message: str, errors: list | None = None) -> str:
    with transaction.atomic():
        job = BomImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return "already finished"
        _finish(job, BomImportStatus.FAILED, message=message, errors=errors)
    return "failed"


def _claim(job_id: int) -> BomImportJob | str:
    """Mark the job running (one more attempt), or say why this delivery has nothing to do."""
    with transaction.atomic():
        job = BomImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "gone"
        if job.is_finished:
            return f"already {job.status}"
        if job.status == BomImportStatus.RUNNING and job.updated_at >= stale_cutoff():
            return "being read by another worker"  # its progress is recent: not presumed lost yet
        if bom_import_job_exhausted(attempts=job.attempts, max_attempts=settings.BOM_IMPORT_JOB_MAX_ATTEMPTS):
            _finish(
                job,
                BomImportStatus.FAILED,
                message=(
                    f"Reading the file stopped before it finished {job.attempts} times; nothing was "
                    "imported. Split it into smaller files and import them one by one."
                ),
            )
            return "failed: gave up"
        job.status = BomImportStatus.RUNNING
        job.attempts += 1
        job.started_at = job.updated_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return job


def bom_import_job_run(*, job_id: int) -> str:
    """Read the job's stored file and add its line items, all or none; a second delivery does nothing."""
    job = _claim(job_id)
    if isinstance(job, str):
        return job
    if job.created_by is None:
        return _fail(job_id, "The account that sent the file no longer exists; nothing was imported.")
    try:
        proposal = Proposal.objects.get(pk=job.proposal_id)
        with job.file.open("rb") as stored:
            rows = bom_parse(
                proposal=proposal,
                upload=File(stored, name=f"bom.{job.kind}"),
                progress=_ProgressWriter(job_id),
            )
    except InvalidInput as exc:
        return _fail(job_id, exc.message, exc.extra.get("rows", []))
    except Proposal.DoesNotExist:
        return "gone"  # the proposal was deleted, and its jobs with it
    except FileNotFoundError:
        log.error("bill-of-materials import %s: its stored file is missing", job_id)
        return _fail(job_id, "The stored file could not be found; nothing was imported. Send it again.")
    with transaction.atomic():
        job = BomImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "gone"
        if job.is_finished:
            return f"already {job.status}"  # another delivery finished it meanwhile
        job.rows_read = job.rows_estimate = len(rows)
        try:
            # Its own savepoint: a refusal undoes every line item, and the job still records why.
            job.rows_imported = line_items_replace_from_import(
                proposal_id=job.proposal_id, actor=job.created_by, rows=rows
            )
        except (ApplicationError, PermissionDenied) as exc:
            _finish(job, BomImportStatus.FAILED, message=f"Nothing was imported. {_reason(exc)}")
            return "failed"
        _finish(job, BomImportStatus.SUCCEEDED)
    return "succeeded"


def _reason(exc: Exception) -> str:
    return getattr(exc, "message", "") or str(exc) or "You may no longer edit this proposal."
