"""ECCNs are written as the EAR writes them (3A090.a) and matched whatever the case they came in."""

import importlib

import pytest
from django.apps import apps
from django.db.models.functions import Upper

from proposals.commerce.models import LicenseGate, LicensingRule
from proposals.commerce.policy.eccn import eccn_matches, is_valid_eccn, normalize_eccn
from proposals.commerce.services.licensing import licenses_determine, licenses_owed
from proposals.intake.models.proposal import LineItem

ear_spelling = importlib.import_module("proposals.migrations.0011_eccn_ear_spelling")


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("3a090.A", "3A090.a"),
        ("3A090.a", "3A090.a"),
        (" 5a992. C ", "5A992.c"),
        ("4A003.Z", "4A003.z"),
        ("3A001.B.4", "3A001.b.4"),
        ("ear99", "EAR99"),
        ("3a090", "3A090"),
        ("3A090.*", "3A090.*"),
        ("", ""),
    ],
)
def test_eccn_written_as_the_ear_writes_it(typed, written):
    assert normalize_eccn(typed) == written


@pytest.mark.parametrize("value", ["3A090.a", "3a090.A", "5A992.C", "EAR99", "ear99"])
def test_eccn_valid_in_any_case(value):
    assert is_valid_eccn(value) is True


@pytest.mark.parametrize("value", ["3F090", "A3090", "3A09", "not-an-eccn"])
def test_eccn_invalid_when_not_shaped_like_one(value):
    assert is_valid_eccn(value) is False


@pytest.mark.parametrize(
    ("eccn", "pattern", "covered"),
    [
        ("3A090.a", "3A090", True),
        ("3A090.A", "3A090", True),
        ("3A090.a", "3A090.*", True),
        ("5A992.z", "5A992.Z", True),
        ("5A992.Z", "5A992.z", True),
        ("5A992.c", "5A992.Z", False),
        ("3A0901", "3A090", False),
    ],
)
def test_eccn_matches_rule_patterns_case_insensitively(eccn, pattern, covered):
    assert eccn_matches(eccn, pattern) is covered


@pytest.mark.django_db
def test_eccn_migration_rewrites_stored_values_and_keeps_their_gates(in_review):
    # As stored before: upper-cased items, gates and rule patterns.
    licenses_determine(proposal_id=in_review.pk)
    LineItem.objects.filter(proposal=in_review).update(eccn=Upper("eccn"))
    LicenseGate.objects.filter(proposal=in_review).update(eccn=Upper("eccn"))
    rule = LicensingRule.objects.get(code="advanced-computing-destination")
    rule.eccn_patterns = ["3A090", "4A090", "5A992.Z"]
    rule.save(update_fields=["eccn_patterns"])
    assert LicenseGate.objects.filter(proposal=in_review, eccn="3A090.A").exists()

    ear_spelling.forwards(apps, None)

    assert set(LineItem.objects.filter(proposal=in_review).values_list("eccn", flat=True)) == {
        "3A090.a",
        "4A090.a",
        "5A992.c",
        "5D992.c",
        "EAR99",
    }
    assert list(LicenseGate.objects.filter(proposal=in_review).values_list("eccn", flat=True)) == [
        "3A090.a",
        "4A090.a",
    ]
    rule.refresh_from_db()
    assert rule.eccn_patterns == ["3A090", "4A090", "5A992.z"]
    # The next determination (asked for again: one for this revision and policy has run) finds the
    # same gates: none opened beside them.
    licenses_owed(proposal_ids=[in_review.pk])
    assert licenses_determine(proposal_id=in_review.pk) == {
        "opened": 0,
        "reopened": 0,
        "closed": 0,
        "kept": 2,
    }
