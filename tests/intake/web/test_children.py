"""Sites, line items and parties: add, edit and remove through the drafting service; bad input saves none."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.core.enums import Layer, PartyRole
from proposals.intake.models.proposal import LineItem, Party, Site
from proposals.intake.services.drafting import child_save

pytestmark = pytest.mark.django_db

# The items page (list, add form, checklist) costs the same whatever the number of items.
ITEMS_PAGE_QUERIES = 16  # the checklist reads the proposal's owners in one query


@pytest.fixture
def site(draft, lead) -> Site:
    return child_save(
        proposal_id=draft.pk,
        actor=lead,
        kind="site",
        data={"name": "Nairobi Campus", "country_id": "KE", "city": "Nairobi"},
    )


def test_add_site_saves_and_returns_to_the_list(lead_client, draft):
    url = reverse("proposal-sites", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url,
        {
            "site-name": "Riyadh Campus",
            "site-country": "SA",
            "site-city": "Riyadh",
            "site-builder": "Builder Co",
            "site-owner": "Owner Co",
            "site-operator": "Operator Co",
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(proposal=draft)
    assert (site.name, site.country_id, site.city, site.operator) == (
        "Riyadh Campus",
        "SA",
        "Riyadh",
        "Operator Co",
    )
    html = lead_client.get(url).content.decode()
    assert f'id="f-sites-{site.pk}"' in html
    assert "Site added." in html


def test_add_item_with_errors_keeps_input_and_saves_nothing(lead_client, draft, site):
    url = reverse("proposal-items", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url,
        {
            "item-layer": "quantum",
            "item-description": "Typed description survives",
            "item-manufacturer": "",
            "item-eccn": "3A090",
            "item-quantity": "0",
            "item-unit_value": "12.345",
            "item-us_origin_value": "1",
            "item-site": str(site.pk),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("layer", "manufacturer", "quantity", "unit_value"):
        assert f'id="f-item-{field}-error"' in html, field
    assert 'value="Typed description survives"' in html
    assert f'<option value="{site.pk}" selected>' in html
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_add_item_saves_with_its_site(lead_client, draft, site):
    response = lead_client.post(
        reverse("proposal-items", kwargs={"pk": draft.pk}),
        {
            "item-layer": Layer.CHIPS,
            "item-description": "Accelerator",
            "item-manufacturer": "Chip Co",
            "item-origin_country": "US",
            "item-eccn": "3a090.a",
            "item-quantity": "8",
            "item-unit_value": "30000",
            "item-us_origin_value": "200000",
            "item-site": str(site.pk),
        },
    )
    assert response.status_code == 302
    item = LineItem.objects.get(proposal=draft)
    assert (item.layer, item.eccn, item.quantity, item.site_id) == ("chips", "3A090.a", 8, site.pk)


def test_item_site_must_belong_to_the_proposal(lead_client, draft, complete_proposal):
    other_site = complete_proposal.sites.first()
    response = lead_client.post(
        reverse("proposal-items", kwargs={"pk": draft.pk}),
        {
            "item-layer": Layer.CHIPS,
            "item-description": "Accelerator",
            "item-manufacturer": "Chip Co",
            "item-eccn": "EAR99",
            "item-quantity": "1",
            "item-unit_value": "1",
            "item-us_origin_value": "1",
            "item-site": str(other_site.pk),
        },
    )
    assert response.status_code == 200
    assert 'id="f-item-site-error"' in response.content.decode()
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_edit_site_page_saves(lead_client, draft, site):
    url = reverse("proposal-site", kwargs={"pk": draft.pk, "child_pk": site.pk})
    assert lead_client.get(url).status_code == 200
    response = lead_client.post(
        url,
        {
            "name": "Nairobi Campus 2",
            "country": "KE",
            "city": "Nairobi",
            "builder": "B",
            "owner": "O",
            "operator": "P",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal-sites", kwargs={"pk": draft.pk})
    site.refresh_from_db()
    assert (site.name, site.builder) == ("Nairobi Campus 2", "B")


def test_edit_site_with_errors_keeps_input_and_saves_nothing(lead_client, draft, site):
    url = reverse("proposal-site", kwargs={"pk": draft.pk, "child_pk": site.pk})
    response = lead_client.post(url, {"name": "Renamed but invalid", "country": "", "city": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="f-country-error"' in html and 'id="f-city-error"' in html
    assert 'value="Renamed but invalid"' in html
    site.refresh_from_db()
    assert site.name == "Nairobi Campus"


def test_remove_site_with_htmx_signals_the_checklist(lead_client, draft, site):
    url = reverse("proposal-site-delete", kwargs={"pk": draft.pk, "child_pk": site.pk})
    response = lead_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"proposal-saved": {}}'
    assert "Site removed." in response.content.decode()
    assert not Site.objects.filter(pk=site.pk).exists()


def test_add_party_and_end_use(lead_client, draft):
    url = reverse("proposal-parties", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url,
        {
            "party-role": PartyRole.END_USER,
            "party-name": "Ministry of Health",
            "party-address": "1 Road",
            "party-country": "AE",
        },
    )
    assert response.status_code == 302
    party = Party.objects.get(proposal=draft)
    assert (party.role, party.country_id) == ("end_user", "AE")
    response = lead_client.post(
        reverse("proposal-end-use", kwargs={"pk": draft.pk}), {"end_use": "Civil health AI."}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.end_use == "Civil health AI."
    html = lead_client.get(url).content.decode()
    assert f'id="f-parties-{party.pk}-country"' in html
    assert "Civil health AI." in html


def test_party_headquarters_and_parent_from_the_form(lead_client, draft):
    url = reverse("proposal-parties", kwargs={"pk": draft.pk})
    data = {
        "party-role": PartyRole.PURCHASER,
        "party-name": "Gulf Compute Trading",
        "party-country": "AE",
        "party-headquarters_country": "VE",
        "party-ultimate_parent": "Lotus Holdings",
        "party-ultimate_parent_country": "MO",
    }
    assert lead_client.post(url, data).status_code == 302
    party = Party.objects.get(proposal=draft)
    assert (party.headquarters_country_id, party.ultimate_parent, party.ultimate_parent_country_id) == (
        "VE",
        "Lotus Holdings",
        "MO",
    )
    html = lead_client.get(url).content.decode()
    assert f'id="f-parties-{party.pk}-headquarters_country" data-label="Headquarters">Venezuela' in html


def test_party_with_errors_keeps_input_and_saves_nothing(lead_client, draft):
    response = lead_client.post(
        reverse("proposal-parties", kwargs={"pk": draft.pk}),
        {"party-role": "smuggler", "party-name": "Typed party name", "party-country": "XX"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="f-party-role-error"' in html and 'id="f-party-country-error"' in html
    assert 'value="Typed party name"' in html
    assert not Party.objects.filter(proposal=draft).exists()


def test_child_of_another_proposal_is_404(lead_client, draft, complete_proposal):
    other_item = complete_proposal.line_items.first()
    url = reverse("proposal-item", kwargs={"pk": draft.pk, "child_pk": other_item.pk})
    assert lead_client.get(url).status_code == 404
    url = reverse("proposal-item-delete", kwargs={"pk": draft.pk, "child_pk": other_item.pk})
    assert lead_client.post(url).status_code == 404
    assert LineItem.objects.filter(pk=other_item.pk).exists()


@pytest.mark.parametrize("count", [1, 3])
def test_items_page_query_count_does_not_grow_with_items(
    lead_client, draft, site, lead, count, django_assert_num_queries
):
    for n in range(count):
        child_save(
            proposal_id=draft.pk,
            actor=lead,
            kind="item",
            data={
                "layer": Layer.CHIPS if n % 2 else Layer.SERVERS,
                "description": f"Item {n}",
                "manufacturer": "M",
                "origin_country_id": "US",
                "eccn": "EAR99",
                "quantity": 1,
                "unit_value": 10,
                "us_origin_value": 10,
                "site": site,
            },
        )
    url = reverse("proposal-items", kwargs={"pk": draft.pk})
    with django_assert_num_queries(ITEMS_PAGE_QUERIES):
        response = lead_client.get(url)
    assert response.content.decode().count('id="f-items-') == count * 8 + 1


def test_party_owners_from_the_form_one_a_line(lead_client, draft):
    url = reverse("proposal-parties", kwargs={"pk": draft.pk})
    data = {
        "party-role": PartyRole.PURCHASER,
        "party-name": "Gulf Compute Trading",
        "party-country": "AE",
        "party-owners": "Lotus Holdings; MO; 30\nGulf Pension Fund; ae; 45%",
    }
    assert lead_client.post(url, data).status_code == 302
    party = Party.objects.get(proposal=draft)
    assert list(party.owners.order_by("pk").values_list("name", "country_id", "percent")) == [
        ("Lotus Holdings", "MO", Decimal("30.00")),
        ("Gulf Pension Fund", "AE", Decimal("45.00")),
    ]
    html = lead_client.get(url).content.decode()
    assert "Lotus Holdings (MO, 30%)" in html
    edit = lead_client.get(reverse("proposal-party", kwargs={"pk": draft.pk, "child_pk": party.pk}))
    assert "Lotus Holdings; MO; 30" in edit.content.decode()


def test_party_owners_past_100_or_malformed_are_field_errors_and_save_nothing(lead_client, draft):
    url = reverse("proposal-parties", kwargs={"pk": draft.pk})
    base = {"party-role": PartyRole.PURCHASER, "party-name": "Gulf Compute Trading", "party-country": "AE"}
    response = lead_client.post(url, {**base, "party-owners": "A; US; 60\nB; AE; 41"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="f-party-owners-error"' in html
    assert "add up to 101%" in html
    response = lead_client.post(url, {**base, "party-owners": "Just a name"})
    assert "Line 1: write name; country code; percent." in response.content.decode()
    assert not Party.objects.filter(proposal=draft).exists()
