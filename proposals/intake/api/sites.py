"""/api/proposals/<id>/sites/: the destination data-center sites and who builds, owns and operates them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from proposals.core.api.base import ChildDetailApi, ChildListCreateApi
from proposals.core.api.errors import error_responses
from proposals.intake.models.proposal import Site
from proposals.intake.services.drafting import SITE_FIELDS


class SiteInput(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = list(SITE_FIELDS)


class SiteOutput(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", *SITE_FIELDS]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(responses={200: SiteOutput(many=True), **error_responses(404)}),
    post=extend_schema(request=SiteInput, responses={201: SiteOutput, **error_responses(400, 403, 404, 409)}),
)
class SiteListCreateApi(ChildListCreateApi):
    """The proposal's sites; add one (drafts and returned proposals, lead and editors)."""

    kind = "site"
    related_name = "sites"
    input_serializer_class = SiteInput
    serializer_class = SiteOutput


@extend_schema_view(
    get=extend_schema(responses={200: SiteOutput, **error_responses(404)}),
    patch=extend_schema(
        request=SiteInput, responses={200: SiteOutput, **error_responses(400, 403, 404, 409)}
    ),
    delete=extend_schema(responses={204: None, **error_responses(403, 404, 409)}),
)
class SiteDetailApi(ChildDetailApi):
    """One site: read, change or delete."""

    kind = "site"
    related_name = "sites"
    input_serializer_class = SiteInput
    serializer_class = SiteOutput
