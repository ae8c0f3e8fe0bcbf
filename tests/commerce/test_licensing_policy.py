"""The licensing rules as data (data/licensing_policy.json) applied by the pure policy function."""

import csv
import json
from pathlib import Path

import pytest

from proposals.commerce.policy.licensing import NO_RULE, Rule, determine_license

DATA = Path(__file__).resolve().parents[2] / "data"
RULES = [Rule.from_data(r) for r in json.loads((DATA / "licensing_policy.json").read_text())["rules"]]
with (DATA / "countries.csv").open() as fh:
    GROUPS = {row["code"]: frozenset(g for g in row["groups"].split(";") if g) for row in csv.DictReader(fh)}


def decide(eccn: str, destination: str, parties: tuple[str, ...] = ("US",)):
    return determine_license(
        eccn=eccn, destination=destination, party_countries=parties, rules=RULES, country_groups=GROUPS
    )


def test_3a090_to_uae_needs_a_license_because_uae_is_in_d4():
    result = decide("3A090", "AE")
    assert (result.required, result.rule_code, result.because) == (
        True,
        "advanced-computing-destination",
        "destination AE",
    )


def test_3a090_to_uk_needs_no_license():
    result = decide("3A090", "GB")
    assert (result.required, result.rule_code) == (False, NO_RULE)


def test_ear99_needs_no_license_even_to_d_group_destinations():
    result = decide("EAR99", "AE")
    assert (result.required, result.rule_code) == (False, "ear99-no-license")


def test_party_headquartered_in_d5_country_needs_a_license_anywhere():
    result = decide("3A090", "GB", parties=("US", "VE"))
    assert (result.required, result.rule_code, result.because) == (
        True,
        "advanced-computing-party-headquarters",
        "party in VE",
    )


def test_party_headquartered_in_macau_needs_a_license_anywhere():
    assert decide("4A090", "JP", parties=("MO",)).required is True


def test_destination_in_d5_but_also_a6_needs_no_license():
    # Cyprus is in D:5 and A:6 in data/countries.csv: the A:6 exception applies to destinations.
    assert decide("3A090", "CY").required is False


def test_macau_as_destination_needs_a_license():
    assert decide("3A090", "MO").rule_code == "advanced-computing-destination"


@pytest.mark.parametrize("eccn", ["3A090.a", "4A090.B", "5A992.z", "3a001.Z", " 5D002.z "])
def test_subparagraphs_and_listed_z_items_are_covered(eccn):
    assert decide(eccn, "SA").required is True


@pytest.mark.parametrize("eccn", ["5A992", "3A001", "4A003.b", "5A002.a"])
def test_other_eccns_need_no_license_under_these_rules(eccn):
    assert decide(eccn, "SA").required is False


def test_first_matching_rule_decides_and_its_requirement_wins():
    rules = [
        Rule.from_data(
            {"code": "exempt", "description": "", "eccn_patterns": ["3A090.X"], "requirement": "no_license"}
        ),
        *RULES,
    ]
    result = determine_license(
        eccn="3A090.x", destination="AE", party_countries=(), rules=rules, country_groups=GROUPS
    )
    assert (result.required, result.rule_code) == (False, "exempt")
