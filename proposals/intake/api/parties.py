"""/api/proposals/<id>/parties/: purchaser, consignees and end user, as a license application names them."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from proposals.core.api.base import ChildDetailApi, ChildListCreateApi
from proposals.core.api.concurrency import (
    DELETE_PARAMETERS,
    READ_PARAMETERS,
    WRITE_PARAMETERS,
    version_input,
    version_output,
)
from proposals.core.api.errors import error_responses
from proposals.intake.api.owners import OwnerOutput, owners_data, owners_input
from proposals.intake.models.proposal import Party
from proposals.intake.services.drafting import PARTY_FIELDS


class PartyInput(serializers.ModelSerializer):
    version = version_input()

    owners = owners_input()

    class Meta:
        model = Party
        fields = [*PARTY_FIELDS, "owners", "version"]


class PartyOutput(serializers.ModelSerializer):
    version = version_output()
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    owners = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["id", "role_display", *PARTY_FIELDS, "owners", "version"]
        read_only_fields = fields

    @extend_schema_field(OwnerOutput(many=True))
    def get_owners(self, party: Party) -> list[dict[str, object]]:
        return owners_data(party)


@extend_schema_view(
    get=extend_schema(responses={200: PartyOutput(many=True), **error_responses(404)}),
    post=extend_schema(
        request=PartyInput, responses={201: PartyOutput, **error_responses(400, 403, 404, 409)}
    ),
)
class PartyListCreateApi(ChildListCreateApi):
    """The proposal's parties; add one (drafts and returned proposals, lead and editors)."""

    kind = "party"
    related_name = "parties"
    input_serializer_class = PartyInput
    serializer_class = PartyOutput

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        return queryset if self.schema_only else queryset.prefetch_related("owners")


@extend_schema_view(
    get=extend_schema(parameters=READ_PARAMETERS, responses={200: PartyOutput, **error_responses(404)}),
    patch=extend_schema(
        parameters=WRITE_PARAMETERS,
        request=PartyInput,
        responses={200: PartyOutput, **error_responses(400, 403, 404, 409, 412)},
    ),
    delete=extend_schema(
        parameters=DELETE_PARAMETERS, responses={204: None, **error_responses(403, 404, 409, 412)}
    ),
)
class PartyDetailApi(ChildDetailApi):
    """One party: read, change or delete."""

    kind = "party"
    related_name = "parties"
    input_serializer_class = PartyInput
    serializer_class = PartyOutput
