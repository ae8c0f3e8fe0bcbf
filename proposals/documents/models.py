"""Papers the portal generates (dossier, letters): stored with their checksum and source revision."""

from django.db import models

from proposals.core.enums import GeneratedKind


def generated_upload_to(instance: "GeneratedDocument", filename: str) -> str:
    subject = f"-{instance.subject_id}" if instance.subject_id else ""
    return (
        f"generated/{instance.proposal_id}/{instance.kind}{subject}"
        f"-r{instance.revision}-{instance.sha256[:16]}.pdf"
    )


class GeneratedDocument(models.Model):
    """The current rendering of one paper; re-rendered in place when its source changes."""

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="generated_documents")
    kind = models.CharField(max_length=32, choices=GeneratedKind.choices)
    # The track object a letter is about (a gate or deal id); 0 for papers about the whole proposal.
    subject_id = models.PositiveBigIntegerField(default=0)
    revision = models.PositiveIntegerField(help_text="The proposal revision it was made from.")
    # sha256 of the data it was rendered from: equal means the paper is current and is not redone.
    source_sha256 = models.CharField(max_length=64)
    sha256 = models.CharField("checksum (sha256)", max_length=64)
    file = models.FileField(upload_to=generated_upload_to)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "kind", "subject_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind", "subject_id"], name="generated_document_once_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} r{self.revision} ({self.proposal_id})"


class PaperRender(models.Model):
    """A render of one paper that was asked for and is not stored yet: one row per paper, so however
    many downloads ask while it is prepared, one render is queued and one runs.

    The row is the record of the accepted work: the sweeper (intake.workflow.OWED_WORK) sends a render
    again whose message was lost or whose worker died, and the row is deleted when the paper of its
    source is stored. A paper that cannot be rendered (its data too large, or every attempt stopped at
    the time limit) keeps its row with `refused` saying why, until its data changes.
    """

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="paper_renders")
    kind = models.CharField(max_length=32, choices=GeneratedKind.choices)
    subject_id = models.PositiveBigIntegerField(default=0)
    # The data asked for (GeneratedDocument.source_sha256 once stored); other data starts a new render.
    source_sha256 = models.CharField(max_length=64)
    requested_at = models.DateTimeField()
    # When a worker last started rendering it (empty while queued, and after an attempt that failed).
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    refused = models.CharField(max_length=300, blank=True, help_text="Why it is not rendered, if so.")

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind", "subject_id"], name="paper_render_once_per_paper"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of proposal {self.proposal_id} ({self.refused or 'pending'})"
