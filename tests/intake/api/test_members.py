"""/api/consortia/<id>/members/: the same rules as the Members page, in the API's error shape."""

import pytest

from proposals.core.enums import MemberRole
from proposals.intake.models.consortium import ConsortiumMember
from tests.factories import CompanyFactory, ConsortiumFactory, MemberFactory

pytestmark = pytest.mark.django_db

NEW = {
    "legal_name": "Gulf Fabric Networks LLC",
    "role": "partner",
    "layers": ["networking", "cloud"],
    "country_of_incorporation": "US",
    "principal_place_of_business": "AE",
}


def url(consortium, member=None) -> str:
    base = f"/api/consortia/{consortium.pk}/members/"
    return base if member is None else f"{base}{member.pk}/"


def _partner(consortium) -> ConsortiumMember:
    return consortium.members.filter(role=MemberRole.PARTNER).order_by("pk").first()


def _anchor(consortium) -> ConsortiumMember:
    return consortium.members.get(role=MemberRole.ANCHOR)


def test_list_shows_members_with_their_companies_anchor_first(as_viewer, consortium):
    MemberFactory(consortium=ConsortiumFactory(), company=_partner(consortium).company)

    body = as_viewer.get(url(consortium)).json()

    rows = body["results"] if isinstance(body, dict) else body
    assert [row["role"] for row in rows] == ["anchor", "partner"]
    assert rows[1]["other_consortia"] == 1
    assert set(rows[1]["company"]) == {
        "id",
        "legal_name",
        "country_of_incorporation",
        "principal_place_of_business",
        "ultimate_parent",
        "ultimate_parent_country",
        "owners",
    }


def test_lead_creates_a_member_with_a_new_company(as_lead, consortium):
    response = as_lead.post(url(consortium), NEW, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["role"], body["layers"], body["company"]["principal_place_of_business"]) == (
        "partner",
        ["cloud", "networking"],
        "AE",
    )


def test_lead_naming_another_consortiums_company_gets_the_unknown_name_answer(as_lead, consortium):
    MemberFactory(
        consortium=ConsortiumFactory(),
        company=CompanyFactory(legal_name="Shared Co", ultimate_parent="Secret Parent Holdings"),
    )

    taken = as_lead.post(url(consortium), {"existing_company": "shared co"}, format="json")
    unknown = as_lead.post(url(consortium), {"existing_company": "shared cp"}, format="json")

    assert taken.status_code == unknown.status_code == 400
    assert taken.json()["extra"]["fields"]["existing_company"] == [
        f"{consortium.name} has not entered a company named “shared co”: add it as a new company with "
        "its details."
    ]
    assert "Secret Parent" not in taken.content.decode()
    assert consortium.members.count() == 2


def test_lead_creates_its_own_record_of_a_company_another_consortium_has(as_lead, consortium):
    theirs = MemberFactory(
        consortium=ConsortiumFactory(),
        company=CompanyFactory(legal_name="Shared Co", ultimate_parent="Secret Parent Holdings"),
    ).company

    response = as_lead.post(url(consortium), {**NEW, "legal_name": "Shared Co"}, format="json")

    body = response.json()
    assert response.status_code == 201
    assert body["company"]["id"] != theirs.pk
    assert (body["company"]["ultimate_parent"], body["other_consortia"]) == ("", 0)


def test_create_bad_input_is_a_400_with_field_errors(as_lead, consortium):
    response = as_lead.post(url(consortium), {**NEW, "layers": ["quantum"], "role": "anchor"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["extra"]["fields"]) == {"layers"}


def test_create_second_anchor_is_a_400_on_role(as_lead, consortium):
    response = as_lead.post(url(consortium), {**NEW, "role": "anchor"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["role"]
    assert consortium.members.count() == 2


def test_create_a_company_twice_is_a_400(as_lead, consortium):
    name = _partner(consortium).company.legal_name

    response = as_lead.post(url(consortium), {"existing_company": name}, format="json")

    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["existing_company"]


def test_non_leads_writing_get_403(as_editor, as_viewer, consortium):
    partner = _partner(consortium)
    for client in (as_editor, as_viewer):
        assert client.post(url(consortium), NEW, format="json").status_code == 403
        assert client.patch(url(consortium, partner), {"layers": []}, format="json").status_code == 403
        response = client.delete(url(consortium, partner))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert consortium.members.count() == 2


def test_another_consortiums_members_are_not_found(as_outsider, consortium):
    partner = _partner(consortium)
    assert as_outsider.get(url(consortium)).status_code == 404
    assert as_outsider.post(url(consortium), NEW, format="json").status_code == 404
    assert as_outsider.get(url(consortium, partner)).status_code == 404
    response = as_outsider.delete(url(consortium, partner))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_member_of_another_consortium_under_this_one_is_not_found(as_lead, consortium):
    theirs = MemberFactory(consortium=ConsortiumFactory())

    assert as_lead.get(url(consortium, theirs)).status_code == 404


def test_patch_changes_layers_and_company_details(as_lead, consortium):
    partner = _partner(consortium)

    response = as_lead.patch(
        url(consortium, partner),
        {"layers": ["storage"], "ultimate_parent": "Holdco", "ultimate_parent_country": "GB"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (
        body["layers"],
        body["company"]["ultimate_parent"],
        body["company"]["ultimate_parent_country"],
    ) == (
        ["storage"],
        "Holdco",
        "GB",
    )


def test_put_needs_every_field(as_lead, consortium):
    response = as_lead.put(url(consortium, _partner(consortium)), {"layers": []}, format="json")

    assert response.status_code == 400
    assert {"role", "legal_name", "country_of_incorporation", "principal_place_of_business"} <= set(
        response.json()["extra"]["fields"]
    )


def test_patch_role_anchor_hands_the_role_over(as_lead, consortium):
    old, new = _anchor(consortium), _partner(consortium)

    response = as_lead.patch(url(consortium, new), {"role": "anchor"}, format="json")

    assert response.status_code == 200
    assert _anchor(consortium) == new
    old.refresh_from_db()
    assert old.role == "partner"


def test_demoting_the_anchor_is_a_409(as_lead, consortium):
    anchor = _anchor(consortium)

    response = as_lead.patch(url(consortium, anchor), {"role": "partner"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "anchor_required"
    assert _anchor(consortium) == anchor


def test_removing_the_anchor_is_a_409_and_a_partner_is_removed(as_lead, consortium):
    response = as_lead.delete(url(consortium, _anchor(consortium)))
    assert (response.status_code, response.json()["code"]) == (409, "anchor_required")

    partner = _partner(consortium)
    assert as_lead.delete(url(consortium, partner)).status_code == 204
    assert not ConsortiumMember.objects.filter(pk=partner.pk).exists()


@pytest.mark.parametrize("extra_members", [0, 3])
def test_member_list_query_count_does_not_grow(
    as_lead, consortium, django_assert_max_num_queries, extra_members
):
    for _ in range(extra_members):
        MemberFactory(consortium=consortium)

    # One query more than without owners: every company's owners, prefetched at once.
    with django_assert_max_num_queries(5):
        response = as_lead.get(url(consortium))

    assert response.status_code == 200
