"""The API's filter backend: a filter parameter that is given must mean something.

django-filter treats an empty value, or one its field reads as "no value" (`?is_country_of_concern=null`
for a yes/no filter), as no filter at all, so a client's typo silently returns everything. Here such a
parameter is a 400 field error, as any other value the filter cannot read already is.
"""

from typing import Any

from django.db.models import QuerySet
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.request import Request

EMPTY_FILTER_MESSAGE = "Give a value, or leave this parameter out."


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        meaningless = {
            name: [EMPTY_FILTER_MESSAGE]
            for name in filterset.filters
            if name in request.query_params and filterset.form.cleaned_data.get(name) in (None, "")
        }
        if meaningless:
            raise serializers.ValidationError(meaningless)
        # The pagination reads what the filters decide about the total (a searched list's bound).
        view.filterset = filterset
        return filterset.qs
