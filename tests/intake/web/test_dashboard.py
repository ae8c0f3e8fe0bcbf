"""The dashboard: a consortium's proposals with status and last change; agency staff's submitted list; nav."""

import pytest
from django.urls import reverse

from proposals.intake.services.transitions import proposal_transition
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

# The same whatever the list's length: session, user, roles, status counts (their sum is the pager's
# count), the page's sorted keys, then their rows by those keys with their item counts (keyed_rows);
# the start button reads the cached roles.
# Then the search form: the user's saved filters, and the destination select's countries.
DASHBOARD_QUERIES = 8


def test_anonymous_visitor_sees_the_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()
    assert response.templates[0].name == "home.html"


def test_dashboard_lists_own_proposals_with_status_and_last_change(lead_client, consortium, outsider):
    mine = ProposalFactory(consortium=consortium, title="Our Kenya cloud")
    ProposalFactory(consortium=outsider.consortium_roles.get().consortium, title="Their secret plan")
    response = lead_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Our Kenya cloud" in html
    assert "Their secret plan" not in html
    assert f'href="/proposals/{mine.pk}/"' in html
    assert '<span class="usa-tag status-tag status-tag--draft">Draft</span>' in html
    assert f'<time datetime="{mine.updated_at.astimezone().isoformat()}"' in html
    assert "<strong>1</strong> draft" in html
    assert "Start a proposal</a>" in html


def test_viewer_dashboard_has_no_start_button(viewer_client, draft):
    html = viewer_client.get("/").content.decode()
    assert "Bare draft" in html
    assert 'class="usa-button" href="/proposals/new/"' not in html


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count_does_not_grow_with_proposals(
    lead_client, consortium, count, django_assert_num_queries
):
    for n in range(count):
        ProposalFactory(consortium=consortium, title=f"Proposal number {n}")
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = lead_client.get("/")
    assert response.content.decode().count("Proposal number") == count


def test_agency_staff_see_only_submitted_proposals(client, commerce_reviewer, complete_proposal, lead, draft):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    client.force_login(commerce_reviewer)
    response = client.get("/")
    html = response.content.decode()
    assert response.templates[0].name == "proposals/agency_list.html"
    assert "UAE AI Cluster" in html
    assert "Bare draft" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_agency_list_query_count_does_not_grow(
    client, commerce_reviewer, consortium, lead, count, django_assert_num_queries
):
    for n in range(count):
        ProposalFactory(
            consortium=consortium, title=f"Submitted number {n}", revision_number=1, status="submitted"
        )
    client.force_login(commerce_reviewer)
    with django_assert_num_queries(AGENCY_LIST_QUERIES):
        response = client.get("/")
    assert response.content.decode().count("Submitted number") == count


# session, user, TOTP device (two-factor), the page's sorted keys with the count, then their rows; no
# consortium roles (agency staff act for none), no item counts (the submitted list does not show them);
# then the "Action required" panel: a Commerce reviewer's own work, the unassigned (their panels only
# for a reviewer with a panel seat: none here); and
# the search form: the user's saved filters, the destination select's countries (read on every form
# in tests; kept per process as deployed, tests/scale); and the reviewer's
# panel seats (the proposals they are recused from, excluded by key: a NOT EXISTS in the page's query
# kept its count off the narrow index, issue 16)
AGENCY_LIST_QUERIES = 10


def test_create_proposal_as_lead(lead_client, consortium, call):
    response = lead_client.get(reverse("proposal-create"))
    assert response.status_code == 200
    response = lead_client.post(
        reverse("proposal-create"), {"consortium": consortium.pk, "call": call.pk, "title": "New draft"}
    )
    proposal = consortium.proposals.get(title="New draft")
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"


def test_create_proposal_without_title_keeps_input_and_saves_nothing(editor_client, consortium, call):
    response = editor_client.post(
        reverse("proposal-create"), {"consortium": consortium.pk, "call": call.pk, "title": ""}
    )
    assert response.status_code == 200
    assert 'id="f-title-error"' in response.content.decode()
    assert not consortium.proposals.exists()


def test_create_proposal_for_another_consortium_is_refused(lead_client, consortium, outsider, call):
    theirs = outsider.consortium_roles.get().consortium
    response = lead_client.post(
        reverse("proposal-create"), {"consortium": theirs.pk, "call": call.pk, "title": "Sneaky"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Consortium: Select a valid choice." in html
    assert 'value="Sneaky"' in html
    assert not theirs.proposals.exists()


def test_nav_items_are_role_specific(lead_client, client, commerce_reviewer, viewer_client, consortium):
    consortium_nav = [(i.label, i.url) for i in lead_client.get("/").context["nav_items"]]
    assert consortium_nav == [
        ("Start a proposal", "/proposals/new/"),
        ("Members", f"/consortia/{consortium.pk}/members/"),
        ("Bill-of-materials template", "/proposals/bom-template.csv"),
        ("API", "/api/docs/"),
        ("API tokens", "/accounts/tokens/"),
        ("Notification settings", "/account/notifications/"),
    ]
    client.force_login(commerce_reviewer)
    assert [(i.label, i.url) for i in client.get("/").context["nav_items"]] == [
        ("Commerce queue", "/commerce/"),
        ("Evaluation", "/evaluation/"),
        ("API", "/api/docs/"),
        ("API tokens", "/accounts/tokens/"),
        ("Notification settings", "/account/notifications/"),
    ]


def test_list_rows_escape_what_people_typed(lead_client, client, consortium, commerce_reviewer):
    # The rows are written in Python (listing.proposal_rows): every value is escaped as a template would.
    consortium.name = "Acme <i>Holdings</i>"
    consortium.save(update_fields=["name"])
    ProposalFactory(consortium=consortium, title="<b>Bold</b> & co", revision_number=1, status="submitted")
    client.force_login(commerce_reviewer)
    for html in (lead_client.get("/").content.decode(), client.get("/").content.decode()):
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html and "<b>Bold</b>" not in html
        assert "Acme &lt;i&gt;Holdings&lt;/i&gt;" in html and "<i>Holdings</i>" not in html
