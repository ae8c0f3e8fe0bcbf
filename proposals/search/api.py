"""/api/saved-filters/: a user's saved filters on the lists (apply one by sending its query to the list)."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.base import parse
from proposals.core.api.errors import error_responses
from proposals.search.enums import SearchList
from proposals.search.models import SavedFilter
from proposals.search.selectors import saved_filters_for
from proposals.search.services import saved_filter_create, saved_filter_delete


class SavedFilterOutput(serializers.ModelSerializer):
    list_name = serializers.ChoiceField(choices=SearchList.choices, help_text="The list the filter is for.")
    query = serializers.CharField(
        help_text="The list's query string: send it to the list to apply the filter."
    )

    class Meta:
        model = SavedFilter
        fields = ["id", "list_name", "name", "query", "created_at"]
        read_only_fields = fields


class SavedFilterInput(serializers.Serializer):
    list_name = serializers.ChoiceField(choices=SearchList.choices)
    name = serializers.CharField(max_length=80)
    query = serializers.CharField(
        max_length=1000,
        allow_blank=True,
        help_text="The list's query string (`q=north&eccn=3A090`); checked against the list's filters.",
    )


class SavedFilterListApi(APIView):
    """Your saved filters (all lists, or `?list_name=` one); save a new one (400 with field errors
    when its name is taken or its query is not one the list accepts)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: SavedFilterOutput(many=True), **error_responses(400)})
    def get(self, request: Request) -> Response:
        list_name = request.query_params.get("list_name")
        if list_name is not None and list_name not in SearchList.values:
            raise serializers.ValidationError({"list_name": ["Choose one of the lists."]})
        rows = saved_filters_for(request.user, list_name=list_name)
        return Response(SavedFilterOutput(rows, many=True).data)

    @extend_schema(request=SavedFilterInput, responses={201: SavedFilterOutput, **error_responses(400)})
    def post(self, request: Request) -> Response:
        data: dict[str, Any] = parse(SavedFilterInput, request)
        saved = saved_filter_create(user=request.user, **data)
        return Response(SavedFilterOutput(saved).data, status=status.HTTP_201_CREATED)


class SavedFilterDetailApi(APIView):
    """One of your saved filters: read or delete it (another user's is a 404)."""

    permission_classes = [permissions.IsAuthenticated]

    def _get(self, request: Request, pk: int) -> SavedFilter:
        saved = saved_filters_for(request.user).filter(pk=pk).first()
        if saved is None:
            raise Http404("No such saved filter.")
        return saved

    @extend_schema(responses={200: SavedFilterOutput, **error_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(SavedFilterOutput(self._get(request, pk)).data)

    @extend_schema(responses={204: None, **error_responses(404)})
    def delete(self, request: Request, pk: int) -> Response:
        self._get(request, pk)
        try:
            saved_filter_delete(user=request.user, pk=pk)
        except SavedFilter.DoesNotExist as exc:
            raise Http404("No such saved filter.") from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
