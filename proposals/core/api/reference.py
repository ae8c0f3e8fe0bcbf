"""/api/countries/: reference data (ISO codes, EAR country groups, OECD category), read-only."""

from rest_framework import serializers, viewsets

from proposals.core.models.reference import Country


class CountryOutput(serializers.ModelSerializer):
    groups = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="EAR country groups, such as A:5 or D:1."
    )

    class Meta:
        model = Country
        fields = ["code", "name", "region", "groups", "oecd_category", "risk_class", "is_country_of_concern"]
        read_only_fields = fields


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """All countries, unpaginated (a few hundred rows that clients use to fill choices)."""

    queryset = Country.objects.prefetch_related("groups")
    serializer_class = CountryOutput
    pagination_class = None
    lookup_value_regex = "[A-Z]{2}"
    filterset_fields = ["oecd_category", "is_country_of_concern"]
