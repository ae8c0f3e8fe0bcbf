"""Owners with shares on companies and parties; the affiliates (50%) rule as versioned policy data."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0015_company_entered_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OwnershipPolicyVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(unique=True)),
                ("name", models.CharField(max_length=200)),
                (
                    "threshold_percent",
                    models.DecimalField(
                        decimal_places=2,
                        default=50,
                        help_text="Aggregate share of listed owners that makes the owned entity a hit (50 = 50%).",
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.01")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                    ),
                ),
                (
                    "enabled",
                    models.BooleanField(default=True, help_text="Off: the rule is not applied at all."),
                ),
                ("effective_from", models.DateField(blank=True, null=True)),
                ("suspended_from", models.DateField(blank=True, null=True)),
                (
                    "suspended_until",
                    models.DateField(
                        blank=True,
                        help_text="The rule applies again from this day; blank: suspended until further notice.",
                        null=True,
                    ),
                ),
                ("source", models.CharField(blank=True, max_length=500)),
                ("notes", models.TextField(blank=True)),
                ("loaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "loaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "ownership (affiliates) policy version",
                "ordering": ["-number"],
            },
        ),
        migrations.CreateModel(
            name="Owner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "percent",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.01")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="share (%)",
                    ),
                ),
                (
                    "company",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="owners",
                        to="proposals.company",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="proposals.country"
                    ),
                ),
                (
                    "party",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="owners",
                        to="proposals.party",
                    ),
                ),
            ],
            options={
                "ordering": ["-percent", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("company__isnull", False), ("party__isnull", True)),
                            models.Q(("company__isnull", True), ("party__isnull", False)),
                            _connector="OR",
                        ),
                        name="owner_of_one_entity",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("percent__gt", 0), ("percent__lte", 100)),
                        name="owner_percent_range",
                    ),
                ],
            },
        ),
    ]
