"""/api/proposals/: list (filtered, paginated), create, read and change a proposal's own fields."""

import functools
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.concurrency import (
    READ_PARAMETERS,
    WRITE_PARAMETERS,
    expected_version,
    version_input,
    version_output,
    with_etag,
)
from proposals.core.api.errors import error_responses
from proposals.core.enums import Section
from proposals.core.pagination import DeferredJoinPagination, DeferredJoinPaginator
from proposals.core.permissions import consortium_roles
from proposals.core.statements import KeyedStatement
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import Proposal, ProposalQuerySet
from proposals.intake.selectors import (
    ProposalFilter,
    proposal_list_for,
    proposals_csv_lines,
    proposals_visible_to,
)
from proposals.intake.services.drafting import PROPOSAL_FIELDS, proposal_create, proposal_update
from proposals.intake.services.drafts import proposal_delete


def proposals_for_api(user: Any) -> QuerySet[Proposal]:
    """The caller's proposals with what the output needs, in a fixed number of queries."""
    return proposal_list_for(user).with_target_country_codes()


def _list_columns(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The list's rows (ProposalListOutput): its columns only, the long text and JSON fields being the
    detail view's, and the consortium's name as a column of the row (a subquery per page row) rather
    than a joined Consortium instance per row."""
    name = Consortium.objects.filter(pk=OuterRef("consortium_id")).order_by().values("name")
    return proposals.select_related(None).only(*LIST_COLUMNS).annotate(consortium_name=Subquery(name))


# A page's rows by its keys, compiled once a process: who may see which proposal, the filters and the
# order are the keys' query's (ProposalListCreateApi.get_queryset, ProposalFilter).
LIST_ROWS = KeyedStatement(
    lambda: _list_columns(Proposal.objects.with_item_counts().with_target_country_codes()).for_page()
)


def proposal_list_rows(keys: Sequence[int]) -> list[Proposal]:
    """The list's rows for these keys, in their order: ProposalListOutput's columns, the consortium's
    name, the item count and the target countries' codes (in country-name order)."""
    rows = LIST_ROWS.instances_in_order(keys)
    # Where the statement could not read them (the codes on SQLite), read for the page as the
    # queryset would have.
    ProposalQuerySet.fill_page_reads(rows)
    return rows


class ProposalListPaginator(DeferredJoinPaginator):
    """The proposals API's pages: the keys (with the total) by the caller's visibility, filters and
    order, then the rows by those keys (`proposal_list_rows`)."""

    keyed_rows = staticmethod(proposal_list_rows)


class ProposalListPagination(DeferredJoinPagination):
    paginator_class = ProposalListPaginator


# --- Input -------------------------------------------------------------------------------------


class ProposalFieldsInput(serializers.ModelSerializer):
    """The proposal's own fields as a consortium edits them (types and limits come from the model)."""

    confidential_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=Section.choices), required=False
    )
    version = version_input()

    class Meta:
        model = Proposal
        fields = [*PROPOSAL_FIELDS, "target_countries", "version"]


class ProposalCreateInput(ProposalFieldsInput):
    consortium = serializers.PrimaryKeyRelatedField(
        queryset=Consortium.objects.none(), help_text="One of your consortia (its id)."
    )
    call = serializers.PrimaryKeyRelatedField(
        queryset=Call.objects.all(),
        help_text="The call for proposals it answers (its id, from /api/calls/?open=true); "
        "it must be open today.",
    )

    class Meta(ProposalFieldsInput.Meta):
        # A new proposal has no earlier version to start from.
        fields = ["consortium", "call", *(f for f in ProposalFieldsInput.Meta.fields if f != "version")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the caller's consortia are valid choices; another consortium's id reads as unknown.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["consortium"].queryset = Consortium.objects.filter(pk__in=list(consortium_roles(user)))


# --- Output ------------------------------------------------------------------------------------


class ConsortiumRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProposalListOutput(serializers.ModelSerializer):
    consortium = ConsortiumRef(read_only=True)
    # A method field, not source="get_status_display": DRF inspects a callable source's signature
    # on every row.
    status_display = serializers.SerializerMethodField()
    # Codes read for the fetched rows (ProposalQuerySet.with_target_country_codes), in country-name
    # order: a related field built a manager and Country instances per row (bench/, issue 8).
    target_countries = serializers.ListField(
        child=serializers.CharField(label="ISO 3166-1 alpha-2"), source="target_country_codes", read_only=True
    )
    item_count = serializers.IntegerField(read_only=True, help_text="Number of line items.")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "consortium",
            "call",
            "status",
            "status_display",
            "status_changed_at",
            "revision_number",
            "target_countries",
            "item_count",
            "financing_amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_status_display(self, proposal: Proposal) -> str:
        return proposal.get_status_display()

    def to_representation(self, proposal: Proposal) -> dict[str, Any]:
        """The fields above, read straight off a list row (ProposalListCreateApi: the consortium's
        name rides on the row as `consortium_name`), each formatted as its field does: the amount by
        the field itself, dates in the current time zone as DRF's ISO 8601 (`Z` for UTC). DRF's
        generic walk (an attribute lookup per source, a PKOnlyObject for `call`, a nested serializer
        for `consortium`, the time zone looked up per date) took 0.15-0.2 ms a row, most of the
        list's Python (issue 16). tests/intake/api/test_proposals.py holds the output equal to the
        generic one, field for field."""
        money = _list_formats()
        zone = timezone.get_current_timezone()
        amount = proposal.financing_amount
        changed = proposal.status_changed_at
        return {
            "id": proposal.pk,
            "title": proposal.title,
            "consortium": {"id": proposal.consortium_id, "name": proposal.consortium_name},
            "call": proposal.call_id,
            "status": proposal.status,
            "status_display": proposal.get_status_display(),
            "status_changed_at": _iso(changed, zone) if changed is not None else None,
            "revision_number": proposal.revision_number,
            "target_countries": list(proposal.target_country_codes),
            "item_count": proposal.item_count,
            "financing_amount": money(amount) if amount is not None else None,
            "created_at": _iso(proposal.created_at, zone),
            "updated_at": _iso(proposal.updated_at, zone),
        }


def _iso(moment: datetime, zone: tzinfo) -> str:
    """A date-time as DRF's DateTimeField writes it (ISO 8601, in `zone`, `Z` for UTC)."""
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.cache
def _list_formats() -> Callable[[Any], Any]:
    """How ProposalListOutput's amount field writes a value (its digits and places), taken once per
    process from the field itself (building a ModelSerializer's fields cost 0.3 ms a request)."""
    return ProposalListOutput().fields["financing_amount"].to_representation


# What ProposalListOutput reads of a row (the annotations aside: _list_columns).
LIST_COLUMNS = (
    "title",
    "consortium",
    "call",
    "status",
    "status_changed_at",
    "revision_number",
    "financing_amount",
    "created_at",
    "updated_at",
)


class ProposalOutput(ProposalListOutput):
    version = version_output()

    class Meta(ProposalListOutput.Meta):
        fields = [
            *ProposalListOutput.Meta.fields,
            *(f for f in PROPOSAL_FIELDS if f != "financing_amount"),
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, proposal: Proposal) -> dict[str, Any]:
        # One proposal at a time: DRF's generic walk over every declared field.
        return serializers.ModelSerializer.to_representation(self, proposal)


# --- Views -------------------------------------------------------------------------------------


def proposal_output(request: Request, proposal_id: int) -> dict[str, Any]:
    """The proposal as the caller now sees it (re-read after a write, with the list's annotations)."""
    return ProposalOutput(get_object_or_404(proposals_for_api(request.user), pk=proposal_id)).data


class ProposalListCreateApi(generics.ListAPIView):
    """The caller's proposals (consortium users: their consortia's; agency staff: submitted ones)."""

    serializer_class = ProposalListOutput
    filterset_class = ProposalFilter
    pagination_class = ProposalListPagination

    def get_queryset(self) -> QuerySet[Proposal]:
        # The keys' query: the page's rows are read by their keys (ProposalListPaginator).
        return proposal_list_for(self.request.user)

    def filter_queryset(self, queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
        # Without a filter parameter (a plain page) the FilterSet would build its form, every field
        # deep-copied (0.5 ms), to change nothing: the same rows, and nothing a client sent to refuse.
        if not any(name in self.request.query_params for name in ProposalFilter.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Start a proposal",
        description="Lead and editors of the consortium only. The draft may be incomplete. It answers "
        "one call for proposals, which must accept proposals today (else a field error on `call` naming "
        "its dates).",
        request=ProposalCreateInput,
        responses={201: ProposalOutput, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ProposalCreateInput, request)
        proposal = proposal_create(
            consortium=data.pop("consortium"),
            call=data.pop("call"),
            actor=request.user,
            title=data.pop("title"),
            **data,
        )
        return Response(proposal_output(request, proposal.pk), status=status.HTTP_201_CREATED)


class ProposalDetailApi(ProposalScoped, generics.GenericAPIView):
    """One proposal: read it, change its own fields (PATCH), or delete a never-submitted draft (DELETE)."""

    serializer_class = ProposalOutput
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(
        description="One proposal, with its version as the ETag.",
        parameters=READ_PARAMETERS,
        responses={200: ProposalOutput, **error_responses(404)},
    )
    def get(self, request: Request, proposal_id: int) -> Response:
        return with_etag(Response(proposal_output(request, self.get_proposal().pk)))

    @extend_schema(
        summary="Change a draft",
        description="Partial update of the proposal's own fields. Drafts and returned proposals only. "
        "Send the ETag you read as If-Match (or `version`): a stale one is refused with 412.",
        parameters=WRITE_PARAMETERS,
        request=ProposalFieldsInput,
        responses={200: ProposalOutput, **error_responses(400, 403, 404, 409, 412)},
    )
    def patch(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        data = parse(ProposalFieldsInput, request, partial=True)
        version = expected_version(request, data)
        proposal_update(proposal_id=proposal.pk, actor=request.user, data=data, expected_version=version)
        return with_etag(Response(proposal_output(request, proposal.pk)))

    @extend_schema(
        summary="Delete a draft",
        description="The consortium's lead deletes a draft that was never submitted (and has no audit "
        "trail). Anything ever submitted is refused with 409: withdraw it instead.",
        responses={204: None, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, proposal_id: int) -> Response:
        proposal_delete(proposal_id=self.get_proposal().pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def proposals_csv_response(queryset: QuerySet[Proposal]) -> StreamingHttpResponse:
    """The streamed CSV download of these proposals (web and API)."""
    response = StreamingHttpResponse(proposals_csv_lines(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="proposals-{timezone.localdate()}.csv"'
    return response


class ProposalCsvApi(generics.GenericAPIView):
    """Every proposal the caller may see, with the list's filters, as one streamed CSV file."""

    filterset_class = ProposalFilter
    pagination_class = None

    def get_queryset(self) -> QuerySet[Proposal]:
        return proposals_visible_to(self.request.user).order_by("pk")

    @extend_schema(
        summary="Download proposals as CSV",
        responses={(200, "text/csv"): OpenApiTypes.STR, **error_responses(400)},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return proposals_csv_response(self.filter_queryset(self.get_queryset()))
