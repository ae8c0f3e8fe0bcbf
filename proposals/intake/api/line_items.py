"""/api/proposals/<id>/line-items/: the package by layer, each item with its value and US-origin content."""

from typing import Any

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
from proposals.intake.models.proposal import LineItem, Site
from proposals.intake.policy.amounts import LINE_VALUE_MAX, QUANTITY_MAX
from proposals.intake.services.drafting import ITEM_FIELDS


class LineItemInput(serializers.ModelSerializer):
    version = version_input()

    class Meta:
        model = LineItem
        fields = [*ITEM_FIELDS, "version"]
        # The bounds show in the schema; the model's clean() also checks the line's total.
        extra_kwargs = {
            "site": {"help_text": "One of this proposal's sites (its id), or null."},
            "quantity": {"max_value": QUANTITY_MAX},
            "unit_value": {"max_value": LINE_VALUE_MAX},
            "us_origin_value": {"max_value": LINE_VALUE_MAX},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this proposal's sites exist as far as this field is concerned.
        proposal = self.context.get("proposal")
        self.fields["site"].queryset = (
            Site.objects.filter(proposal=proposal) if proposal else Site.objects.none()
        )


class LineItemOutput(serializers.ModelSerializer):
    version = version_output()
    # No digit limit: a row saved before amounts were bounded must still be listed, not fail the list.
    total_value = serializers.DecimalField(
        max_digits=None, decimal_places=2, read_only=True, help_text="Quantity times unit value (USD)."
    )

    class Meta:
        model = LineItem
        fields = ["id", *ITEM_FIELDS, "total_value", "version"]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(responses={200: LineItemOutput(many=True), **error_responses(404)}),
    post=extend_schema(
        request=LineItemInput, responses={201: LineItemOutput, **error_responses(400, 403, 404, 409)}
    ),
)
class LineItemListCreateApi(ChildListCreateApi):
    """The proposal's line items by layer; add one (drafts and returned proposals, lead and editors)."""

    kind = "item"
    related_name = "line_items"
    input_serializer_class = LineItemInput
    serializer_class = LineItemOutput


@extend_schema_view(
    get=extend_schema(parameters=READ_PARAMETERS, responses={200: LineItemOutput, **error_responses(404)}),
    patch=extend_schema(
        parameters=WRITE_PARAMETERS,
        request=LineItemInput,
        responses={200: LineItemOutput, **error_responses(400, 403, 404, 409, 412)},
    ),
    delete=extend_schema(
        parameters=DELETE_PARAMETERS, responses={204: None, **error_responses(403, 404, 409, 412)}
    ),
)
class LineItemDetailApi(ChildDetailApi):
    """One line item: read, change or delete."""

    kind = "item"
    related_name = "line_items"
    input_serializer_class = LineItemInput
    serializer_class = LineItemOutput
