"""Consortia, the companies in them, and the portal users who act for them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from proposals.core.enums import ConsortiumUserRole, Layer, MemberRole
from proposals.core.models.text import one_line_text
from proposals.core.models.versioned import Versioned
from proposals.core.policy.text import NAME_MAX_CHARS


class Company(models.Model):
    """A legal entity as one consortium entered it (`entered_by`).

    Each consortium keeps its own record of a company: another consortium adding the same name gets its
    own record, never these details (services.consortium.member_add). Only the program administrator
    links one record into several consortia (the admin), and such a shared record is then changed
    only by them.
    """

    legal_name = one_line_text(NAME_MAX_CHARS)
    country_of_incorporation = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="+")
    principal_place_of_business = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="+")
    ultimate_parent = one_line_text(NAME_MAX_CHARS, blank=True, help_text="Leave blank if none.")
    ultimate_parent_country = models.ForeignKey(
        "Country", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_by = models.ForeignKey(
        "Consortium",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="companies_entered",
        help_text="The consortium that entered these details: only it finds the company by name.",
    )

    class Meta:
        ordering = ["legal_name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.legal_name


class Owner(models.Model):
    """A shareholder of a member's company or of a party to the export, with the share it holds.

    Screening reads the owners' names, and the affiliates rule (commerce.policy.ownership) their
    shares. The owners of one entity hold more than 0 and at most 100% each and at most 100% together
    (commerce.policy.ownership.ownership_share_errors, applied by intake.services.ownership).
    """

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="owners"
    )
    party = models.ForeignKey("Party", on_delete=models.CASCADE, null=True, blank=True, related_name="owners")
    name = one_line_text(NAME_MAX_CHARS)
    country = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(
        "share (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["-percent", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=False, party__isnull=True)
                | models.Q(company__isnull=True, party__isnull=False),
                name="owner_of_one_entity",
            ),
            models.CheckConstraint(
                condition=models.Q(percent__gt=0, percent__lte=100), name="owner_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.percent.normalize():f}%)"


class Consortium(models.Model):
    name = one_line_text(NAME_MAX_CHARS, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "consortia"

    def __str__(self) -> str:
        return self.name


class ConsortiumMember(Versioned):
    """A company's place in a consortium: its role and the stack layers it supplies."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.PARTNER)
    layers = models.JSONField(default=list, blank=True, help_text=f"Any of: {', '.join(Layer.values)}")

    class Meta:
        ordering = ["consortium", "-role", "company__legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "company"], name="member_once_per_consortium"),
            models.UniqueConstraint(
                fields=["consortium"],
                condition=models.Q(role=MemberRole.ANCHOR),
                name="one_anchor_per_consortium",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.get_role_display()})"


class ConsortiumUser(models.Model):
    """A portal user acting for a consortium, with what they may do there."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consortium_roles"
    )
    role = models.CharField(
        max_length=16, choices=ConsortiumUserRole.choices, default=ConsortiumUserRole.EDITOR
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consortium", "user"], name="user_once_per_consortium")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.consortium} ({self.role})"
