"""Screening covers owners, and an entity owned 50%+ by listed owners is itself a hit (affiliates rule)."""

import json
from decimal import Decimal

import pytest

from proposals.commerce.models import OwnershipPolicyVersion, ScreeningHit
from proposals.commerce.selectors import proposal_screened_names
from proposals.commerce.services.ownership import ownership_policy_current, ownership_policy_load
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.core.enums import HitStatus, ScreenedSubject
from proposals.core.errors import InvalidInput
from proposals.intake.models.consortium import Owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_end_user(in_review):
    """The end user, owned 30% by Ivan Petrov and 25% by Acme Precision (both listed), 45% by a fund."""
    party = in_review.parties.get(role="end_user")
    for name, country, percent in (
        ("Ivan Petrov", "RU", "30"),
        ("Acme Precision Co., Ltd.", "CN", "25"),
        ("Gulf Pension Fund", "AE", "45"),
    ):
        Owner.objects.create(party=party, name=name, country_id=country, percent=Decimal(percent))
    return party


def owned_hits(proposal):
    return list(ScreeningHit.objects.filter(proposal=proposal, subject_type=ScreenedSubject.OWNED))


def load_policy(tmp_path, **changes):
    payload = {
        "number": 2,
        "name": "test",
        "threshold_percent": "50",
        "enabled": True,
        "effective_from": "2025-09-29",
        "suspended_from": "2025-11-10",
        "suspended_until": "2026-11-10",
        **changes,
    }
    path = tmp_path / "ownership.json"
    path.write_text(json.dumps(payload))
    ownership_policy_current()  # version 1, the packaged default
    return ownership_policy_load(path=path)


def test_screening_covers_owners_of_parties_and_members(in_review, owned_end_user):
    company = in_review.consortium.members.first().company
    Owner.objects.create(company=company, name="Atlas Family Trust", country_id="US", percent=Decimal("60"))
    names = {(n.name, n.subject_type) for n in proposal_screened_names(in_review)}
    assert {
        ("Ivan Petrov", ScreenedSubject.OWNER),
        ("Gulf Pension Fund", ScreenedSubject.OWNER),
        ("Atlas Family Trust", ScreenedSubject.OWNER),
    } <= names


def test_affiliates_rule_party_owned_30_plus_25_by_listed_owners_is_a_hit(
    in_review, owned_end_user, csl_file
):
    # Today (after 10 Nov 2026) the packaged policy has the rule in force.
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    (hit,) = owned_hits(in_review)
    assert (hit.screened_name, hit.party_id, hit.status, hit.entry_key) == (
        owned_end_user.name,
        owned_end_user.pk,
        HitStatus.UNRESOLVED,
        "e-person",  # the largest listed owner's entry
    )
    assert hit.matched_name == (
        "Owned 50%+ by listed parties (55% in all): Ivan Petrov (30%), Acme Precision Co., Ltd. (25%)"
    )
    assert hit.subject_label == "End user, owned 50%+ by listed parties"
    # The owners' own matches are hits too.
    owner_hits = ScreeningHit.objects.filter(proposal=in_review, subject_type=ScreenedSubject.OWNER)
    assert {h.screened_name for h in owner_hits} == {"Ivan Petrov", "Acme Precision Co., Ltd."}


def test_affiliates_rule_suspended_raises_no_owned_hit(in_review, owned_end_user, csl_file, tmp_path):
    load_policy(tmp_path, suspended_until="2027-11-10")
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    assert owned_hits(in_review) == []
    # The owners' names are still screened: the suspension is of the 50% rule only.
    assert ScreeningHit.objects.filter(proposal=in_review, subject_type=ScreenedSubject.OWNER).count() == 2


def test_affiliates_rule_switched_off_by_a_new_version_removes_the_owned_hit(
    in_review, owned_end_user, csl_file, tmp_path
):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    assert len(owned_hits(in_review)) == 1
    load_policy(tmp_path, enabled=False)
    proposal_screen(proposal_id=in_review.pk)
    assert [h.status for h in owned_hits(in_review)] == [HitStatus.REMOVED]


def test_affiliates_rule_not_reached_by_listed_owners_under_50(in_review, owned_end_user, csl_file):
    Owner.objects.filter(name="Ivan Petrov").update(percent=Decimal("20"))
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    assert owned_hits(in_review) == []


def test_affiliates_rule_screening_twice_changes_nothing(in_review, owned_end_user, csl_file):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    assert proposal_screen(proposal_id=in_review.pk) == 0
    assert len(owned_hits(in_review)) == 1


def test_ownership_policy_version_must_be_newer(tmp_path):
    ownership_policy_current()
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"number": 1, "name": "again"}))
    with pytest.raises(InvalidInput):
        ownership_policy_load(path=path)
    assert OwnershipPolicyVersion.objects.count() == 1


def test_ownership_policy_suspension_must_end_after_it_starts(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps({"number": 5, "suspended_from": "2026-01-01", "suspended_until": "2025-01-01"})
    )
    with pytest.raises(InvalidInput) as refused:
        ownership_policy_load(path=path)
    assert list(refused.value.extra["fields"]) == ["suspended_until"]
    assert not OwnershipPolicyVersion.objects.exists()


def test_ownership_policy_loaded_as_a_new_version_screens_proposals_in_review_again(
    in_review, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as first_use:
        ownership_policy_current()  # the packaged default, on first use: nothing to redo
    assert first_use == []
    with django_capture_on_commit_callbacks(execute=False) as loaded:
        load_policy(tmp_path, enabled=False)
    assert len(loaded) == 1  # the one proposal in review, screened again under version 2
