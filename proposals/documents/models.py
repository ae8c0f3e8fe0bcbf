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
