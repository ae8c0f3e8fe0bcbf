"""The Commerce workspace pages: queue (filters, sorting, N+1 guard), proposal page, decision forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.commerce.models import CommerceReview, InformationRequest, LicenseGate, ScreeningHit
from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.review import gate_decide
from proposals.core.enums import GateStatus, HitStatus, ProposalStatus
from proposals.demo import build_complete_proposal
from proposals.intake.selectors import proposal_revision_diff
from proposals.intake.services.transitions import proposal_transition
from proposals.search.models import ProposalSearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewing(client, commerce_reviewer):
    client.force_login(commerce_reviewer)
    return client


def _submit_more(consortium, lead, n):
    proposals = []
    for i in range(n):
        p = build_complete_proposal(
            consortium=consortium, lead=lead, title=f"Extra {i}", country="SA", city="Riyadh"
        )
        proposal_transition(proposal_id=p.pk, action="submit", actor=lead)
        proposal_transition(proposal_id=p.pk, action="accept_for_review", actor=None, reason="ok")
        licenses_determine(proposal_id=p.pk)
        CommerceReview.objects.filter(proposal=p).update(clock_days=10 * (i + 1))
        proposals.append(p)
    return proposals


def test_queue_refused_to_non_commerce_users(client, exim_officer, lead):
    for user in (exim_officer, lead):
        client.force_login(user)
        assert client.get(reverse("commerce-queue")).status_code == 403
    client.logout()
    assert client.get(reverse("commerce-queue")).status_code == 302


def test_queue_lists_submitted_work_sorted_by_clock(reviewing, worked, consortium, lead):
    _submit_more(consortium, lead, 2)
    response = reviewing.get(reverse("commerce-queue"))
    assert response.status_code == 200
    titles = [p.title for p in response.context["rows"]]
    assert titles == ["Extra 1", "Extra 0", "UAE AI Cluster"]
    proposal = response.context["rows"][2]
    row = (proposal.queue_destinations, proposal.queue_eccns, proposal.open_gates, proposal.unresolved_hits)
    assert row == (
        ["AE"],
        ["3A090.a", "4A090.a", "5A992.c", "5D992.c", "EAR99"],
        2,
        1,
    )


def test_queue_row_without_a_search_summary_reads_its_line_items(reviewing, worked):
    """Fail closed: a proposal whose summary is missing (written outside the services, until the
    sweeper rebuilds it) still shows its ECCNs, read from its line items."""
    ProposalSearch.objects.filter(proposal=worked).delete()
    row = reviewing.get(reverse("commerce-queue")).context["rows"][0]
    assert row.queue_eccns == ["3A090.a", "4A090.a", "5A992.c", "5D992.c", "EAR99"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("destination=AE", ["UAE AI Cluster"]),
        ("destination=SA", ["Extra 0"]),
        ("eccn=3a090", ["Extra 0", "UAE AI Cluster"]),
        ("eccn=9A610", []),
        ("assignee=me", ["UAE AI Cluster"]),
        ("assignee=none", ["Extra 0"]),
        ("age=9_to_30", ["Extra 0"]),
        ("age=under_9", ["UAE AI Cluster"]),
        ("status=returned", []),
        ("sort=-clock", ["UAE AI Cluster", "Extra 0"]),
    ],
)
def test_queue_filters(reviewing, worked, consortium, lead, commerce_reviewer, query, expected):
    from proposals.commerce.services.review import review_assign

    _submit_more(consortium, lead, 1)
    review_assign(proposal_id=worked.pk, reviewer_id=commerce_reviewer.pk, actor=commerce_reviewer)
    response = reviewing.get(reverse("commerce-queue") + "?" + query)
    assert [p.title for p in response.context["rows"]] == expected


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count_does_not_grow_with_rows(
    reviewing, consortium, lead, count, django_assert_num_queries
):
    _submit_more(consortium, lead, count)
    reviewing.get(reverse("commerce-queue"))  # steady state: the filter form's fragment is cached
    # session, user, TOTP device (two-factor), the page's sorted keys with the count, its rows by
    # those keys (each row's distinct destinations, and its ECCNs from its search summary; agency staff
    # have no consortium roles to read), the user's saved filters on the queue, the reviewer's panel
    # seats (the proposals they are recused from)
    with django_assert_num_queries(7):
        response = reviewing.get(reverse("commerce-queue"))
    assert len(response.context["rows"]) == count


def test_queue_rows_link_escape_and_offer_assignment(reviewing, worked, consortium, lead, commerce_reviewer):
    from proposals.commerce.services.review import review_assign

    (extra,) = _submit_more(consortium, lead, 1)
    extra.title = "<b>Bold</b> & co"
    extra.save(update_fields=["title"])
    review_assign(proposal_id=worked.pk, reviewer_id=commerce_reviewer.pk, actor=commerce_reviewer)
    body = reviewing.get(reverse("commerce-queue")).content.decode()
    proposal_url = reverse("commerce-proposal", args=[extra.pk])
    assert f'<a href="{proposal_url}">&lt;b&gt;Bold&lt;/b&gt; &amp; co</a>' in body
    assert "<b>Bold</b>" not in body
    # The unassigned row posts to its own assign URL with a CSRF token; the assigned one names its reviewer.
    assert f'action="{reverse("commerce-assign", args=[extra.pk])}"' in body
    assert f'action="{reverse("commerce-assign", args=[worked.pk])}"' not in body
    assert body.count('name="csrfmiddlewaretoken"') >= 2  # the assign form's and the page's own forms
    assert f'<td data-label="Reviewer">\n        {commerce_reviewer}\n' in body
    assert '<td data-label="Clock">\n        not started\n      </td>' in body  # no clock registered yet
    CommerceReview.objects.filter(proposal=worked).update(
        registered_at=timezone.now(),
        clock_days=1,
        clock_flag="overdue",
        clock_next_mark="30-day mark",
        clock_days_to_mark=29,
    )
    body = reviewing.get(reverse("commerce-queue")).content.decode()
    assert (
        '1 day\n          <span class="usa-tag bg-secondary">Overdue</span>'
        '\n          <br><span class="text-base">29 to 30-day mark</span>'
    ) in body


def test_proposal_page_shows_items_parties_hits_and_gates(reviewing, worked):
    response = reviewing.get(reverse("commerce-proposal", args=[worked.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "3A090.a",
        "Ministry of Health and Prevention",
        "NATIONAL AI INFRASTRUCTURE COMPANY",
        "advanced-computing-destination",
        "Civil AI services for the national health ministry",
    ):
        assert text in body


def test_proposal_page_shows_the_policy_revision_diff_after_a_resubmission(reviewing, resubmitted):
    response = reviewing.get(reverse("commerce-proposal", args=[resubmitted.pk]))
    assert response.context["track"].diff == proposal_revision_diff(resubmitted)
    body = response.content.decode()
    assert (
        '<td data-label="Section">Overview</td><td data-label="Change">changed</td>'
        '<td data-label="Field">Title</td>'
    ) in body
    assert "UAE Sovereign Health AI Cluster" in body


def test_proposal_page_of_a_first_revision_says_there_is_nothing_to_compare(reviewing, in_review):
    response = reviewing.get(reverse("commerce-proposal", args=[in_review.pk]))
    assert response.context["track"].diff is None
    assert "No earlier revision to compare with." in response.content.decode()


def test_proposal_page_refused_to_exim(client, exim_officer, worked):
    client.force_login(exim_officer)
    assert client.get(reverse("commerce-proposal", args=[worked.pk])).status_code == 403


def test_gate_decision_form_records_decision(reviewing, worked, commerce_reviewer):
    gate = LicenseGate.objects.get(proposal=worked, eccn="3A090.a")
    response = reviewing.post(
        reverse("commerce-gate-decide", args=[gate.pk]),
        {"action": "approve_with_conditions", "reason": "Acceptable.", "conditions": "No re-export."},
    )
    assert response.status_code == 302
    gate.refresh_from_db()
    assert (gate.status, gate.conditions, gate.decided_by) == (
        GateStatus.APPROVED_WITH_CONDITIONS,
        "No re-export.",
        commerce_reviewer,
    )


def test_gate_decision_form_without_reason_shows_field_error_and_saves_nothing(reviewing, worked):
    gate = LicenseGate.objects.get(proposal=worked, eccn="3A090.a")
    response = reviewing.post(
        reverse("commerce-gate-decide", args=[gate.pk]), {"action": "deny", "reason": ""}
    )
    assert response.status_code == 400
    assert response.context["decision_form"].errors == {"reason": ["This field is required."]}
    gate.refresh_from_db()
    assert gate.status == GateStatus.OPEN


def test_bulk_preview_then_confirm(reviewing, worked):
    ids = list(LicenseGate.objects.filter(proposal=worked).values_list("pk", flat=True))
    data = {"gates": ids, "action": "approve", "reason": "Batch approval.", "conditions": ""}
    preview = reviewing.post(reverse("commerce-bulk", args=[worked.pk]), data)
    assert preview.status_code == 200
    assert [r.ok for r in preview.context["rows"]] == [True, True]
    assert set(LicenseGate.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"open"}
    done = reviewing.post(reverse("commerce-bulk", args=[worked.pk]), {**data, "confirm": "1"})
    assert done.status_code == 302
    assert set(LicenseGate.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"approved"}


def test_hit_adjudication_form(reviewing, worked):
    hit = ScreeningHit.objects.get(proposal=worked)
    response = reviewing.post(
        reverse("commerce-hit-adjudicate", args=[hit.pk]),
        {"action": "false_positive", "reason": "Other firm."},
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert (hit.status, hit.adjudication_reason) == (HitStatus.FALSE_POSITIVE, "Other firm.")


def test_hit_adjudication_refused_by_the_service_shows_the_page_again_with_the_error(reviewing, worked):
    hit = ScreeningHit.objects.get(proposal=worked)
    url = reverse("commerce-hit-adjudicate", args=[hit.pk])
    reviewing.post(url, {"action": "false_positive", "reason": "Other firm."})
    response = reviewing.post(url, {"action": "confirm", "reason": "Same firm after all."})
    assert response.status_code == 400
    assert response.context["hit_id"] == hit.pk
    assert list(response.context["hit_form"].non_field_errors()) == [
        '"Confirmed match" is not possible while the screening hit is false positive.'
    ]
    hit.refresh_from_db()
    assert hit.status == HitStatus.FALSE_POSITIVE


def test_rfi_form_returns_the_proposal(reviewing, worked):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = reviewing.post(
        reverse("commerce-rfi", args=[worked.pk]), {"question": "Who operates?", "due_date": due}
    )
    assert response.status_code == 302
    worked.refresh_from_db()
    assert worked.status == ProposalStatus.RETURNED
    assert InformationRequest.objects.get(proposal=worked).question == "Who operates?"


def test_rfi_form_with_past_due_date_saves_nothing(reviewing, worked):
    response = reviewing.post(
        reverse("commerce-rfi", args=[worked.pk]), {"question": "Q?", "due_date": "2020-01-01"}
    )
    assert response.status_code == 400
    assert response.context["rfi_form"].errors == {"due_date": ["The due date must be in the future."]}
    assert InformationRequest.objects.count() == 0


def test_self_assign_and_auto_assign_buttons(reviewing, worked, commerce_reviewer, reviewer_b):
    reviewing.post(reverse("commerce-assign", args=[worked.pk]), {"who": "auto"})
    assert CommerceReview.objects.get(proposal=worked).reviewer == commerce_reviewer  # lowest id, both idle
    reviewing.force_login(reviewer_b)
    reviewing.post(reverse("commerce-assign", args=[worked.pk]), {"who": "me"})
    assert CommerceReview.objects.get(proposal=worked).reviewer == reviewer_b


def test_screen_again_queues_screening_and_returns_to_the_screening_section(reviewing, worked):
    url = reverse("commerce-proposal", args=[worked.pk])
    response = reviewing.post(reverse("commerce-screen", args=[worked.pk]))
    assert (response.status_code, response["Location"]) == (302, url + "#screening")
    assert reviewing.get(response["Location"]).status_code == 200
    assert CommerceReview.objects.get(proposal=worked).screening_requested_at is not None


def test_each_decision_returns_to_the_row_or_section_it_was_taken_in(reviewing, worked):
    page = reverse("commerce-proposal", args=[worked.pk])
    gate = LicenseGate.objects.filter(proposal=worked).order_by("pk").first()
    hit = ScreeningHit.objects.get(proposal=worked)
    decided = reviewing.post(
        reverse("commerce-gate-decide", args=[gate.pk]), {"action": "approve", "reason": "Fine."}
    )
    adjudicated = reviewing.post(
        reverse("commerce-hit-adjudicate", args=[hit.pk]), {"action": "false_positive", "reason": "Other."}
    )
    assigned = reviewing.post(reverse("commerce-assign", args=[worked.pk]), {"who": "auto"})
    assert [r["Location"] for r in (decided, adjudicated, assigned)] == [
        f"{page}#gate-{gate.pk}",
        f"{page}#hit-{hit.pk}",
        f"{page}#reviewer",
    ]


def test_a_refused_gate_decision_is_summarized_at_the_top_with_links_to_its_fields(reviewing, worked):
    gate = LicenseGate.objects.filter(proposal=worked).order_by("pk").first()
    response = reviewing.post(
        reverse("commerce-gate-decide", args=[gate.pk]),
        {"action": "approve_with_conditions", "reason": ""},
    )
    assert response.status_code == 400
    assert response.context["error_summary"] == [
        {"text": "Reason: This field is required.", "href": f"#gate-reason{gate.pk}"},
        {
            "text": "Conditions: State the conditions (provisos) of the approval.",
            "href": f"#gate-conditions{gate.pk}",
        },
    ]
    body = response.content.decode()
    # The summary comes before the page's sections, and its links land on fields that exist.
    assert body.index('id="error-summary"') < body.index('id="clearance"')
    assert f'id="gate-reason{gate.pk}"' in body and f'id="gate-conditions{gate.pk}"' in body
    # The gate's own form is open, in the row under its gate.
    assert body.index(f'id="gate-{gate.pk}"') < body.index(f'id="gate-{gate.pk}-decide"')
    assert f'<details open>\n        <summary class="text-bold">Decide {gate.eccn}' in body


def test_a_bulk_decision_without_gates_links_its_error_to_the_gate_list(reviewing, worked):
    response = reviewing.post(
        reverse("commerce-bulk", args=[worked.pk]), {"action": "approve", "reason": "All fine."}
    )
    assert response.status_code == 400
    assert response.context["error_summary"] == [{"text": "Gates: This field is required.", "href": "#gates"}]


def test_proposal_page_links_the_papers_and_the_documents(reviewing, worked, commerce_reviewer):
    gate = LicenseGate.objects.filter(proposal=worked).order_by("pk").first()
    gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Fine.")
    body = reviewing.get(reverse("commerce-proposal", args=[worked.pk])).content.decode()
    for url in (
        reverse("proposal-documents", args=[worked.pk]),
        reverse("paper-download", args=[worked.pk, "dossier"]),
        reverse("package-download", args=[worked.pk]),
        reverse("paper-download-subject", args=[worked.pk, "license_letter", gate.pk]),
    ):
        assert f'href="{url}"' in body
