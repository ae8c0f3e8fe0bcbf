"""/api/proposals/<id>/sites/: the destination data-center sites and who builds, owns and operates them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
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
from proposals.intake.models.proposal import Site
from proposals.intake.services.drafting import SITE_FIELDS


class SiteInput(serializers.ModelSerializer):
    version = version_input()

    class Meta:
        model = Site
        fields = [*SITE_FIELDS, "version"]


class SiteOutput(serializers.ModelSerializer):
    version = version_output()

    class Meta:
        model = Site
        fields = ["id", *SITE_FIELDS, "version"]
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
    get=extend_schema(parameters=READ_PARAMETERS, responses={200: SiteOutput, **error_responses(404)}),
    patch=extend_schema(
        parameters=WRITE_PARAMETERS,
        request=SiteInput,
        responses={200: SiteOutput, **error_responses(400, 403, 404, 409, 412)},
    ),
    delete=extend_schema(
        parameters=DELETE_PARAMETERS, responses={204: None, **error_responses(403, 404, 409, 412)}
    ),
)
class SiteDetailApi(ChildDetailApi):
    """One site: read, change or delete."""

    kind = "site"
    related_name = "sites"
    input_serializer_class = SiteInput
    serializer_class = SiteOutput
