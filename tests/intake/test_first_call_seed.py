"""The first call's seed reads data/first_call.json; migration 0017 keeps its own frozen copy. They agree."""

import datetime
import importlib
from decimal import Decimal

import pytest

from proposals.intake.models.call import Call, Criterion, Rubric
from proposals.intake.services.calls import first_call_seed

pytestmark = pytest.mark.django_db

migration = importlib.import_module("proposals.migrations.0017_calls_for_proposals")


def test_first_call_seed_matches_the_call_migration_0017_created():
    # The migrated test database holds the migration's call; seed into an emptied one.
    Criterion.objects.filter(rubric__call__slug=migration.FIRST_CALL["slug"]).delete()
    Rubric.objects.filter(call__slug=migration.FIRST_CALL["slug"]).delete()
    Call.objects.filter(slug=migration.FIRST_CALL["slug"]).delete()

    call = first_call_seed()

    frozen = {name: value for name, value in migration.FIRST_CALL.items()}
    assert {name: getattr(call, name) for name in frozen} == frozen
    rubric = call.rubrics.get(version=1)
    assert [
        (c.code, c.title, c.description, c.weight, c.order) for c in rubric.criteria.order_by("order")
    ] == [
        (code, title, text, Decimal(weight), n)
        for n, (code, title, text, weight) in enumerate(migration.FIRST_RUBRIC, start=1)
    ]
    assert (rubric.is_published, call.opens_on) == (True, datetime.date(2026, 4, 1))


def test_first_call_seed_twice_keeps_one_call_and_one_rubric():
    first = first_call_seed()
    again = first_call_seed()
    assert (again.pk, again.rubrics.count(), again.rubrics.get().criteria.count()) == (first.pk, 1, 6)
