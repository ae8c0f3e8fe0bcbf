"""Sites, line items and parties under /api/proposals/<id>/: CRUD, bad input, roles, other consortia."""

import pytest

from proposals.intake.models.proposal import LineItem, Party, Site
from proposals.intake.services.drafting import child_save, proposal_create
from proposals.intake.services.transitions import proposal_transition
from tests.factories import open_call

pytestmark = pytest.mark.django_db

SITE = {
    "name": "Nairobi Campus",
    "country": "KE",
    "city": "Nairobi",
    "builder": "Savanna Build",
    "owner": "Kenya AI Co.",
    "operator": "Beacon Cloud LLC",
}
ITEM = {
    "layer": "chips",
    "description": "AI accelerator",
    "manufacturer": "Northstar Silicon Inc.",
    "origin_country": "US",
    "eccn": "3a090.a",
    "quantity": 16,
    "unit_value": "30000.00",
    "us_origin_value": "432000.00",
    "site": None,
}
# The same site as the drafting service takes it (country by id).
SITE_DATA = {**{k: v for k, v in SITE.items() if k != "country"}, "country_id": "KE"}
PARTY = {
    "role": "end_user",
    "name": "Kenya Ministry of Health",
    "address": "Afya House, Nairobi",
    "country": "KE",
}


def url(proposal, resource: str, pk: int | None = None) -> str:
    return f"/api/proposals/{proposal.pk}/{resource}/" + (f"{pk}/" if pk else "")


def test_site_crud(as_editor, draft):
    created = as_editor.post(url(draft, "sites"), SITE, format="json")
    assert created.status_code == 201
    site = Site.objects.get()
    assert created.json() == {"id": site.pk, **SITE, "version": 1}
    assert as_editor.get(url(draft, "sites")).json()["results"] == [{"id": site.pk, **SITE, "version": 1}]
    assert as_editor.get(url(draft, "sites", site.pk)).json() == {"id": site.pk, **SITE, "version": 1}

    changed = as_editor.patch(url(draft, "sites", site.pk), {"city": "Mombasa"}, format="json")
    assert changed.status_code == 200
    assert changed.json() == {"id": site.pk, **SITE, "city": "Mombasa", "version": 2}

    assert as_editor.delete(url(draft, "sites", site.pk)).status_code == 204
    assert not Site.objects.exists()
    assert as_editor.get(url(draft, "sites", site.pk)).status_code == 404


def test_line_item_crud_normalizes_eccn_and_totals(as_editor, draft, lead):
    site = child_save(proposal_id=draft.pk, actor=lead, kind="site", data=SITE_DATA)
    created = as_editor.post(url(draft, "line-items"), {**ITEM, "site": site.pk}, format="json")
    assert created.status_code == 201
    item = LineItem.objects.get()
    assert created.json() == {
        "id": item.pk,
        **ITEM,
        "eccn": "3A090.a",  # normalized by the drafting service
        "site": site.pk,
        "total_value": "480000.00",
        "version": 1,
    }
    changed = as_editor.patch(url(draft, "line-items", item.pk), {"quantity": 8}, format="json")
    assert (changed.status_code, changed.json()["quantity"], changed.json()["total_value"]) == (
        200,
        8,
        "240000.00",
    )
    assert as_editor.get(url(draft, "line-items")).json()["count"] == 1
    assert as_editor.delete(url(draft, "line-items", item.pk)).status_code == 204
    assert not LineItem.objects.exists()


def test_party_crud(as_lead, draft):
    created = as_lead.post(url(draft, "parties"), PARTY, format="json")
    assert created.status_code == 201
    party = Party.objects.get()
    assert created.json() == {
        "id": party.pk,
        **PARTY,
        "role_display": "End user",
        # Headquartered where it is located unless told otherwise; no parent.
        "headquarters_country": "KE",
        "ultimate_parent": "",
        "ultimate_parent_country": None,
        "owners": [],
        "version": 1,
    }
    changed = as_lead.patch(url(draft, "parties", party.pk), {"role": "purchaser"}, format="json")
    assert (changed.json()["role"], changed.json()["role_display"]) == ("purchaser", "Purchaser")
    assert as_lead.delete(url(draft, "parties", party.pk)).status_code == 204
    assert not Party.objects.exists()


def test_line_item_bad_input_lists_every_field_and_saves_nothing(as_editor, draft):
    response = as_editor.post(
        url(draft, "line-items"),
        {"layer": "quantum", "description": "", "quantity": 0, "unit_value": "abc", "us_origin_value": "-1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Please correct the errors below.",
        "code": "invalid",
        "extra": {
            "fields": {
                "layer": ['"quantum" is not a valid choice.'],
                "description": ["This field may not be blank."],
                "manufacturer": ["This field is required."],
                "quantity": ["Ensure this value is greater than or equal to 1."],
                "unit_value": ["A valid number is required."],
                "us_origin_value": ["Ensure this value is greater than or equal to 0."],
            }
        },
    }
    assert not LineItem.objects.exists()


def test_line_item_site_of_another_proposal_is_unknown(as_editor, draft, consortium, lead):
    other = proposal_create(consortium=consortium, call=open_call(), actor=lead, title="Other")
    foreign_site = child_save(proposal_id=other.pk, actor=lead, kind="site", data=SITE_DATA)
    response = as_editor.post(url(draft, "line-items"), {**ITEM, "site": foreign_site.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"] == {
        "fields": {"site": [f'Invalid pk "{foreign_site.pk}" - object does not exist.']}
    }
    assert not LineItem.objects.filter(proposal=draft).exists()


def test_site_unknown_country_is_a_field_error(as_editor, draft):
    response = as_editor.post(url(draft, "sites"), {**SITE, "country": "ZZ"}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"] == {"fields": {"country": ['Invalid pk "ZZ" - object does not exist.']}}
    assert not Site.objects.exists()


def test_child_of_another_proposal_is_not_found(as_editor, draft, consortium, lead):
    other = proposal_create(consortium=consortium, call=open_call(), actor=lead, title="Other")
    party = child_save(proposal_id=other.pk, actor=lead, kind="party", data={**PARTY, "country": None})
    assert as_editor.get(url(draft, "parties", party.pk)).status_code == 404
    assert as_editor.patch(url(draft, "parties", party.pk), {"name": "X"}, format="json").status_code == 404
    assert as_editor.delete(url(draft, "parties", party.pk)).status_code == 404
    party.refresh_from_db()
    assert party.name == "Kenya Ministry of Health"


@pytest.mark.parametrize("resource", ["sites", "line-items", "parties"])
def test_children_of_another_consortium_are_not_found(as_outsider, draft, resource):
    assert as_outsider.get(url(draft, resource)).status_code == 404
    assert as_outsider.post(url(draft, resource), {}, format="json").status_code == 404


def test_viewer_may_read_but_not_add(as_viewer, draft):
    assert as_viewer.get(url(draft, "parties")).status_code == 200
    response = as_viewer.post(url(draft, "parties"), PARTY, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Party.objects.exists()


def test_children_of_a_submitted_proposal_are_frozen(as_lead, lead, complete_proposal):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    site = complete_proposal.sites.get()
    response = as_lead.patch(url(complete_proposal, "sites", site.pk), {"city": "Dubai"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    assert as_lead.delete(url(complete_proposal, "sites", site.pk)).status_code == 409
    site.refresh_from_db()
    assert site.city == "Abu Dhabi"


@pytest.mark.parametrize("n", [1, 3])
def test_line_item_list_query_count_does_not_grow(api_client, draft, lead, django_assert_num_queries, n):
    for _ in range(n):
        child_save(proposal_id=draft.pk, actor=lead, kind="item", data={**ITEM, "origin_country": None})
    api_client.force_login(lead)
    # session, user, roles, the proposal, count, page
    with django_assert_num_queries(6):
        assert api_client.get(url(draft, "line-items")).json()["count"] == n
