"""Companies are each consortium's own record: another consortium's details (its ultimate parent
included) are never returned, linked, frozen or confirmed to exist by adding a company of that name."""

import importlib

import pytest
from django.apps import apps

from proposals.core.errors import InvalidInput
from proposals.intake.models.consortium import Company, ConsortiumMember
from proposals.intake.services.consortium import member_add, member_update
from tests.factories import CompanyFactory, ConsortiumFactory, ConsortiumUserFactory, MemberFactory

pytestmark = pytest.mark.django_db

SHARED = "Shared Co"


@pytest.fixture
def theirs(reference_data):
    """Another consortium's member, with details this consortium must never see."""
    other = ConsortiumFactory(name="Other Consortium")
    company = CompanyFactory(
        legal_name=SHARED, ultimate_parent="Secret Parent Holdings", ultimate_parent_country_id="GB"
    )
    company.entered_by = other
    company.save()
    member = MemberFactory(consortium=other, company=company)
    their_lead = ConsortiumUserFactory(consortium=other, role="lead", user__username="their-lead").user
    return member, their_lead


def _refusal(consortium, lead, name: str) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, existing_company=name)
    return refused.value.extra["fields"]["existing_company"]


def test_companies_entered_by_another_consortium_are_not_found_by_name(consortium, lead, theirs):
    assert _refusal(consortium, lead, SHARED) == [
        f"{consortium.name} has not entered a company named “{SHARED}”: add it as a new company with "
        "its details."
    ]
    assert not consortium.members.filter(company=theirs[0].company).exists()


def test_companies_entered_by_another_consortium_answer_as_an_unknown_name(consortium, lead, theirs):
    """The refusal is word for word the one for a name nobody has, so it confirms nothing."""
    taken = _refusal(consortium, lead, SHARED)
    unknown = _refusal(consortium, lead, "Nobody Ltd")

    assert taken[0].replace(SHARED, "X") == unknown[0].replace("Nobody Ltd", "X")


def test_companies_entered_by_a_same_name_add_is_this_consortiums_own_record(consortium, lead, theirs):
    member = member_add(
        consortium_id=consortium.pk,
        actor=lead,
        company={"legal_name": SHARED, "country_of_incorporation": "US", "principal_place_of_business": "US"},
    )

    assert member.company_id != theirs[0].company_id
    assert member.company.entered_by == consortium
    assert (member.company.ultimate_parent, member.company.ultimate_parent_country_id) == ("", None)
    assert Company.objects.filter(legal_name=SHARED).count() == 2


def test_companies_entered_by_the_other_consortium_keeps_editing_after_a_same_name_add(
    consortium, lead, theirs
):
    """No freeze: adding a company of the same name does not make theirs 'shared'."""
    their_member, their_lead = theirs
    member_add(
        consortium_id=consortium.pk,
        actor=lead,
        company={"legal_name": SHARED, "country_of_incorporation": "US", "principal_place_of_business": "US"},
    )

    member_update(
        consortium_id=their_member.consortium_id,
        member_id=their_member.pk,
        actor=their_lead,
        data={"ultimate_parent": "New Parent plc"},
    )

    their_member.company.refresh_from_db()
    assert their_member.company.ultimate_parent == "New Parent plc"


def test_companies_entered_by_a_new_company_records_its_consortium(consortium, lead):
    member = member_add(
        consortium_id=consortium.pk,
        actor=lead,
        company={
            "legal_name": "Fresh Co",
            "country_of_incorporation": "US",
            "principal_place_of_business": "US",
        },
    )

    assert member.company.entered_by_id == consortium.pk


def test_companies_entered_by_split_of_shared_records(consortium, theirs):
    """The migration's data step: a record two consortia shared becomes one per consortium; the
    first consortium keeps the original and the other gets a copy of its own."""
    their_member, _ = theirs
    ours = MemberFactory(consortium=consortium, company=their_member.company)  # shared the old way
    Company.objects.filter(pk=their_member.company_id).update(entered_by=None)
    migration = importlib.import_module("proposals.migrations.0015_company_entered_by")

    migration.split_shared_companies(apps, None)

    ours.refresh_from_db()
    their_member.refresh_from_db()
    assert their_member.company.entered_by_id == their_member.consortium_id
    assert ours.company_id != their_member.company_id
    assert ours.company.entered_by_id == consortium.pk
    assert ours.company.legal_name == SHARED
    assert ConsortiumMember.objects.filter(company=their_member.company).count() == 1
