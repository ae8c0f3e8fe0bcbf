"""Parties carry ownership: headquarters and ultimate parent drive the licensing rule on parties,
screening covers parties' parents, and completeness refuses parties tied to a country of concern."""

import importlib

import pytest
from django.apps import apps

from proposals.commerce.models import LicenseGate
from proposals.commerce.selectors import proposal_screened_names
from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.core.enums import ScreenedSubject
from proposals.intake.models.proposal import Party
from proposals.intake.policy.completeness import CompletenessRules, evaluate
from proposals.intake.selectors import proposal_snapshot

pytestmark = pytest.mark.django_db

party_fields = importlib.import_module("proposals.migrations.0014_party_headquarters_and_parent")


def gate_rules(proposal):
    return sorted(
        (g.eccn, g.destination_id, g.rule_code) for g in LicenseGate.objects.filter(proposal=proposal)
    )


def test_party_headquarters_rule_party_located_where_no_license_is_needed_but_headquartered_in_d5(in_review):
    # Delivered to the UK (no license by destination), the end user located there, headquartered in VE.
    in_review.sites.update(country_id="GB")
    in_review.parties.update(country_id="GB", headquarters_country_id="GB")
    in_review.parties.filter(role="end_user").update(headquarters_country_id="VE")
    licenses_determine(proposal_id=in_review.pk)
    assert gate_rules(in_review) == [
        ("3A090.a", "GB", "advanced-computing-party-headquarters"),
        ("4A090.a", "GB", "advanced-computing-party-headquarters"),
    ]


def test_party_headquarters_rule_reads_the_ultimate_parent_country(in_review):
    in_review.sites.update(country_id="GB")
    in_review.parties.update(country_id="GB", headquarters_country_id="GB")
    in_review.parties.filter(role="purchaser").update(
        ultimate_parent="Lotus Holdings", ultimate_parent_country_id="MO"
    )
    licenses_determine(proposal_id=in_review.pk)
    assert {rule for *_, rule in gate_rules(in_review)} == {"advanced-computing-party-headquarters"}


def test_party_headquarters_rule_ignores_the_delivery_location(in_review):
    # Located in VE (D:5) but headquartered in the UK with no parent: the party rule does not fire,
    # and the items go to the UK, which needs no license.
    in_review.sites.update(country_id="GB")
    in_review.parties.update(country_id="GB", headquarters_country_id="GB")
    in_review.parties.filter(role="end_user").update(country_id="VE")
    licenses_determine(proposal_id=in_review.pk)
    assert gate_rules(in_review) == []


def test_party_headquarters_default_to_the_location_for_existing_rows(in_review):
    party = in_review.parties.first()
    Party.objects.filter(pk=party.pk).update(country_id="KE", headquarters_country=None)
    party_fields.headquarters_from_location(apps, None)
    party.refresh_from_db()
    assert (party.country_id, party.headquarters_country_id) == ("KE", "KE")


def test_screening_covers_parties_ultimate_parents(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    party = in_review.parties.get(role="end_user")
    party.ultimate_parent = "Ivan Petrov"
    party.save()
    assert ("Ivan Petrov", ScreenedSubject.PARTY_PARENT) in {
        (n.name, n.subject_type) for n in proposal_screened_names(in_review)
    }
    proposal_screen(proposal_id=in_review.pk)
    hit = in_review.screening_hits.get(entry_key="e-person")
    assert (hit.subject_type, hit.party_id, hit.subject_label) == (
        ScreenedSubject.PARTY_PARENT,
        party.pk,
        f"Parent of {party.name} (End user)",
    )


@pytest.mark.parametrize(
    ("field", "words"),
    [("headquarters_country", "headquartered in"), ("ultimate_parent_country", "owned from")],
)
def test_completeness_party_tied_to_a_country_of_concern_by_headquarters_or_parent(
    complete_proposal, field, words
):
    party = complete_proposal.parties.get(role="end_user")
    Party.objects.filter(pk=party.pk).update(**{f"{field}_id": "CN"})
    findings = [
        f
        for f in evaluate(proposal_snapshot(complete_proposal), rules=CompletenessRules())
        if f.code == "PARTY_OWNERSHIP_OF_CONCERN"
    ]
    assert [(f.field, f.severity) for f in findings] == [(f"parties.{party.pk}.{field}", "blocking")]
    assert f"{party.name} is {words} a country of concern" in findings[0].message
