"""/api/calls/: calls for proposals and their versioned rubrics.

Everyone signed in reads them (a consortium chooses the call its proposal answers); program staff
create and change calls, draft a new rubric version, edit its criteria and publish it (services.calls
decides; a published version is never edited).
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
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
from proposals.core.api.errors import error_responses
from proposals.core.api.fields import text_input
from proposals.core.api.permissions import RulePermission
from proposals.core.enums import DocumentCategory, Layer
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.intake.models.call import Call, Criterion, Rubric
from proposals.intake.policy.calls import call_is_open
from proposals.intake.selectors import calls_with_counts
from proposals.intake.services.calls import (
    CALL_FIELDS,
    CRITERION_FIELDS,
    call_create,
    call_update,
    criterion_delete,
    criterion_save,
    rubric_draft_create,
    rubric_publish,
    rubric_update,
)

# --- Input ---------------------------------------------------------------------------------------


class CallInput(serializers.ModelSerializer):
    required_layers = serializers.ListField(
        child=serializers.ChoiceField(choices=Layer.choices), required=False
    )
    required_document_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentCategory.choices), required=False
    )
    eligibility = serializers.JSONField(
        required=False,
        help_text='{"excluded_countries": ["CN", "HK", "MO"], "min_hardware_us_content": "0.51"}; '
        "each key optional (missing: the program settings apply; a call only tightens them).",
    )
    version = version_input()

    class Meta:
        model = Call
        fields = [*CALL_FIELDS, "version"]
        # Uniqueness (slug) is the service's to check, with the model's message.
        extra_kwargs = {"slug": {"validators": []}}


class RubricInput(serializers.Serializer):
    notes = text_input(NOTE_MAX_CHARS, multiline=True, required=False, allow_blank=True, default="")


class CriterionInput(serializers.ModelSerializer):
    version = version_input()

    class Meta:
        model = Criterion
        fields = [*CRITERION_FIELDS, "version"]
        validators: list[Any] = []  # code unique per rubric: checked by the service


# --- Output --------------------------------------------------------------------------------------


class CriterionOutput(serializers.ModelSerializer):
    version = version_output()

    class Meta:
        model = Criterion
        fields = ["id", *CRITERION_FIELDS, "version"]
        read_only_fields = fields


class RubricOutput(serializers.ModelSerializer):
    criteria = CriterionOutput(many=True, read_only=True)
    is_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = Rubric
        fields = ["id", "version", "published_at", "is_published", "notes", "criteria"]
        read_only_fields = fields


class CallOutput(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField(help_text="Accepts proposals today.")
    window = serializers.CharField(source="window_text", read_only=True)
    current_rubric_version = serializers.SerializerMethodField()
    version = version_output()

    class Meta:
        model = Call
        fields = [
            "id",
            *CALL_FIELDS,
            "is_open",
            "window",
            "current_rubric_version",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_is_open(self, call: Call) -> bool:
        return call_is_open(call, timezone.localdate())

    def get_current_rubric_version(self, call: Call) -> int | None:
        if hasattr(call, "current_version"):  # annotated by the list (selectors.calls_with_counts)
            return call.current_version
        rubric = call.current_rubric
        return rubric.version if rubric else None


# --- Views ---------------------------------------------------------------------------------------


class CallsApi:
    """Reads need a signed-in user; writes, program staff (refused before the input is read)."""

    permission_classes = [IsAuthenticated, RulePermission]
    request: Request

    @property
    def required_perm(self) -> str:
        return "proposals.view_calls" if self.request.method in SAFE_METHODS else "proposals.manage_calls"

    refusal = "Only program staff manage calls for proposals."


def _rubric(call_id: int, version: int) -> Rubric:
    return get_object_or_404(Rubric.objects.prefetch_related("criteria"), call_id=call_id, version=version)


class CallListCreateApi(CallsApi, generics.ListAPIView):
    """Every call, newest first; `?open=true` lists only those accepting proposals today."""

    serializer_class = CallOutput
    filterset_class = None

    def get_queryset(self) -> QuerySet[Call]:
        return calls_with_counts()

    @extend_schema(
        parameters=[OpenApiParameter("open", OpenApiTypes.BOOL, description="Only calls open today.")]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.query_params.get("open") in ("true", "1"):
            today = timezone.localdate()
            calls = [c for c in self.get_queryset() if call_is_open(c, today)]
            page = self.paginate_queryset(calls)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a call",
        description="Program staff only.",
        request=CallInput,
        responses={201: CallOutput, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = parse(CallInput, request)
        data.pop("version", None)  # a new call has no earlier version to check
        call = call_create(actor=request.user, data=data)
        return Response(CallOutput(call).data, status=status.HTTP_201_CREATED)


class CallDetailApi(CallsApi, generics.GenericAPIView):
    serializer_class = CallOutput
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Call]:
        return Call.objects.all()

    @extend_schema(
        description="One call for proposals: its window, requirements and eligibility, with its "
        "version as the ETag.",
        parameters=READ_PARAMETERS,
        responses={200: CallOutput, **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        call = self.get_object()
        return with_etag(Response(CallOutput(call).data), call)

    @extend_schema(
        summary="Change a call",
        description="Program staff only; partial. Proposals already submitted keep the requirements "
        "they were frozen with. A stale If-Match (or `version`) is refused with 412.",
        parameters=WRITE_PARAMETERS,
        request=CallInput,
        responses={200: CallOutput, **error_responses(400, 403, 404, 412)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        call = self.get_object()
        data = parse(CallInput, request, partial=True)
        version = expected_version(request, data)
        call = call_update(call_id=call.pk, actor=request.user, data=data, expected_version=version)
        return with_etag(Response(CallOutput(call).data), call)


class RubricListCreateApi(CallsApi, generics.ListAPIView):
    """A call's rubric versions, newest first, each with its criteria."""

    serializer_class = RubricOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Rubric]:
        if getattr(self, "swagger_fake_view", False):
            return Rubric.objects.none()
        call = get_object_or_404(Call, pk=self.kwargs["call_id"])
        return call.rubrics.prefetch_related("criteria").order_by("-version")

    @extend_schema(
        summary="Start a new rubric version",
        description="Program staff only. The draft copies the latest version's criteria; one draft at a "
        "time.",
        request=RubricInput,
        responses={201: RubricOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = get_object_or_404(Call, pk=call_id)
        rubric = rubric_draft_create(call_id=call.pk, actor=request.user, **parse(RubricInput, request))
        return Response(RubricOutput(_rubric(call.pk, rubric.version)).data, status=status.HTTP_201_CREATED)


class RubricDetailApi(CallsApi, generics.GenericAPIView):
    serializer_class = RubricOutput
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        description="One rubric version of a call (draft or published), with its criteria.",
        responses={200: RubricOutput, **error_responses(404)},
    )
    def get(self, request: Request, call_id: int, version: int) -> Response:
        return Response(RubricOutput(_rubric(call_id, version)).data)

    @extend_schema(
        summary="Change a draft rubric's notes",
        request=RubricInput,
        responses={200: RubricOutput, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, call_id: int, version: int) -> Response:
        rubric = _rubric(call_id, version)
        rubric_update(rubric_id=rubric.pk, actor=request.user, **parse(RubricInput, request))
        return Response(RubricOutput(_rubric(call_id, version)).data)


class RubricPublishApi(CallsApi, generics.GenericAPIView):
    serializer_class = RubricOutput

    @extend_schema(
        summary="Publish a draft rubric",
        description="Program staff only. Refused (field errors on `criteria`) unless the weights sum to 100 "
        "and every scale runs upwards. A published version is never edited.",
        request=None,
        responses={200: RubricOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, call_id: int, version: int) -> Response:
        rubric = _rubric(call_id, version)
        rubric_publish(rubric_id=rubric.pk, actor=request.user)
        return Response(RubricOutput(_rubric(call_id, version)).data)


class CriterionCreateApi(CallsApi, generics.GenericAPIView):
    serializer_class = CriterionOutput

    @extend_schema(
        summary="Add a criterion to a draft rubric",
        request=CriterionInput,
        responses={201: CriterionOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, call_id: int, version: int) -> Response:
        rubric = _rubric(call_id, version)
        data = parse(CriterionInput, request)
        data.pop("version", None)  # a new criterion has no earlier version to check
        criterion = criterion_save(rubric_id=rubric.pk, actor=request.user, data=data)
        return Response(CriterionOutput(criterion).data, status=status.HTTP_201_CREATED)


class CriterionDetailApi(CallsApi, generics.GenericAPIView):
    serializer_class = CriterionOutput
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def _criterion(self, call_id: int, version: int, criterion_pk: int) -> Criterion:
        return get_object_or_404(Criterion, pk=criterion_pk, rubric__call_id=call_id, rubric__version=version)

    @extend_schema(
        description="One criterion of a rubric version, with its version as the ETag.",
        parameters=READ_PARAMETERS,
        responses={200: CriterionOutput, **error_responses(404)},
    )
    def get(self, request: Request, call_id: int, version: int, criterion_pk: int) -> Response:
        criterion = self._criterion(call_id, version, criterion_pk)
        return with_etag(Response(CriterionOutput(criterion).data), criterion)

    @extend_schema(
        summary="Change a criterion of a draft rubric",
        description="Program staff only; partial. A stale If-Match (or `version`) is refused with 412.",
        parameters=WRITE_PARAMETERS,
        request=CriterionInput,
        responses={200: CriterionOutput, **error_responses(400, 403, 404, 409, 412)},
    )
    def patch(self, request: Request, call_id: int, version: int, criterion_pk: int) -> Response:
        criterion = self._criterion(call_id, version, criterion_pk)
        data = parse(CriterionInput, request, partial=True)
        expected = expected_version(request, data)
        criterion = criterion_save(
            rubric_id=criterion.rubric_id,
            actor=request.user,
            data=data,
            pk=criterion.pk,
            expected_version=expected,
        )
        return with_etag(Response(CriterionOutput(criterion).data), criterion)

    @extend_schema(
        description="Remove a criterion from a draft rubric (program staff); a stale If-Match is "
        "refused with 412.",
        parameters=DELETE_PARAMETERS,
        responses={204: None, **error_responses(403, 404, 409, 412)},
    )
    def delete(self, request: Request, call_id: int, version: int, criterion_pk: int) -> Response:
        criterion = self._criterion(call_id, version, criterion_pk)
        criterion_delete(
            rubric_id=criterion.rubric_id,
            actor=request.user,
            pk=criterion.pk,
            expected_version=expected_version(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
