"""Who may do what in the browser: other consortia get 404s, viewers cannot edit, editors cannot submit."""

import pytest
from django.urls import reverse

from proposals.core.enums import ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.web.layout import SECTION_URLS
from tests.oncommit import sends

pytestmark = pytest.mark.django_db

PAGES = [
    *SECTION_URLS.values(),
    "proposal-timeline",
    "proposal-checklist",
    "proposal-status",
    "proposal-items-import",
]
POSTS = [
    ("proposal-detail", {"title": "Hijacked"}),
    ("proposal-financing", {"exim_product": "direct_loan"}),
    ("proposal-sites", {"site-name": "X", "site-country": "US", "site-city": "Y"}),
    ("proposal-items", {"item-layer": "chips"}),
    ("proposal-parties", {"party-role": "purchaser", "party-name": "X"}),
    ("proposal-end-use", {"end_use": "Hijacked"}),
    ("proposal-documents", {"category": "other"}),
    ("proposal-items-import", {}),
    ("proposal-submit", {}),
    ("proposal-withdraw", {"reason": "Hijacked"}),
]


@pytest.mark.parametrize("name", PAGES)
def test_another_consortiums_proposal_pages_are_404(outsider_client, complete_proposal, name):
    assert outsider_client.get(reverse(name, kwargs={"pk": complete_proposal.pk})).status_code == 404


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_another_consortiums_proposal_cannot_be_changed(outsider_client, complete_proposal, name, data):
    before = Proposal.objects.filter(pk=complete_proposal.pk).values().get()
    response = outsider_client.post(reverse(name, kwargs={"pk": complete_proposal.pk}), data)
    assert response.status_code == 404
    assert Proposal.objects.filter(pk=complete_proposal.pk).values().get() == before


def test_another_consortiums_child_pages_are_404(outsider_client, complete_proposal):
    site = complete_proposal.sites.first()
    url = reverse("proposal-site", kwargs={"pk": complete_proposal.pk, "child_pk": site.pk})
    assert outsider_client.get(url).status_code == 404
    url = reverse("proposal-site-delete", kwargs={"pk": complete_proposal.pk, "child_pk": site.pk})
    assert outsider_client.post(url).status_code == 404
    assert complete_proposal.sites.filter(pk=site.pk).exists()


def test_anonymous_user_is_sent_to_sign_in(client, draft):
    response = client.get(reverse("proposal-detail", kwargs={"pk": draft.pk}))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/proposals/{draft.pk}/"


def test_viewer_sees_read_only_sections(viewer_client, draft):
    for name in SECTION_URLS.values():
        html = viewer_client.get(reverse(name, kwargs={"pk": draft.pk})).content.decode()
        assert "your role does not allow editing" in html, name
        assert 'hx-post="' not in html, name


@pytest.mark.parametrize(("name", "data"), POSTS[:7])
def test_viewer_cannot_edit(viewer_client, draft, name, data):
    before = Proposal.objects.filter(pk=draft.pk).values().get()
    response = viewer_client.post(reverse(name, kwargs={"pk": draft.pk}), data)
    assert response.status_code == 403
    assert Proposal.objects.filter(pk=draft.pk).values().get() == before


def test_viewer_cannot_edit_a_child(viewer_client, complete_proposal):
    item = complete_proposal.line_items.first()
    url = reverse("proposal-item", kwargs={"pk": complete_proposal.pk, "child_pk": item.pk})
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"description": "Hijacked"}).status_code == 403
    delete = reverse("proposal-item-delete", kwargs={"pk": complete_proposal.pk, "child_pk": item.pk})
    assert viewer_client.post(delete).status_code == 403
    item.refresh_from_db()
    assert item.description != "Hijacked"


def test_viewer_and_editor_cannot_start_a_proposal_for_nothing(viewer_client):
    assert viewer_client.get(reverse("proposal-create")).status_code == 403


def test_editor_can_edit_but_not_submit(editor_client, complete_proposal):
    page = editor_client.get(reverse("proposal-submit", kwargs={"pk": complete_proposal.pk})).content.decode()
    assert "Only the consortium's lead can submit this proposal." in page
    assert "Submit proposal</button>" not in page
    response = editor_client.post(reverse("proposal-submit", kwargs={"pk": complete_proposal.pk}))
    assert response.status_code == 302
    assert (
        "Your role may not submit this proposal." in editor_client.get(response["Location"]).content.decode()
    )
    complete_proposal.refresh_from_db()
    assert (complete_proposal.status, complete_proposal.revision_number) == (ProposalStatus.DRAFT, 0)


def test_editor_cannot_withdraw(editor_client, complete_proposal):
    response = editor_client.post(
        reverse("proposal-withdraw", kwargs={"pk": complete_proposal.pk}), {"reason": "Not mine to withdraw"}
    )
    assert response.status_code == 302
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.DRAFT


def test_lead_submits_a_complete_proposal(lead_client, complete_proposal, django_capture_on_commit_callbacks):
    page = lead_client.get(reverse("proposal-submit", kwargs={"pk": complete_proposal.pk})).content.decode()
    assert "Submit proposal</button>" in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = lead_client.post(reverse("proposal-submit", kwargs={"pk": complete_proposal.pk}))
    assert response.status_code == 302
    assert (
        len(sends(callbacks)) == 2
    )  # the follow-up tasks (one producer) and the lead's email, once committed
    complete_proposal.refresh_from_db()
    assert (complete_proposal.status, complete_proposal.revision_number) == (ProposalStatus.SUBMITTED, 1)
    assert Revision.objects.filter(proposal=complete_proposal, number=1).exists()
    html = lead_client.get(response["Location"]).content.decode()
    assert "Submitted as revision 1." in html
    assert "Revision 1, frozen" in html
    assert "every 3s" in html


def test_submit_refusal_lists_the_findings_with_links(lead_client, draft):
    response = lead_client.post(reverse("proposal-submit", kwargs={"pk": draft.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not submitted" in html
    assert "must be fixed first" in html
    assert f'href="/proposals/{draft.pk}/#f-summary"' in html
    assert "(LAYER_MISSING)" in html
    draft.refresh_from_db()
    assert (draft.status, draft.revision_number) == (ProposalStatus.DRAFT, 0)
    assert not AuditEvent.objects.filter(proposal=draft).exists()


def test_withdraw_needs_a_reason(lead_client, complete_proposal):
    response = lead_client.post(
        reverse("proposal-withdraw", kwargs={"pk": complete_proposal.pk}), {"reason": " "}
    )
    assert response.status_code == 200
    assert (
        '<span class="usa-error-message" id="f-reason-error" role="alert">A reason is required.</span>'
        in (response.content.decode())
    )
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.DRAFT


def test_withdraw_with_reason_records_it(lead_client, complete_proposal, lead):
    response = lead_client.post(
        reverse("proposal-withdraw", kwargs={"pk": complete_proposal.pk}),
        {"reason": "Buyer postponed the project."},
    )
    assert response.status_code == 302
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.WITHDRAWN
    event = AuditEvent.objects.get(proposal=complete_proposal, action="withdraw")
    assert (event.actor, event.reason) == (lead, "Buyer postponed the project.")


def test_agency_staff_see_a_submitted_proposal_read_only_but_not_drafts(
    client, commerce_reviewer, complete_proposal, lead, draft
):
    from proposals.intake.services.transitions import proposal_transition

    client.force_login(commerce_reviewer)
    assert client.get(reverse("proposal-detail", kwargs={"pk": draft.pk})).status_code == 404
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    html = client.get(reverse("proposal-detail", kwargs={"pk": complete_proposal.pk})).content.decode()
    assert "read-only" in html
    assert 'hx-post="' not in html
