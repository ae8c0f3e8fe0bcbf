"""The evaluation track's rows: a panel per proposal, its members' conflict declarations and score sheets.

The panel's state moves only through `proposals.core.engine.apply` (services.PANEL_TRACK). A member's
declaration and score sheet are their own: `has_conflict` None until declared; a sheet counts (and
lets its author read the others') once `submitted_at` is set.

The register shows a designated panel's `public_summary` and nothing else written here: `summary`,
`determination_reason` and every score and comment stay inside the government.
"""

from django.conf import settings
from django.db import models

from proposals.core.models.text import multiline_text
from proposals.core.policy.text import NOTE_MAX_CHARS, SECTION_MAX_CHARS
from proposals.evaluation.enums import PanelStatus


class Panel(models.Model):
    proposal = models.OneToOneField("Proposal", on_delete=models.CASCADE, related_name="panel")
    rubric = models.ForeignKey("Rubric", on_delete=models.PROTECT, related_name="panels")
    status = models.CharField(max_length=16, choices=PanelStatus.choices, default=PanelStatus.FORMING)
    stage_entered_at = models.DateTimeField()
    formed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = multiline_text(
        SECTION_MAX_CHARS, blank=True, help_text="The officer's panel summary (internal)."
    )
    public_summary = multiline_text(
        NOTE_MAX_CHARS, blank=True, help_text="What the public register says about a designated package."
    )
    determination_reason = multiline_text(NOTE_MAX_CHARS, blank=True)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    determined_at = models.DateTimeField(null=True, blank=True)
    designated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "stage_entered_at"], name="panel_status_age"),
            # The public register: designated packages, newest designation first.
            models.Index(fields=["-designated_at", "id"], name="panel_designated"),
        ]

    def __str__(self) -> str:
        return f"Panel on {self.proposal_id} ({self.get_status_display()})"


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )
    agency = models.CharField(max_length=16)  # the evaluator's agency when seated
    has_conflict = models.BooleanField(null=True, blank=True, help_text="Empty until declared.")
    conflict_statement = multiline_text(NOTE_MAX_CHARS, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["panel", "agency", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "evaluator"], name="panel_member_once"),
        ]
        indexes = [models.Index(fields=["evaluator", "has_conflict"], name="panel_member_evaluator")]

    def __str__(self) -> str:
        return f"{self.evaluator} on panel {self.panel_id}"

    @property
    def recused(self) -> bool:
        return bool(self.has_conflict)


class Score(models.Model):
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("Criterion", on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField()
    comment = multiline_text(NOTE_MAX_CHARS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "criterion"], name="score_once_per_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"
