"""The completeness rules, one test per rule, on snapshots of a proposal that passes them all."""

import copy
from decimal import Decimal

import pytest

from proposals.core.enums import Layer
from proposals.intake.policy.completeness import blocking, evaluate
from proposals.intake.selectors import completeness_rules, proposal_snapshot

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
    from proposals.core.models.reference import ProgramSettings

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


def _with_us_share(snapshot, share: str, *, amount_share: str | None = None):
    """Every line item `share` US-origin; the amount requested `amount_share` of the contract."""
    s = copy.deepcopy(snapshot)
    contract = Decimal("0")
    for item in s["line_items"]:
        value = Decimal(item["unit_value"]) * item["quantity"]
        contract += value
        item["us_origin_value"] = str((value * Decimal(share)).quantize(Decimal("0.01")))
    if amount_share is not None:
        s["financing"]["amount"] = str((contract * Decimal(amount_share)).quantize(Decimal("0.01")))
    return s


def _program(**changes):
    from proposals.core.models.reference import ProgramSettings

    program = ProgramSettings.current()
    for name, value in changes.items():
        setattr(program, name, value)
    program.save()
    return completeness_rules()


def test_content_rule_transformational_70_percent_us_allows_85_percent_of_contract(snap, rules):
    s = _with_us_share(snap, "0.70", amount_share="0.85")
    assert codes(s, rules) == set()


def test_content_rule_standard_outside_transformational_sectors_caps_request_at_us_content(
    snap, reference_data
):
    from proposals.core.enums import ExportSector

    rules = _program(package_sector=ExportSector.OTHER)
    s = _with_us_share(snap, "0.70", amount_share="0.85")
    assert codes(s, rules) == {"FINANCING_ABOVE_ELIGIBLE"}
    assert codes(_with_us_share(snap, "0.70", amount_share="0.70"), rules) == set()


def test_us_jobs_plan_missing_below_transformational_threshold_is_blocking(snap, reference_data):
    rules = _program(transformational_content_min=Decimal("0.95"), hardware_us_content_min=Decimal("0.5"))
    s = _with_us_share(snap, "0.94", amount_share="0.85")
    finding = next(f for f in evaluate(s, rules=rules) if f.code == "US_JOBS_PLAN_MISSING")
    assert (finding.severity, finding.section, finding.field) == (
        "blocking",
        "documents",
        "documents.us_jobs_plan",
    )
    assert finding.message.startswith("US content is 94% of the contract, below the 95% threshold")
    assert codes(s, rules) == {"US_JOBS_PLAN_MISSING"}


def test_us_jobs_plan_missing_on_both_sides_of_51_percent(snap, rules):
    assert "US_JOBS_PLAN_MISSING" in codes(_with_us_share(snap, "0.5099", amount_share="0.5"), rules)
    assert "US_JOBS_PLAN_MISSING" not in codes(_with_us_share(snap, "0.51", amount_share="0.85"), rules)


def test_us_jobs_plan_attached_satisfies_the_content_rule(snap, rules):
    s = _with_us_share(snap, "0.5099", amount_share="0.5")
    s["documents"].append({"id": 0, "category": "us_jobs_plan", "original_name": "jobs.pdf", "sha256": ""})
    assert "US_JOBS_PLAN_MISSING" not in codes(s, rules)


def test_us_jobs_plan_not_required_outside_transformational_sectors(snap, reference_data):
    from proposals.core.enums import ExportSector

    rules = _program(package_sector=ExportSector.OTHER)
    assert "US_JOBS_PLAN_MISSING" not in codes(_with_us_share(snap, "0.40", amount_share="0.40"), rules)
