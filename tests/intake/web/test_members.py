"""The Members page: the lead adds, edits, hands over the anchor role and removes; others only read."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from proposals.core.enums import Layer, MemberRole
from proposals.intake.models.consortium import Company, ConsortiumMember
from proposals.intake.services.transitions import proposal_transition
from tests.factories import CompanyFactory, ConsortiumFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _url(consortium, name: str = "consortium-members", member=None) -> str:
    kwargs = {"consortium_pk": consortium.pk}
    if member is not None:
        kwargs["member_pk"] = member.pk
    return reverse(name, kwargs=kwargs)


def _partner(consortium) -> ConsortiumMember:
    return consortium.members.filter(role=MemberRole.PARTNER).order_by("pk").first()


def _anchor(consortium) -> ConsortiumMember:
    return consortium.members.get(role=MemberRole.ANCHOR)


NEW = {
    "new-legal_name": "Gulf Fabric Networks LLC",
    "new-role": "partner",
    "new-layers": ["networking"],
    "new-country_of_incorporation": "US",
    "new-principal_place_of_business": "AE",
    "new-ultimate_parent": "",
    "new-ultimate_parent_country": "",
}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_members_page_lists_every_field_for_the_lead_with_actions(lead_client, consortium):
    partner = _partner(consortium)
    partner.company.ultimate_parent = "Parent Holdings"
    partner.company.ultimate_parent_country_id = "GB"
    partner.company.save()

    html = lead_client.get(_url(consortium)).content.decode()

    assert partner.company.legal_name in html
    assert "Parent Holdings (United Kingdom" in html
    assert "cloud, storage, networking, application" in html
    assert "Anchor (lead applicant)" in html
    assert _url(consortium, "consortium-member-delete", partner) in html
    assert _url(consortium, "consortium-member-anchor", partner) in html
    assert "Add a new company" in html
    # The anchor itself cannot be removed or made anchor again: no such links.
    assert _url(consortium, "consortium-member-delete", _anchor(consortium)) not in html


def test_members_page_is_read_only_for_editors_and_viewers(editor_client, viewer_client, consortium):
    for client in (editor_client, viewer_client):
        html = client.get(_url(consortium)).content.decode()
        assert _partner(consortium).company.legal_name in html
        assert "Add a new company" not in html
        assert "Only the consortium's lead can change it." in html
        assert client.post(_url(consortium), NEW).status_code == 403
        assert client.get(_url(consortium, "consortium-member", _partner(consortium))).status_code == 403
        assert (
            client.post(_url(consortium, "consortium-member-delete", _partner(consortium))).status_code == 403
        )
    assert consortium.members.count() == 2


def test_members_pages_of_another_consortium_are_not_found(outsider_client, consortium):
    partner = _partner(consortium)
    assert outsider_client.get(_url(consortium)).status_code == 404
    assert outsider_client.post(_url(consortium), NEW).status_code == 404
    for name in ("consortium-member", "consortium-member-delete", "consortium-member-anchor"):
        assert outsider_client.post(_url(consortium, name, partner)).status_code == 404
    assert ConsortiumMember.objects.filter(pk=partner.pk).exists()


def test_nav_and_editor_link_to_the_members_page(lead_client, consortium, draft):
    nav = lead_client.get("/").context["nav_items"]
    assert ("Members", _url(consortium)) in [(i.label, i.url) for i in nav]
    html = lead_client.get(reverse("proposal-consortium", kwargs={"pk": draft.pk})).content.decode()
    assert f'href="{_url(consortium)}"' in html


def test_lead_adds_a_new_company(lead_client, consortium):
    response = lead_client.post(_url(consortium), NEW)

    assert response.status_code == 302
    member = consortium.members.get(company__legal_name="Gulf Fabric Networks LLC")
    assert (member.role, member.layers, member.company.principal_place_of_business_id) == (
        "partner",
        [Layer.NETWORKING],
        "AE",
    )
    assert _messages(response) == ["Gulf Fabric Networks LLC added as a member."]


def test_second_anchor_is_a_field_error_that_keeps_the_input(lead_client, consortium):
    response = lead_client.post(_url(consortium), {**NEW, "new-role": "anchor"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "already the anchor member" in html
    assert 'id="f-new-role-error"' in html
    assert 'value="Gulf Fabric Networks LLC"' in html
    assert not Company.objects.filter(legal_name="Gulf Fabric Networks LLC").exists()


def test_lead_naming_another_consortiums_company_learns_nothing(lead_client, consortium):
    MemberFactory(
        consortium=ConsortiumFactory(),
        company=CompanyFactory(legal_name="Shared Co", ultimate_parent="Secret Parent Holdings"),
    )

    response = lead_client.post(
        _url(consortium, "consortium-member-add-existing"),
        {"existing-existing_company": "Shared Co", "existing-role": "partner", "existing-layers": ["chips"]},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "has not entered a company named “Shared Co”" in html
    assert "Secret Parent" not in html
    assert consortium.members.count() == 2


def test_lead_adds_back_a_removed_member_by_legal_name(lead_client, consortium, lead):
    from proposals.intake.services.consortium import member_remove

    partner = _partner(consortium)
    member_remove(consortium_id=consortium.pk, member_id=partner.pk, actor=lead)

    response = lead_client.post(
        _url(consortium, "consortium-member-add-existing"),
        {"existing-existing_company": partner.company.legal_name, "existing-role": "partner"},
    )

    assert response.status_code == 302
    assert consortium.members.filter(company=partner.company).exists()


def test_adding_a_company_twice_is_a_field_error(lead_client, consortium):
    name = _partner(consortium).company.legal_name

    response = lead_client.post(
        _url(consortium, "consortium-member-add-existing"),
        {"existing-existing_company": name, "existing-role": "partner"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{name} is already a member of this consortium." in html
    assert f'value="{name}"' in html


def test_lead_edits_role_layers_and_company_details(lead_client, consortium):
    partner = _partner(consortium)
    url = _url(consortium, "consortium-member", partner)

    response = lead_client.post(
        url,
        {
            "legal_name": "Renamed Cloud Inc.",
            "role": "partner",
            "layers": ["cloud"],
            "country_of_incorporation": "US",
            "principal_place_of_business": "GB",
            "ultimate_parent": "Holdco",
            "ultimate_parent_country": "US",
        },
    )

    assert response.status_code == 302
    partner.refresh_from_db()
    partner.company.refresh_from_db()
    assert partner.layers == ["cloud"]
    assert (partner.company.legal_name, partner.company.principal_place_of_business_id) == (
        "Renamed Cloud Inc.",
        "GB",
    )
    assert _messages(response) == ["Renamed Cloud Inc. saved."]


def test_a_company_shared_with_another_consortium_is_not_renamed_from_here(lead_client, consortium):
    partner = _partner(consortium)
    MemberFactory(consortium=ConsortiumFactory(), company=partner.company)
    url = _url(consortium, "consortium-member", partner)
    assert "also a member of 1 other consortium" in lead_client.get(url).content.decode()
    name = partner.company.legal_name
    response = lead_client.post(
        url,
        {
            "legal_name": "Renamed Cloud Inc.",
            "role": "partner",
            "layers": ["cloud"],
            "country_of_incorporation": "US",
            "principal_place_of_business": "GB",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal on the name field
    assert "program administrator" in response.content.decode()
    partner.company.refresh_from_db()
    assert partner.company.legal_name == name


def test_demoting_the_anchor_in_the_form_is_refused_on_the_role_field(lead_client, consortium):
    anchor = _anchor(consortium)
    company = anchor.company

    response = lead_client.post(
        _url(consortium, "consortium-member", anchor),
        {
            "legal_name": company.legal_name,
            "role": "partner",
            "country_of_incorporation": "US",
            "principal_place_of_business": "US",
        },
    )

    assert response.status_code == 200
    assert "cannot be demoted" in response.content.decode()
    assert _anchor(consortium) == anchor


def test_make_anchor_hands_the_role_over(lead_client, consortium):
    old, new = _anchor(consortium), _partner(consortium)

    response = lead_client.post(_url(consortium, "consortium-member-anchor", new))

    assert response.status_code == 302
    assert _anchor(consortium) == new
    old.refresh_from_db()
    assert old.role == MemberRole.PARTNER


def test_remove_asks_for_confirmation_then_removes(lead_client, consortium):
    partner = _partner(consortium)
    url = _url(consortium, "consortium-member-delete", partner)

    confirm = lead_client.get(url)
    assert confirm.status_code == 200
    assert f"Remove {partner.company.legal_name}?" in confirm.content.decode()
    assert ConsortiumMember.objects.filter(pk=partner.pk).exists()

    response = lead_client.post(url)
    assert response.status_code == 302
    assert not ConsortiumMember.objects.filter(pk=partner.pk).exists()
    assert Company.objects.filter(pk=partner.company_id).exists()


def test_removing_the_anchor_is_refused_with_a_message(lead_client, consortium):
    anchor = _anchor(consortium)

    response = lead_client.post(_url(consortium, "consortium-member-delete", anchor))

    assert response.status_code == 302
    assert "is the anchor member and cannot be removed" in _messages(response)[0]
    assert ConsortiumMember.objects.filter(pk=anchor.pk).exists()


def test_member_from_a_country_of_concern_shows_on_the_proposals_checklist(lead_client, consortium, draft):
    lead_client.post(
        _url(consortium),
        {**NEW, "new-legal_name": "Pearl River Compute Ltd", "new-ultimate_parent_country": "CN"},
    )
    member = consortium.members.get(company__legal_name="Pearl River Compute Ltd")

    html = lead_client.get(reverse("proposal-checklist", kwargs={"pk": draft.pk})).content.decode()

    assert "Pearl River Compute Ltd is owned from a country of concern and is not eligible" in html
    assert f"#f-members-{member.pk}" in html


def test_reviewers_see_the_members_in_the_proposal_without_a_members_link(
    client, commerce_reviewer, consortium, complete_proposal, lead
):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    client.force_login(commerce_reviewer)

    response = client.get(reverse("proposal-consortium", kwargs={"pk": complete_proposal.pk}))

    assert response.status_code == 200
    html = response.content.decode()
    assert _partner(consortium).company.legal_name in html
    assert _url(consortium) not in html
    assert client.get(_url(consortium)).status_code == 404
