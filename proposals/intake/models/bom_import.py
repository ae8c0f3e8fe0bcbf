"""A bill-of-materials import read by the intake worker: its stored upload, progress and result."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from proposals.intake.enums import ACTIVE_BOM_IMPORT_STATUSES, BomImportStatus


def bom_upload_to(instance: "BomImportJob", filename: str) -> str:
    # The user never chooses a stored name: the proposal, the checksum and the detected kind.
    return f"imports/{instance.proposal_id}/{instance.sha256[:16]}.{instance.kind}"


class BomImportJob(models.Model):
    """One uploaded file too large to read during the web request, and what became of it.

    The row is the work: the worker reads the stored file when its message arrives, and the sweeper
    sends the message again when the row has waited too long (`updated_at`), so a lost message only
    delays it. The file is deleted once the job has finished; its checksum and the result stay.
    """

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="bom_import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=BomImportStatus.choices, default=BomImportStatus.QUEUED)
    file = models.FileField(upload_to=bom_upload_to, blank=True)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, help_text="csv or xlsx, from the content")
    size = models.PositiveBigIntegerField(help_text="The upload's size in bytes.")
    sha256 = models.CharField("checksum (sha256)", max_length=64)
    rows_read = models.PositiveIntegerField(default=0)
    rows_estimate = models.PositiveIntegerField(default=0, help_text="Rows the file probably holds.")
    rows_imported = models.PositiveIntegerField(default=0)
    # Why the job failed, in plain words (with how many problems in how many rows); and the first row
    # errors, as the synchronous import lists them ({"row", "column", "message"}).
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on every change of state and progress: the sweeper's clock for a job that waits too long.
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One import at a time into a draft: two would both add their rows.
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(status__in=sorted(ACTIVE_BOM_IMPORT_STATUSES)),
                name="bom_import_one_active_per_proposal",
            )
        ]
        indexes = [
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=sorted(ACTIVE_BOM_IMPORT_STATUSES)),
                name="bom_import_active_updated",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in ACTIVE_BOM_IMPORT_STATUSES
