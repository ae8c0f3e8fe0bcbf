"""Optimistic concurrency in the API: an ETag on every read and write of an editable object, If-Match
(or `version` in the body) honoured on PATCH, PUT and DELETE, 412 in the error shape when stale."""

import pytest

from proposals.core.enums import MemberRole
from proposals.intake.models.proposal import Proposal, Site
from proposals.intake.services.drafting import child_save

pytestmark = pytest.mark.django_db

SITE = {"name": "Nairobi Campus", "country_id": "KE", "city": "Nairobi"}


def proposal_url(draft) -> str:
    return f"/api/proposals/{draft.pk}/"


def test_etag_of_a_read_is_the_version_and_changes_on_every_save(as_lead, draft):
    read = as_lead.get(proposal_url(draft))
    assert (read["ETag"], read.json()["version"]) == ('"1"', 1)
    first = as_lead.patch(proposal_url(draft), {"title": "One"}, format="json")
    second = as_lead.patch(proposal_url(draft), {"title": "Two"}, format="json")
    assert (first["ETag"], second["ETag"]) == ('"2"', '"3"')
    assert as_lead.get(proposal_url(draft))["ETag"] == '"3"'


def test_if_match_with_the_current_etag_succeeds(as_lead, draft):
    etag = as_lead.get(proposal_url(draft))["ETag"]
    response = as_lead.patch(proposal_url(draft), {"title": "Kept"}, format="json", HTTP_IF_MATCH=etag)
    assert (response.status_code, response.json()["title"], response["ETag"]) == (200, "Kept", '"2"')


def test_stale_if_match_second_save_refused_with_412_the_differences_and_the_first_kept(
    as_lead, as_editor, draft
):
    # Two users read the same draft, then both save.
    lead_etag = as_lead.get(proposal_url(draft))["ETag"]
    editor_etag = as_editor.get(proposal_url(draft))["ETag"]
    first = as_lead.patch(
        proposal_url(draft), {"title": "Lead's title"}, format="json", HTTP_IF_MATCH=lead_etag
    )
    assert first.status_code == 200
    second = as_editor.patch(
        proposal_url(draft),
        {"title": "Editor's title", "tenor_years": "7.0"},
        format="json",
        HTTP_IF_MATCH=editor_etag,
    )
    assert second.status_code == 412
    assert second.json() == {
        "message": "This proposal was changed by someone else after you opened it (it is now version 2). "
        "Nothing was saved.",
        "code": "stale_version",
        "extra": {
            "version": 2,
            "changes": [
                {"field": "title", "label": "Title", "yours": "Editor's title", "saved": "Lead's title"},
                {
                    "field": "tenor_years",
                    "label": "Repayment tenor (years)",
                    "yours": "7",
                    "saved": "(empty)",
                },
            ],
        },
    }
    draft.refresh_from_db()
    assert (draft.title, draft.tenor_years, draft.version) == ("Lead's title", None, 2)


def test_stale_version_in_the_body_refused_like_if_match(as_lead, draft):
    as_lead.patch(proposal_url(draft), {"title": "One"}, format="json")
    response = as_lead.patch(proposal_url(draft), {"title": "Two", "version": 1}, format="json")
    assert (response.status_code, response.json()["extra"]["version"]) == (412, 2)
    assert Proposal.objects.get(pk=draft.pk).title == "One"
    current = as_lead.patch(proposal_url(draft), {"title": "Two", "version": 2}, format="json")
    assert (current.status_code, current.json()["version"]) == (200, 3)


def test_stale_check_skipped_without_if_match_or_version(as_lead, draft):
    """Clients written before versions keep working (documented: no 428)."""
    as_lead.patch(proposal_url(draft), {"title": "One"}, format="json")
    response = as_lead.patch(proposal_url(draft), {"title": "Two"}, format="json")
    assert (response.status_code, response.json()["title"]) == (200, "Two")


@pytest.mark.parametrize("header", ['W/"1"', "1", '"1", "2"', '"abc"'])
def test_stale_if_match_that_is_not_one_of_our_etags_matches_no_version(as_lead, draft, header):
    response = as_lead.patch(proposal_url(draft), {"title": "Two"}, format="json", HTTP_IF_MATCH=header)
    assert (response.status_code, response.json()["code"]) == (412, "stale_version")
    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def test_if_match_star_matches_any_version(as_lead, draft):
    as_lead.patch(proposal_url(draft), {"title": "One"}, format="json")
    response = as_lead.patch(proposal_url(draft), {"title": "Two"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200


def test_stale_child_patch_and_delete_refused_and_the_first_save_kept(as_lead, as_editor, draft, lead):
    site = child_save(proposal_id=draft.pk, actor=lead, kind="site", data=SITE)
    url = f"/api/proposals/{draft.pk}/sites/{site.pk}/"
    etag = as_editor.get(url)["ETag"]
    assert as_lead.patch(url, {"city": "Mombasa"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = as_editor.patch(url, {"city": "Kisumu"}, format="json", HTTP_IF_MATCH=etag)
    assert (stale.status_code, stale.json()["extra"]["changes"]) == (
        412,
        [{"field": "city", "label": "City", "yours": "Kisumu", "saved": "Mombasa"}],
    )
    assert as_editor.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    site.refresh_from_db()
    assert (site.city, site.version) == ("Mombasa", 2)
    assert as_editor.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not Site.objects.filter(pk=site.pk).exists()


def test_stale_member_put_refused_and_the_first_save_kept(as_lead, consortium):
    member = consortium.members.get(role=MemberRole.PARTNER)
    url = f"/api/consortia/{consortium.pk}/members/{member.pk}/"
    read = as_lead.get(url)
    etag, body = read["ETag"], read.json()
    assert etag == '"1"'
    change = {
        "role": "partner",
        "layers": body["layers"],
        "legal_name": "Renamed Networks LLC",
        "country_of_incorporation": body["company"]["country_of_incorporation"],
        "principal_place_of_business": body["company"]["principal_place_of_business"],
    }
    first = as_lead.put(url, change, format="json", HTTP_IF_MATCH=etag)
    assert (first.status_code, first["ETag"]) == (200, '"2"')
    stale = as_lead.put(url, {**change, "legal_name": "Other Name LLC"}, format="json", HTTP_IF_MATCH=etag)
    assert (stale.status_code, stale.json()["extra"]["changes"]) == (
        412,
        [
            {
                "field": "legal_name",
                "label": "Legal name",
                "yours": "Other Name LLC",
                "saved": "Renamed Networks LLC",
            }
        ],
    )
    assert as_lead.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    member.company.refresh_from_db()
    assert member.company.legal_name == "Renamed Networks LLC"
