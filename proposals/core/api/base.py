"""What the API views share: the proposal in the URL, scoped to the caller, and nested-resource views.

A proposal the caller may not see is a 404, never a 403, so ids of other consortia's proposals
reveal nothing. Views only parse, call a service and serialize; the services decide.
"""

from typing import Any

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.api.concurrency import expected_version, with_etag
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal
from proposals.intake.services.drafting import child_delete, child_save


class ProposalScoped:
    """Mixin for views under /api/proposals/<proposal_id>/."""

    request: Request
    kwargs: dict[str, Any]

    def get_proposal(self, perm: str = "proposals.view_proposal") -> Proposal:
        """The proposal in the URL if the caller may see it and holds `perm` on it; else a 404."""
        checked = self.__dict__.setdefault("_proposals", {})
        if perm not in checked:
            checked[perm] = access_proposal(self.request.user, self.kwargs["proposal_id"], perm=perm)
        return checked[perm]

    @property
    def schema_only(self) -> bool:
        # drf-spectacular instantiates views without URL kwargs to read their shape.
        return getattr(self, "swagger_fake_view", False)


def parse(
    serializer_class: type[serializers.Serializer], request: Request, *, partial: bool = False, **context: Any
) -> dict[str, Any]:
    """Validate request data with an input serializer; DRF's ValidationError becomes a 400."""
    serializer = serializer_class(data=request.data, partial=partial, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ChildListCreateApi(ProposalScoped, generics.ListAPIView):
    """List a proposal's sites, line items or parties, or add one (drafting.child_save)."""

    kind: str  # a key of drafting.CHILDREN
    related_name: str  # the Proposal reverse accessor
    input_serializer_class: type[serializers.Serializer]

    def get_queryset(self) -> QuerySet:
        if self.schema_only:
            return Proposal.objects.none()
        return getattr(self.get_proposal(), self.related_name).all()

    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        data = parse(self.input_serializer_class, request, proposal=proposal)
        data.pop("version", None)  # a new object has no earlier version to check
        obj = child_save(proposal_id=proposal.pk, actor=request.user, kind=self.kind, data=data)
        return with_etag(Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED), obj)


class ChildDetailApi(ProposalScoped, generics.GenericAPIView):
    """Read, change (PATCH) or delete one site, line item or party of a proposal.

    Reads and changes answer with the object's version as the ETag; a change or a removal that names an
    older version (If-Match, or `version` in the body) is refused with 412 (core.api.concurrency)."""

    kind: str
    related_name: str
    input_serializer_class: type[serializers.Serializer]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if self.schema_only:
            return Proposal.objects.none()
        return getattr(self.get_proposal(), self.related_name).all()

    def _object(self) -> Model:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request: Request, proposal_id: int, pk: int) -> Response:
        obj = self._object()
        return with_etag(Response(self.get_serializer(obj).data), obj)

    def patch(self, request: Request, proposal_id: int, pk: int) -> Response:
        proposal = self.get_proposal()
        data = parse(self.input_serializer_class, request, proposal=proposal, partial=True)
        version = expected_version(request, data)
        obj = child_save(
            proposal_id=proposal.pk,
            actor=request.user,
            kind=self.kind,
            data=data,
            pk=pk,
            expected_version=version,
        )
        return with_etag(Response(self.get_serializer(obj).data), obj)

    def delete(self, request: Request, proposal_id: int, pk: int) -> Response:
        proposal = self.get_proposal()
        child_delete(
            proposal_id=proposal.pk,
            actor=request.user,
            kind=self.kind,
            pk=pk,
            expected_version=expected_version(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
