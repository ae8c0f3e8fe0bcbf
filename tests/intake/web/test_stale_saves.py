"""Optimistic concurrency on the pages: a form opened before someone else saved is refused with the
differences (yours beside the saved value), nothing is overwritten, and saving again keeps yours."""

import re

import pytest
from django.urls import reverse

from proposals.core.enums import MemberRole
from proposals.intake.models.proposal import Proposal, Site
from proposals.intake.services.drafting import child_save

pytestmark = pytest.mark.django_db

OVERVIEW = {"summary": "", "target_blocs": "", "use_cases": "", "security_measures": ""}


def opened_version(html: str, prefix: str = "") -> str:
    """The version a page's form was opened at (its hidden field)."""
    match = re.search(rf'name="{prefix}version" value="(\d+)"', html)
    assert match, "the form carries no version"
    return match.group(1)


def stale_rows(html: str) -> list[tuple[str, str, str]]:
    """The differences table of a refused save: (field, yours, saved)."""
    table = re.search(r'<table class="[^"]*stale-changes">(.*?)</table>', html, re.S)
    assert table, "no differences table"
    return [
        (field.strip(), yours.strip(), saved.strip())
        for field, yours, saved in re.findall(
            r'<th scope="row" data-label="Field">(.*?)</th><td data-label="Yours">(.*?)</td>'
            r'<td data-label="Saved">(.*?)</td>',
            table.group(1),
            re.S,
        )
    ]


def test_stale_save_refused_with_the_differences_and_the_first_save_kept(lead_client, editor_client, draft):
    url = reverse("proposal-detail", kwargs={"pk": draft.pk})
    # Both open the overview of the same draft.
    lead_version = opened_version(lead_client.get(url).content.decode())
    editor_version = opened_version(editor_client.get(url).content.decode())
    assert lead_version == editor_version == "1"

    first = lead_client.post(url, {**OVERVIEW, "title": "Lead's title", "version": lead_version})
    assert first.status_code == 302

    second = editor_client.post(
        url, {**OVERVIEW, "title": "Editor's title", "summary": "Editor's summary", "version": editor_version}
    )
    assert second.status_code == 200
    html = second.content.decode()
    assert "Someone else saved this after you opened it" in html
    assert "Nothing was saved." in html
    assert stale_rows(html) == [
        ("Title", "Editor&#x27;s title", "Lead&#x27;s title"),
        ("Summary", "Editor&#x27;s summary", "(empty)"),
    ]
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.version) == ("Lead's title", "", 2)
    # The editor's values stay in the form, which now carries the saved version.
    assert 'value="Editor&#x27;s title"' in html
    assert opened_version(html) == "2"


def test_stale_save_sent_again_from_the_refused_form_keeps_the_second_users_values(
    lead_client, editor_client, draft
):
    url = reverse("proposal-detail", kwargs={"pk": draft.pk})
    lead_client.post(url, {**OVERVIEW, "title": "Lead's title", "version": "1"})
    refused = editor_client.post(url, {**OVERVIEW, "title": "Editor's title", "version": "1"})
    again = editor_client.post(
        url, {**OVERVIEW, "title": "Editor's title", "version": opened_version(refused.content.decode())}
    )
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Editor's title", 3)


def test_stale_save_of_another_section_is_refused_even_when_no_field_here_differs(lead_client, draft):
    """Overview and financing are one proposal, one version: the refusal says nothing here differs."""
    financing = reverse("proposal-financing", kwargs={"pk": draft.pk})
    overview = reverse("proposal-detail", kwargs={"pk": draft.pk})
    opened = opened_version(lead_client.get(financing).content.decode())
    lead_client.post(overview, {**OVERVIEW, "title": "Renamed", "version": opened})
    response = lead_client.post(
        financing, {"exim_product": "", "local_costs": "0", "version": opened}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "None of the fields on this form differ from what is saved now" in html
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Renamed", 2)


def test_stale_child_edit_refused_with_the_differences_and_the_first_save_kept(
    lead_client, editor_client, draft, lead
):
    site = child_save(
        proposal_id=draft.pk,
        actor=lead,
        kind="site",
        data={"name": "Nairobi Campus", "country_id": "KE", "city": "Nairobi"},
    )
    url = reverse("proposal-site", kwargs={"pk": draft.pk, "child_pk": site.pk})
    form = {"name": "Nairobi Campus", "country": "KE", "builder": "", "owner": "", "operator": ""}
    opened = opened_version(editor_client.get(url).content.decode())
    assert lead_client.post(url, {**form, "city": "Mombasa", "version": opened}).status_code == 302
    response = editor_client.post(url, {**form, "city": "Kisumu", "version": opened})
    assert response.status_code == 200
    assert stale_rows(response.content.decode()) == [("City", "Kisumu", "Mombasa")]
    site.refresh_from_db()
    assert (site.city, site.version) == ("Mombasa", 2)


def test_stale_removal_refused_and_nothing_removed(lead_client, draft, lead):
    site = child_save(
        proposal_id=draft.pk,
        actor=lead,
        kind="site",
        data={"name": "Nairobi Campus", "country_id": "KE", "city": "Nairobi"},
    )
    child_save(proposal_id=draft.pk, actor=lead, kind="site", data={"city": "Mombasa"}, pk=site.pk)
    url = reverse("proposal-site-delete", kwargs={"pk": draft.pk, "child_pk": site.pk})
    response = lead_client.post(url, {"version": "1"}, follow=True)
    assert "was changed by someone else after you opened it" in response.content.decode()
    assert Site.objects.filter(pk=site.pk).exists()
    assert lead_client.post(url, {"version": "2"}).status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()


def test_stale_member_edit_refused_with_the_differences(lead_client, consortium):
    member = consortium.members.get(role=MemberRole.PARTNER)
    url = reverse("consortium-member", kwargs={"consortium_pk": consortium.pk, "member_pk": member.pk})
    opened = opened_version(lead_client.get(url).content.decode())
    company = member.company
    form = {
        "legal_name": company.legal_name,
        "role": "partner",
        "layers": member.layers,
        "country_of_incorporation": company.country_of_incorporation_id,
        "principal_place_of_business": company.principal_place_of_business_id,
        "ultimate_parent": "",
        "ultimate_parent_country": "",
        "owners": "",
        "version": opened,
    }
    # The same lead in two tabs: the first tab renames the company.
    assert lead_client.post(url, {**form, "legal_name": "Renamed Networks LLC"}).status_code == 302
    response = lead_client.post(url, {**form, "ultimate_parent": "Parent Holdings"})
    assert response.status_code == 200
    assert stale_rows(response.content.decode()) == [
        ("Legal name", company.legal_name, "Renamed Networks LLC"),
        ("Ultimate parent", "Parent Holdings", "(empty)"),
    ]
    member.refresh_from_db()
    member.company.refresh_from_db()
    assert (member.company.legal_name, member.company.ultimate_parent, member.version) == (
        "Renamed Networks LLC",
        "",
        2,
    )


def test_stale_form_without_a_version_is_saved_as_before(lead_client, draft):
    """A page opened before versions existed posts none: the save is not checked (no lock-out)."""
    url = reverse("proposal-detail", kwargs={"pk": draft.pk})
    assert lead_client.post(url, {**OVERVIEW, "title": "No version sent"}).status_code == 302
    assert Proposal.objects.get(pk=draft.pk).title == "No version sent"
