"""The first call as the migration made it, and which rubric version is current."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from proposals.core.enums import Layer
from proposals.intake.models.call import Call
from tests.factories import CallFactory, RubricFactory

pytestmark = pytest.mark.django_db


def test_first_call_migrated_with_published_rubric_weights_summing_to_100() -> None:
    call = Call.objects.get(federal_register_citation="FR 2026-06952")
    assert call.opens_on == datetime.date(2026, 4, 1)
    assert call.closes_on == datetime.date(2026, 6, 30)
    assert call.rolling is True
    assert call.required_layers == [layer.value for layer in Layer]
    rubric = call.current_rubric
    assert rubric is not None and rubric.version == 1 and rubric.is_published
    weights = [c.weight for c in rubric.criteria.all()]
    assert 4 <= len(weights) <= 6
    assert sum(weights) == Decimal("100")


def test_current_rubric_is_highest_published_version_not_a_newer_draft() -> None:
    call = CallFactory()
    assert call.current_rubric is None
    RubricFactory(call=call, version=1, published_at=timezone.now())
    v2 = RubricFactory(call=call, version=2, published_at=timezone.now())
    RubricFactory(call=call, version=3)  # draft
    assert call.current_rubric == v2
