"""/api/consortia/<id>/members/: the consortium's members and their companies (services.consortium).

Everyone in the consortium reads; only its lead writes (403 for the others); another consortium's
members are a 404. Removing or demoting the anchor is a 409 (`anchor_required`); setting `role` to
`anchor` on a partner hands the role over, the previous anchor becoming a partner in the same step.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.api.base import parse
from proposals.core.api.concurrency import (
    DELETE_PARAMETERS,
    READ_PARAMETERS,
    WRITE_PARAMETERS,
    expected_version,
    version_input,
    version_output,
    with_etag,
)
from proposals.core.api.errors import ErrorOutput, error_responses
from proposals.core.api.fields import text_input
from proposals.core.enums import Layer, MemberRole
from proposals.core.models.reference import Country
from proposals.core.policy.text import NAME_MAX_CHARS
from proposals.intake.api.owners import OwnerOutput, owners_data, owners_input
from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember
from proposals.intake.selectors import consortia_visible_to, consortium_members
from proposals.intake.services.consortium import COMPANY_FIELDS, member_add, member_remove, member_update

_COUNTRY_HELP = "ISO 3166-1 alpha-2 code, as /api/countries/ lists them."


class _CountryField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Country.objects.all(), help_text=_COUNTRY_HELP, **kwargs)


class CompanyOutput(serializers.ModelSerializer):
    owners = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ["id", *COMPANY_FIELDS, "owners"]
        read_only_fields = fields

    @extend_schema_field(OwnerOutput(many=True))
    def get_owners(self, company: Company) -> list[dict[str, object]]:
        return owners_data(company)


class MemberOutput(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    layers = serializers.ListField(child=serializers.ChoiceField(choices=Layer.choices), read_only=True)
    company = CompanyOutput(read_only=True)
    other_consortia = serializers.IntegerField(
        read_only=True, help_text="How many other consortia the company is also a member of."
    )
    version = version_output()

    class Meta:
        model = ConsortiumMember
        fields = ["id", "role", "role_display", "layers", "company", "other_consortia", "version"]
        read_only_fields = fields


class MemberUpdateInput(serializers.Serializer):
    """A member's role and layers and its company's details (in place: see other_consortia)."""

    role = serializers.ChoiceField(choices=MemberRole.choices)
    layers = serializers.ListField(child=serializers.ChoiceField(choices=Layer.choices), allow_empty=True)
    legal_name = text_input(NAME_MAX_CHARS)
    country_of_incorporation = _CountryField()
    principal_place_of_business = _CountryField()
    ultimate_parent = text_input(NAME_MAX_CHARS, allow_blank=True, required=False)
    ultimate_parent_country = _CountryField(allow_null=True, required=False)
    owners = owners_input()
    version = version_input()


class MemberCreateInput(MemberUpdateInput):
    """A new member: a new company (its fields, this consortium's own record even if another consortium
    has a company of that name), or `existing_company`, one this consortium entered before."""

    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.PARTNER)
    layers = serializers.ListField(
        child=serializers.ChoiceField(choices=Layer.choices), allow_empty=True, default=list
    )
    existing_company = text_input(
        NAME_MAX_CHARS,
        required=False,
        help_text="Legal name of a company this consortium entered before (a member it removed, say); "
        "omit its fields. Other consortia's companies are never found: add a new company instead.",
    )
    legal_name = text_input(NAME_MAX_CHARS, required=False)
    country_of_incorporation = _CountryField(required=False)
    principal_place_of_business = _CountryField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        company_fields = [name for name in (*COMPANY_FIELDS, "owners") if name in attrs]
        if "existing_company" in attrs:
            if company_fields:
                raise serializers.ValidationError(
                    {
                        name: ["Omit the company's fields when naming an existing company."]
                        for name in company_fields
                    }
                )
            return attrs
        missing = [
            name
            for name in ("legal_name", "country_of_incorporation", "principal_place_of_business")
            if name not in attrs
        ]
        if missing:
            raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        return attrs


CONSORTIUM_ID = OpenApiParameter("consortium_id", int, OpenApiParameter.PATH, description="A consortium id.")


class _ConsortiumScoped:
    request: Request
    kwargs: dict[str, Any]

    def get_consortium(self) -> Consortium:
        return get_object_or_404(consortia_visible_to(self.request.user), pk=self.kwargs["consortium_id"])

    def ensure_lead(self, consortium: Consortium) -> None:
        """Refuse non-leads before parsing, so they get 403 whatever they sent (the service checks too)."""
        if not self.request.user.has_perm("proposals.change_consortium_members", consortium):
            raise PermissionDenied("Only the consortium's lead can change its members.")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ConsortiumMember.objects.none()
        return consortium_members(consortium_id=self.get_consortium().pk)


def _reloaded(consortium_id: int, member_id: int) -> ConsortiumMember:
    return consortium_members(consortium_id=consortium_id).get(pk=member_id)


@extend_schema_view(
    get=extend_schema(
        parameters=[CONSORTIUM_ID], responses={200: MemberOutput(many=True), **error_responses(404)}
    ),
    post=extend_schema(
        parameters=[CONSORTIUM_ID],
        request=MemberCreateInput,
        responses={201: MemberOutput, **error_responses(400, 403, 404)},
    ),
)
class MemberListCreateApi(_ConsortiumScoped, generics.ListAPIView):
    """The consortium's members, anchor first; add one (the consortium's lead)."""

    serializer_class = MemberOutput

    def post(self, request: Request, consortium_id: int) -> Response:
        consortium = self.get_consortium()
        self.ensure_lead(consortium)
        data = parse(MemberCreateInput, request)
        data.pop("version", None)  # a new member has no earlier version to check
        existing = data.pop("existing_company", None)
        role, layers = data.pop("role"), data.pop("layers")
        member = member_add(
            consortium_id=consortium.pk,
            actor=request.user,
            role=role,
            layers=layers,
            company=None if existing is not None else data,
            existing_company=existing,
        )
        return Response(
            self.get_serializer(_reloaded(consortium.pk, member.pk)).data, status=status.HTTP_201_CREATED
        )


ANCHOR_REQUIRED = {
    409: OpenApiResponse(
        ErrorOutput,
        description="anchor_required: the anchor cannot be removed or demoted; make another member "
        "the anchor first (PATCH its role to anchor).",
    )
}
MEMBER_ID = OpenApiParameter("member_id", int, OpenApiParameter.PATH, description="A member id.")


@extend_schema_view(
    get=extend_schema(
        parameters=[CONSORTIUM_ID, MEMBER_ID, *READ_PARAMETERS],
        responses={200: MemberOutput, **error_responses(404)},
    ),
    put=extend_schema(
        parameters=[CONSORTIUM_ID, MEMBER_ID, *WRITE_PARAMETERS],
        request=MemberUpdateInput,
        responses={200: MemberOutput, **error_responses(400, 403, 404, 412), **ANCHOR_REQUIRED},
    ),
    patch=extend_schema(
        parameters=[CONSORTIUM_ID, MEMBER_ID, *WRITE_PARAMETERS],
        request=MemberUpdateInput,
        responses={200: MemberOutput, **error_responses(400, 403, 404, 412), **ANCHOR_REQUIRED},
    ),
    delete=extend_schema(
        parameters=[CONSORTIUM_ID, MEMBER_ID, *DELETE_PARAMETERS],
        responses={204: None, **error_responses(403, 404, 412), **ANCHOR_REQUIRED},
    ),
)
class MemberDetailApi(_ConsortiumScoped, generics.GenericAPIView):
    """One member: read, change (PUT all fields, PATCH some) or remove (never the anchor: 409).

    The member's version (its ETag) covers its company's details too; a change or removal from an
    older version (If-Match, or `version` in the body) is refused with 412."""

    serializer_class = MemberOutput
    http_method_names = ["get", "put", "patch", "delete", "head", "options"]

    def _object(self) -> ConsortiumMember:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["member_id"])

    def get(self, request: Request, consortium_id: int, member_id: int) -> Response:
        member = self._object()
        return with_etag(Response(self.get_serializer(member).data), member)

    def _update(self, request: Request, *, partial: bool) -> Response:
        member = self._object()
        self.ensure_lead(self.get_consortium())
        data = parse(MemberUpdateInput, request, partial=partial)
        version = expected_version(request, data)
        member_update(
            consortium_id=member.consortium_id,
            member_id=member.pk,
            actor=request.user,
            data=data,
            expected_version=version,
        )
        saved = _reloaded(member.consortium_id, member.pk)
        return with_etag(Response(self.get_serializer(saved).data), saved)

    def put(self, request: Request, consortium_id: int, member_id: int) -> Response:
        return self._update(request, partial=False)

    def patch(self, request: Request, consortium_id: int, member_id: int) -> Response:
        return self._update(request, partial=True)

    def delete(self, request: Request, consortium_id: int, member_id: int) -> Response:
        member = self._object()
        member_remove(
            consortium_id=member.consortium_id,
            member_id=member.pk,
            actor=request.user,
            expected_version=expected_version(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
