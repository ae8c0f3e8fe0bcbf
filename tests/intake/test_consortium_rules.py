"""services.consortium: one test (or more) per membership rule, called as the web and the API call it."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied

from proposals.core.enums import Layer, MemberRole
from proposals.core.errors import AnchorRequired, InvalidInput
from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember
from proposals.intake.services.consortium import member_add, member_make_anchor, member_remove, member_update
from tests.factories import ConsortiumFactory, MemberFactory

pytestmark = pytest.mark.django_db

NEW = {
    "legal_name": "Gulf Fabric Networks LLC",
    "country_of_incorporation": "US",
    "principal_place_of_business": "US",
}


def _anchor(consortium) -> ConsortiumMember:
    return consortium.members.get(role=MemberRole.ANCHOR)


def _partner(consortium) -> ConsortiumMember:
    return consortium.members.filter(role=MemberRole.PARTNER).order_by("pk").first()


def _fields(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.extra["fields"]


# --- Who may ------------------------------------------------------------------------------------


def test_only_the_lead_may_change_members(consortium, editor, viewer):
    for user in (editor, viewer):
        with pytest.raises(PermissionDenied):
            member_add(consortium_id=consortium.pk, actor=user, company=dict(NEW))

    assert consortium.members.count() == 2


def test_another_consortiums_user_gets_not_found(consortium, outsider):
    with pytest.raises(Consortium.DoesNotExist):
        member_remove(consortium_id=consortium.pk, member_id=_partner(consortium).pk, actor=outsider)


# --- Rule: exactly one anchor -------------------------------------------------------------------


def test_one_anchor_a_second_anchor_is_a_field_error(consortium, lead):
    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, role=MemberRole.ANCHOR, company=dict(NEW))

    assert list(_fields(refused)) == ["role"]
    assert "already the anchor member" in _fields(refused)["role"][0]
    assert not Company.objects.filter(legal_name=NEW["legal_name"]).exists()


def test_one_anchor_the_anchor_cannot_be_removed(consortium, lead):
    anchor = _anchor(consortium)

    with pytest.raises(AnchorRequired) as refused:
        member_remove(consortium_id=consortium.pk, member_id=anchor.pk, actor=lead)

    assert refused.value.status_code == 409
    assert ConsortiumMember.objects.filter(pk=anchor.pk).exists()


def test_one_anchor_the_anchor_cannot_be_demoted(consortium, lead):
    anchor = _anchor(consortium)

    with pytest.raises(AnchorRequired):
        member_update(
            consortium_id=consortium.pk, member_id=anchor.pk, actor=lead, data={"role": MemberRole.PARTNER}
        )

    assert _anchor(consortium) == anchor


def test_one_anchor_make_anchor_swaps_in_one_step(consortium, lead):
    old, new = _anchor(consortium), _partner(consortium)

    member_make_anchor(consortium_id=consortium.pk, member_id=new.pk, actor=lead)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.role, new.role) == (MemberRole.PARTNER, MemberRole.ANCHOR)
    assert consortium.members.filter(role=MemberRole.ANCHOR).count() == 1


def test_one_anchor_a_consortium_without_one_may_add_it(lead, consortium):
    consortium.members.all().delete()

    member = member_add(consortium_id=consortium.pk, actor=lead, role=MemberRole.ANCHOR, company=dict(NEW))

    assert member.role == MemberRole.ANCHOR


# --- Rule: a company at most once per consortium ------------------------------------------------


def test_company_once_an_existing_member_cannot_be_added_again(consortium, lead):
    company = _partner(consortium).company

    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, existing_company=company.legal_name.upper())

    assert list(_fields(refused)) == ["existing_company"]
    assert consortium.members.filter(company=company).count() == 1


def test_company_once_a_new_company_may_not_take_a_members_name(consortium, lead):
    taken = _partner(consortium).company.legal_name

    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, company={**NEW, "legal_name": f" {taken} "})

    assert list(_fields(refused)) == ["legal_name"]


def test_company_once_a_removed_member_is_added_back_by_legal_name(consortium, lead):
    partner = _partner(consortium)
    member_remove(consortium_id=consortium.pk, member_id=partner.pk, actor=lead)

    member = member_add(
        consortium_id=consortium.pk, actor=lead, existing_company=partner.company.legal_name.upper()
    )

    assert member.company_id == partner.company_id


def test_company_once_an_unknown_legal_name_is_a_field_error(consortium, lead):
    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, existing_company="Nobody Ltd")

    assert list(_fields(refused)) == ["existing_company"]


# --- Rule: layers only from enums.Layer ---------------------------------------------------------


def test_layers_unknown_layer_is_a_field_error(consortium, lead):
    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, layers=["chips", "quantum"], company=dict(NEW))

    assert list(_fields(refused)) == ["layers"]
    assert "quantum" in _fields(refused)["layers"][0]


def test_layers_are_kept_once_in_the_enums_order(consortium, lead):
    member = member_add(
        consortium_id=consortium.pk, actor=lead, layers=["cloud", "chips", "cloud"], company=dict(NEW)
    )

    assert member.layers == [Layer.CHIPS, Layer.CLOUD]


# --- Company details ----------------------------------------------------------------------------


def test_company_details_bad_country_is_a_field_error(consortium, lead):
    with pytest.raises(InvalidInput) as refused:
        member_add(consortium_id=consortium.pk, actor=lead, company={**NEW, "country_of_incorporation": "ZZ"})

    assert list(_fields(refused)) == ["country_of_incorporation"]


def test_company_details_shared_with_another_consortium_are_not_edited_from_here(consortium, lead):
    """A company the program administrator linked into two consortia is not rewritten by either lead."""
    partner = _partner(consortium)
    other = MemberFactory(consortium=ConsortiumFactory(), company=partner.company)
    before = (partner.company.legal_name, partner.company.ultimate_parent)

    with pytest.raises(InvalidInput) as refused:
        member_update(
            consortium_id=consortium.pk,
            member_id=partner.pk,
            actor=lead,
            data={"legal_name": "Hijacked Corp", "ultimate_parent": "Somebody Else"},
        )

    assert "program administrator" in _fields(refused)["legal_name"][0]
    company = Company.objects.get(pk=other.company_id)
    assert (company.legal_name, company.ultimate_parent) == before


def test_company_details_shared_company_keeps_per_consortium_role_and_layers(consortium, lead):
    partner = _partner(consortium)
    other = MemberFactory(consortium=ConsortiumFactory(), company=partner.company)
    member_update(consortium_id=consortium.pk, member_id=partner.pk, actor=lead, data={"layers": ["storage"]})
    other.refresh_from_db()
    partner.refresh_from_db()
    assert (partner.layers, other.layers) == (["storage"], [])  # role and layers are per consortium


# --- Rule: every change is logged (LogEntry: there is no consortium-level audit) -----------------


def test_log_every_change_writes_a_log_entry(consortium, lead):
    member = member_add(consortium_id=consortium.pk, actor=lead, company=dict(NEW))
    member_update(consortium_id=consortium.pk, member_id=member.pk, actor=lead, data={"layers": ["cloud"]})
    member_make_anchor(consortium_id=consortium.pk, member_id=member.pk, actor=lead)
    old_anchor = consortium.members.filter(role=MemberRole.PARTNER).exclude(pk=member.pk).first()
    member_remove(consortium_id=consortium.pk, member_id=old_anchor.pk, actor=lead)

    flags = list(LogEntry.objects.filter(user=lead).order_by("pk").values_list("action_flag", flat=True))
    assert flags == [ADDITION, CHANGE, CHANGE, CHANGE, DELETION]


def test_log_a_refused_change_writes_nothing(consortium, lead):
    with pytest.raises(AnchorRequired):
        member_remove(consortium_id=consortium.pk, member_id=_anchor(consortium).pk, actor=lead)

    assert LogEntry.objects.count() == 0
