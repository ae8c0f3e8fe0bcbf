"""The sectioned editor: every section renders, saves through the services, and keeps bad input unsaved."""

import re

import pytest
from django.urls import reverse

from proposals.core.enums import EximProduct, ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import proposal_findings
from proposals.intake.web.layout import SECTION_URLS, checklist_entries

pytestmark = pytest.mark.django_db

SECTIONS = [*SECTION_URLS.values(), "proposal-timeline", "proposal-items-import"]


@pytest.mark.parametrize("name", SECTIONS)
def test_each_section_renders_for_the_lead_with_the_checklist(lead_client, draft, name):
    response = lead_client.get(reverse(name, kwargs={"pk": draft.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="checklist"' in html
    assert f'hx-get="/proposals/{draft.pk}/checklist/"' in html
    assert 'hx-trigger="proposal-saved from:body"' in html
    assert "Bare draft" in html
    # Below desktop width the checklist follows the section's form: a link to it comes first.
    assert html.index('href="#checklist"') < html.index('id="section"') < html.index('id="checklist"')


def test_overview_saves_and_redirects_back(lead_client, draft):
    url = reverse("proposal-detail", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url,
        {
            "title": "Kenya AI cloud",
            "summary": "A sovereign cloud region.",
            "target_countries": ["KE", "AE"],
            "security_measures": "Encryption at rest.",
            "confidential_sections": ["financing"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.security_measures) == (
        "Kenya AI cloud",
        "A sovereign cloud region.",
        "Encryption at rest.",
    )
    assert sorted(draft.target_countries.values_list("code", flat=True)) == ["AE", "KE"]
    assert draft.confidential_sections == ["financing"]
    page = lead_client.get(url).content.decode()
    assert "Overview saved." in page


def test_overview_with_errors_keeps_input_shows_field_errors_and_saves_nothing(lead_client, draft):
    url = reverse("proposal-detail", kwargs={"pk": draft.pk})
    before = draft.updated_at
    response = lead_client.post(
        url, {"title": "", "summary": "My unsaved summary text", "target_countries": ["ZZ"]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "usa-form-group--error" in html
    assert re.search(
        r'<span class="usa-error-message" id="f-title-error" role="alert">This field is required', html
    )
    assert re.search(r'<span class="usa-error-message" id="f-target_countries-error"', html)
    assert "My unsaved summary text" in html  # what the user typed is still in the form
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.updated_at) == ("Bare draft", "", before)


def test_htmx_save_returns_only_the_section_and_signals_the_checklist(lead_client, draft):
    url = reverse("proposal-financing", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url,
        {
            "exim_product": EximProduct.DIRECT_LOAN,
            "financing_amount": "5000000",
            "local_costs": "0",
            "tenor_years": "7",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"proposal-saved": {}}'
    html = response.content.decode()
    assert html.startswith('<div id="section">')
    assert "Financing saved." in html
    assert 'id="checklist"' not in html
    draft.refresh_from_db()
    assert (draft.exim_product, str(draft.financing_amount), str(draft.tenor_years)) == (
        "direct_loan",
        "5000000.00",
        "7.0",
    )


def test_htmx_save_with_errors_returns_the_section_with_input_and_no_event(lead_client, draft):
    url = reverse("proposal-financing", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url,
        {"exim_product": "gift", "financing_amount": "-5", "local_costs": "0", "tenor_years": "abc"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    html = response.content.decode()
    assert 'id="f-product-error"' not in html  # the error span is keyed by the field's auto id
    assert 'id="f-exim_product-error"' in html
    assert 'id="f-financing_amount-error"' in html
    assert 'id="f-tenor_years-error"' in html
    assert 'value="-5"' in html
    draft.refresh_from_db()
    assert (draft.exim_product, draft.financing_amount, draft.tenor_years) == ("", None, None)


def test_checklist_partial_lists_findings_with_links(lead_client, draft):
    response = lead_client.get(reverse("proposal-checklist", kwargs={"pk": draft.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="checklist"')
    assert f'href="/proposals/{draft.pk}/#f-summary"' in html
    assert f'href="/proposals/{draft.pk}/items/#f-layer-chips"' in html
    assert f'href="/proposals/{draft.pk}/financing/#f-product"' in html
    assert f'href="/proposals/{draft.pk}/documents/#f-documents-security_plan"' in html


def test_every_finding_links_to_an_element_on_its_section_page(lead_client, complete_proposal, lead):
    """Break the complete proposal in many ways; each finding's anchor must exist where it points."""
    from proposals.intake.services.drafting import child_save, proposal_update

    item = complete_proposal.line_items.filter(layer="chips").first()
    child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="item",
        data={"eccn": "", "site": None},
        pk=item.pk,
    )
    party = complete_proposal.parties.first()
    child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="party",
        data={"country": None},
        pk=party.pk,
    )
    site = complete_proposal.sites.first()
    child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="site",
        data={"builder": ""},
        pk=site.pk,
    )
    proposal_update(
        proposal_id=complete_proposal.pk,
        actor=lead,
        data={"title": "Broken", "summary": "", "exim_product": ""},
    )
    complete_proposal.documents.all().delete()
    findings = proposal_findings(Proposal.objects.get(pk=complete_proposal.pk))
    assert {"ITEM_UNCLASSIFIED", "ITEM_SITE_MISSING", "PARTY_COUNTRY_MISSING", "SITE_ROLE_MISSING"} <= {
        f.code for f in findings
    }
    pages: dict[str, str] = {}
    for entry in checklist_entries(complete_proposal.pk, findings):
        path, anchor = entry.url.split("#")
        if path not in pages:
            pages[path] = lead_client.get(path).content.decode()
        assert f'id="{anchor}"' in pages[path], (entry.finding.code, entry.url)


def test_consortium_section_lists_members(lead_client, draft, consortium):
    html = lead_client.get(reverse("proposal-consortium", kwargs={"pk": draft.pk})).content.decode()
    for member in consortium.members.select_related("company"):
        assert member.company.legal_name in html
        assert f'id="f-members-{member.pk}"' in html


def test_submitted_proposal_is_read_only_with_its_revision(lead_client, complete_proposal, lead):
    from proposals.intake.services.transitions import proposal_transition

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    html = lead_client.get(reverse("proposal-detail", kwargs={"pk": complete_proposal.pk})).content.decode()
    assert "Revision 1" in html
    assert "read-only" in html
    assert '<form class="usa-form' not in html
    assert 'id="f-title"' in html
    response = lead_client.post(
        reverse("proposal-detail", kwargs={"pk": complete_proposal.pk}), {"title": "Changed after submission"}
    )
    assert response.status_code == 302
    complete_proposal.refresh_from_db()
    assert complete_proposal.title == "UAE AI Cluster"
    assert "can no longer be edited" in lead_client.get(response["Location"]).content.decode()


def test_status_badge_polls_only_while_submitted(lead_client, complete_proposal, lead):
    from proposals.intake.services.transitions import proposal_transition

    url = reverse("proposal-status", kwargs={"pk": complete_proposal.pk})
    assert "hx-trigger" not in lead_client.get(url).content.decode()
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    html = lead_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}?was=submitted"' in html
    assert 'hx-trigger="every 3s"' in html
    page = lead_client.get(reverse("proposal-detail", kwargs={"pk": complete_proposal.pk})).content.decode()
    assert f'hx-get="{url}?was=submitted"' in page


def test_status_change_during_polling_refreshes_the_page(lead_client, complete_proposal, lead):
    from proposals.intake.services.intake import intake_check
    from proposals.intake.services.transitions import proposal_transition

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    intake_check(proposal_id=complete_proposal.pk)
    url = reverse("proposal-status", kwargs={"pk": complete_proposal.pk})
    response = lead_client.get(url + "?was=submitted", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.IN_REVIEW


def test_timeline_lists_audit_events_in_order(lead_client, complete_proposal, lead):
    from proposals.intake.services.transitions import proposal_transition

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    proposal_transition(
        proposal_id=complete_proposal.pk, action="withdraw", actor=lead, reason="Scope changed"
    )
    html = lead_client.get(reverse("proposal-timeline", kwargs={"pk": complete_proposal.pk})).content.decode()
    assert AuditEvent.objects.filter(proposal=complete_proposal).count() == 2
    assert html.index(f"{lead} submitted the proposal as revision 1.") < html.index(
        f"{lead} withdrew the proposal."
    )
    assert "Scope changed" in html


def test_htmx_save_on_a_submitted_proposal_redirects_the_page_with_the_reason(
    lead_client, complete_proposal, lead
):
    from proposals.intake.services.transitions import proposal_transition

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    url = reverse("proposal-financing", kwargs={"pk": complete_proposal.pk})
    response = lead_client.post(url, {"exim_product": "loan_guarantee"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == url
    assert "can no longer be edited" in lead_client.get(url).content.decode()
    complete_proposal.refresh_from_db()
    assert complete_proposal.exim_product == "direct_loan"
