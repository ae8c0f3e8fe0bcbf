"""Drafts: delete a never-submitted draft (confirmed), copy a proposal into a new draft, withdrawn and
declined proposals filed away on the dashboard; and the confirm steps before one-click moves."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from proposals.core.enums import ProposalStatus
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.consortium import Owner
from proposals.intake.models.proposal import Proposal
from proposals.intake.policy.drafts import draft_deletion_refusal
from proposals.intake.services.drafts import proposal_copy, proposal_delete
from proposals.intake.services.transitions import proposal_transition
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


# --- The rule ------------------------------------------------------------------------------------


def test_draft_deletion_rule_allows_only_a_never_submitted_draft_without_history():
    assert draft_deletion_refusal(status="draft", revision_number=0, audit_events=0) == ""
    assert "was submitted" in draft_deletion_refusal(status="draft", revision_number=0 + 1, audit_events=0)
    assert "was submitted" in draft_deletion_refusal(status="withdrawn", revision_number=0, audit_events=0)
    assert "audit trail" in draft_deletion_refusal(status="draft", revision_number=0, audit_events=1)


# --- Delete --------------------------------------------------------------------------------------


def test_lead_deletes_a_never_submitted_draft(consortium, lead):
    draft = ProposalFactory(consortium=consortium, title="Abandoned idea")
    assert proposal_delete(proposal_id=draft.pk, actor=lead) == "Abandoned idea"
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    entry = LogEntry.objects.get(object_id=str(draft.pk))
    assert (entry.user_id, entry.action_flag, entry.object_repr) == (lead.pk, DELETION, "Abandoned idea")


def test_submitted_proposal_is_never_deleted(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    with pytest.raises(TransitionNotAllowed, match="withdraw it instead"):
        proposal_delete(proposal_id=complete_proposal.pk, actor=lead)
    assert Proposal.objects.filter(pk=complete_proposal.pk).exists()


def test_only_the_lead_deletes(consortium, editor, outsider):
    draft = ProposalFactory(consortium=consortium)
    with pytest.raises(PermissionDenied):
        proposal_delete(proposal_id=draft.pk, actor=editor)
    with pytest.raises(Proposal.DoesNotExist):
        proposal_delete(proposal_id=draft.pk, actor=outsider)
    assert Proposal.objects.filter(pk=draft.pk).exists()


def test_delete_page_confirms_first(client, consortium, lead):
    draft = ProposalFactory(consortium=consortium, title="Abandoned idea")
    client.force_login(lead)
    url = reverse("proposal-delete", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Delete “Abandoned idea”?" in page
    assert Proposal.objects.filter(pk=draft.pk).exists()  # GET changes nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Draft “Abandoned idea” deleted." in response.content.decode()
    assert not Proposal.objects.filter(pk=draft.pk).exists()


def test_delete_page_of_a_submitted_proposal_says_why_and_offers_no_button(client, complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    client.force_login(lead)
    url = reverse("proposal-delete", args=[complete_proposal.pk])
    page = client.get(url).content.decode()
    assert "This proposal cannot be deleted" in page
    assert "Delete draft</button>" not in page
    response = client.post(url, follow=True)
    assert "withdraw it instead" in response.content.decode()
    assert Proposal.objects.filter(pk=complete_proposal.pk).exists()


def test_editor_page_offers_delete_only_for_a_draft_and_to_the_lead(client, consortium, lead, editor):
    draft = ProposalFactory(consortium=consortium)
    delete_url = reverse("proposal-delete", args=[draft.pk])
    client.force_login(lead)
    assert delete_url in client.get(draft.get_absolute_url()).content.decode()
    client.force_login(editor)
    assert delete_url not in client.get(draft.get_absolute_url()).content.decode()
    assert client.get(delete_url).status_code == 403


def test_api_deletes_a_draft_and_refuses_a_submitted_one(api_client, consortium, lead, complete_proposal):
    draft = ProposalFactory(consortium=consortium)
    api_client.force_authenticate(lead)
    assert api_client.delete(reverse("api-proposal-detail", args=[draft.pk])).status_code == 204
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    response = api_client.delete(reverse("api-proposal-detail", args=[complete_proposal.pk]))
    assert response.status_code == 409
    assert "withdraw it instead" in response.json()["message"]


def test_api_delete_of_another_consortiums_draft_is_404(api_client, consortium, outsider):
    draft = ProposalFactory(consortium=consortium)
    api_client.force_authenticate(outsider)
    assert api_client.delete(reverse("api-proposal-detail", args=[draft.pk])).status_code == 404
    assert Proposal.objects.filter(pk=draft.pk).exists()


# --- Copy ----------------------------------------------------------------------------------------


def _parts(proposal):
    return {
        "sites": list(
            proposal.sites.values_list("name", "country_id", "city", "builder", "owner", "operator")
        ),
        "items": list(
            proposal.line_items.order_by("pk").values_list(
                "description", "eccn", "quantity", "unit_value", "site__name"
            )
        ),
        "parties": list(proposal.parties.order_by("pk").values_list("role", "name", "country_id")),
        "targets": list(proposal.target_countries.values_list("code", flat=True)),
    }


def test_copy_takes_fields_sites_items_and_parties_but_not_documents_or_history(complete_proposal, lead):
    party = complete_proposal.parties.order_by("pk").first()
    Owner.objects.create(party=party, name="Sovereign Fund", country_id="AE", percent=60)
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    copy = proposal_copy(proposal_id=complete_proposal.pk, actor=lead)
    assert (copy.title, copy.status, copy.revision_number) == ("Copy of UAE AI Cluster", "draft", 0)
    assert copy.consortium_id == complete_proposal.consortium_id
    assert (copy.security_measures, copy.financing_amount) == (
        complete_proposal.security_measures,
        complete_proposal.financing_amount,
    )
    assert _parts(copy) == _parts(complete_proposal)
    assert copy.line_items.exclude(site__proposal=copy).count() == 0  # items point at the copy's sites
    assert list(Owner.objects.filter(party__proposal=copy).values_list("name", "percent")) == [
        ("Sovereign Fund", 60)
    ]
    assert copy.documents.count() == 0
    assert copy.revisions.count() == 0
    event = AuditEvent.objects.get(proposal=complete_proposal, action="copied")
    assert (event.actor_id, event.data) == (lead.pk, {"copy": copy.pk, "consortium": copy.consortium_id})


def test_copy_refused_to_a_viewer_and_hidden_from_an_outsider(complete_proposal, viewer, outsider):
    with pytest.raises(PermissionDenied):
        proposal_copy(proposal_id=complete_proposal.pk, actor=viewer)
    with pytest.raises(Proposal.DoesNotExist):
        proposal_copy(proposal_id=complete_proposal.pk, actor=outsider)
    assert Proposal.objects.count() == 1


def test_copy_into_a_consortium_the_actor_does_not_act_for_is_a_field_error(
    complete_proposal, lead, outsider
):
    theirs = outsider.consortium_roles.get().consortium
    with pytest.raises(InvalidInput) as refused:
        proposal_copy(proposal_id=complete_proposal.pk, actor=lead, consortium=theirs)
    assert list(refused.value.extra["fields"]) == ["consortium"]


def test_copy_page_then_the_new_draft(client, complete_proposal, lead):
    client.force_login(lead)
    url = reverse("proposal-copy", args=[complete_proposal.pk])
    assert 'value="Copy of UAE AI Cluster"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "consortium": complete_proposal.consortium_id,
            "call": complete_proposal.call_id,
            "title": "Second site",
        },
    )
    copy = Proposal.objects.get(title="Second site")
    assert response.status_code == 302
    assert response["Location"] == copy.get_absolute_url()


def test_copy_page_without_title_keeps_input_and_copies_nothing(client, complete_proposal, lead):
    client.force_login(lead)
    response = client.post(
        reverse("proposal-copy", args=[complete_proposal.pk]),
        {"consortium": complete_proposal.consortium_id, "call": complete_proposal.call_id, "title": ""},
    )
    assert response.status_code == 200
    assert 'id="f-title-error"' in response.content.decode()
    assert Proposal.objects.count() == 1


def test_api_copy(api_client, complete_proposal, lead):
    api_client.force_authenticate(lead)
    response = api_client.post(
        reverse("api-proposal-copy", args=[complete_proposal.pk]), {"title": "API copy"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["title"], response.json()["status"]) == ("API copy", "draft")
    bad = api_client.post(
        reverse("api-proposal-copy", args=[complete_proposal.pk]), {"call": 999999}, format="json"
    )
    assert bad.status_code == 400
    assert "call" in bad.json()["extra"]["fields"]


def test_api_copy_by_agency_staff_is_refused(api_client, complete_proposal, lead, commerce_reviewer):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    api_client.force_authenticate(commerce_reviewer)
    assert (
        api_client.post(
            reverse("api-proposal-copy", args=[complete_proposal.pk]), {}, format="json"
        ).status_code
        == 403
    )


# --- Filed away on the dashboard -----------------------------------------------------------------


def test_dashboard_files_away_withdrawn_and_declined(client, consortium, lead):
    ProposalFactory(consortium=consortium, title="Live draft")
    ProposalFactory(consortium=consortium, title="Gave up", status=ProposalStatus.WITHDRAWN)
    ProposalFactory(
        consortium=consortium, title="Turned down", status=ProposalStatus.DECLINED, revision_number=1
    )
    client.force_login(lead)
    default = client.get(reverse("home")).content.decode()
    assert ("Live draft" in default, "Gave up" in default, "Turned down" in default) == (True, False, False)
    filed = client.get(reverse("home"), {"show": "filed"}).content.decode()
    assert ("Live draft" in filed, "Gave up" in filed, "Turned down" in filed) == (False, True, True)
    everything = client.get(reverse("home"), {"show": "all"}).content.decode()
    assert all(t in everything for t in ("Live draft", "Gave up", "Turned down"))
    # A status filter that names them shows them too.
    assert "Gave up" in client.get(reverse("home"), {"status": "withdrawn"}).content.decode()


def test_dashboard_bad_show_value_is_an_error(client, consortium, lead):
    ProposalFactory(consortium=consortium, title="Live draft")
    client.force_login(lead)
    response = client.get(reverse("home"), {"show": "junk"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- Confirm steps -------------------------------------------------------------------------------


def test_make_anchor_and_withdraw_are_behind_a_second_step(client, consortium, lead, complete_proposal):
    client.force_login(lead)
    members = client.get(reverse("consortium-members", args=[consortium.pk])).content.decode()
    assert '<details class="confirm-step display-inline"><summary class="usa-link">Make anchor' in members
    review = client.get(reverse("proposal-submit", args=[complete_proposal.pk])).content.decode()
    assert '<summary class="usa-button usa-button--outline">Withdraw this proposal…</summary>' in review
