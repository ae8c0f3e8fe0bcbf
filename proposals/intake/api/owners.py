"""The owners a member's company or a party lists, as the members and parties APIs read and write them."""

from rest_framework import serializers

from proposals.core.api.fields import text_input
from proposals.core.policy.text import NAME_MAX_CHARS
from proposals.intake.models.consortium import Owner

OWNERS_HELP = (
    "Replaces the owners when given: each more than 0 and at most 100 percent, at most 100 together. "
    "Omit to keep them; [] for none."
)


class OwnerInput(serializers.Serializer):
    name = text_input(NAME_MAX_CHARS)
    country = serializers.CharField(
        max_length=2, help_text="ISO 3166-1 alpha-2 code, as /api/countries/ lists them."
    )
    # Range and total are the ownership service's to check (one place, the same words as the web).
    percent = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="Share held, 25 = 25%.")


class OwnerOutput(serializers.ModelSerializer):
    class Meta:
        model = Owner
        fields = ["name", "country", "percent"]
        read_only_fields = fields


def owners_input() -> OwnerInput:
    return OwnerInput(many=True, required=False, help_text=OWNERS_HELP)


def owners_data(owned: object) -> list[dict[str, object]]:
    """Owners in the order they were given (prefetched `owners` read in memory)."""
    rows = sorted(owned.owners.all(), key=lambda o: o.pk)  # type: ignore[attr-defined]
    return OwnerOutput(rows, many=True).data
