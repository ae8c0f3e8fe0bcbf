"""Intake's own choices: the states of a bill-of-materials import that runs on the intake worker."""

from django.db import models


class BomImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be read"
    RUNNING = "running", "Being read"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Not imported"


# The worker still owes these jobs their reading (the sweeper sends them again when they wait too long).
ACTIVE_BOM_IMPORT_STATUSES = frozenset({BomImportStatus.QUEUED, BomImportStatus.RUNNING})
FINISHED_BOM_IMPORT_STATUSES = frozenset({BomImportStatus.SUCCEEDED, BomImportStatus.FAILED})
