"""The completeness rules, one test per rule, on snapshots of a proposal that passes them all."""

import copy
from decimal import Decimal

import pytest

from proposals.enums import Layer
from proposals.policy.completeness import blocking, evaluate
from proposals.selectors import completeness_rules
from proposals.snapshot import proposal_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def snap(complete_proposal):
    return proposal_snapshot(complete_proposal)


@pytest.fixture
def rules(reference_data):
    return completeness_rules()


def codes(snapshot, rules):
    return {f.code for f in blocking(evaluate(snapshot, rules=rules))}


def test_complete_proposal_has_no_blocking_findings(snap, rules):
    assert codes(snap, rules) == set()


def test_layer_missing_when_a_layer_has_no_line_item(snap, rules):
    s = copy.deepcopy(snap)
    s["line_items"] = [i for i in s["line_items"] if i["layer"] != Layer.NETWORKING]
    assert "LAYER_MISSING" in codes(s, rules)


def test_item_unclassified_when_eccn_blank(snap, rules):
    s = copy.deepcopy(snap)
    s["line_items"][0]["eccn"] = ""
    assert "ITEM_UNCLASSIFIED" in codes(s, rules)


def test_hardware_us_content_below_51_percent_is_blocking(snap, rules):
    s = copy.deepcopy(snap)
    for item in s["line_items"]:
        if item["layer"] in (Layer.CHIPS, Layer.SERVERS, Layer.STORAGE, Layer.NETWORKING):
            item["us_origin_value"] = "0"
    assert "HARDWARE_US_CONTENT_BELOW_51" in codes(s, rules)


def test_us_content_threshold_comes_from_the_program_settings(snap, reference_data):
    from proposals.models import ProgramSettings

    s = copy.deepcopy(snap)
    item = next(i for i in s["line_items"] if i["layer"] == Layer.CHIPS)
    item["us_origin_value"] = str(Decimal(item["us_origin_value"]) - 1)
    assert "HARDWARE_US_CONTENT_BELOW_51" not in codes(s, completeness_rules())
    program = ProgramSettings.current()
    program.hardware_us_content_min = Decimal("1.00")
    program.save()
    assert "HARDWARE_US_CONTENT_BELOW_51" in codes(s, completeness_rules())


def test_site_role_missing_when_operator_blank(snap, rules):
    s = copy.deepcopy(snap)
    s["sites"][0]["operator"] = ""
    assert "SITE_ROLE_MISSING" in codes(s, rules)


def test_party_country_of_concern_is_blocking(snap, rules):
    s = copy.deepcopy(snap)
    s["parties"][0]["country"] = "HK"
    assert "PARTY_COUNTRY_OF_CONCERN" in codes(s, rules)


def test_member_owned_from_country_of_concern_is_blocking(snap, rules):
    s = copy.deepcopy(snap)
    s["members"][1]["ultimate_parent_country"] = "CN"
    assert "MEMBER_COUNTRY_OF_CONCERN" in codes(s, rules)


def test_financing_above_eligible_amount_is_blocking(snap, rules):
    s = copy.deepcopy(snap)
    s["financing"]["amount"] = str(Decimal(s["financing"]["amount"]) * 10)
    assert "FINANCING_ABOVE_ELIGIBLE" in codes(s, rules)


def test_required_document_missing(snap, rules):
    s = copy.deepcopy(snap)
    s["documents"] = []
    assert "DOCUMENT_MISSING" in codes(s, rules)


def test_every_finding_names_a_field_and_says_how_to_fix_it(rules, reference_data):
    empty = {
        "title": "",
        "summary": "",
        "target_countries": [],
        "target_blocs": "",
        "use_cases": "",
        "security_measures": "",
        "end_use": "",
        "confidential_sections": [],
        "financing": {"product": "", "amount": None, "local_costs": None, "tenor_years": None},
        "members": [],
        "sites": [],
        "line_items": [],
        "parties": [],
        "documents": [],
    }
    findings = evaluate(empty, rules=rules)
    assert len(findings) >= 8
    assert all(f.field and len(f.message) > 15 for f in findings)
