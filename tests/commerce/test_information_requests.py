"""Requests for information end to end: the consortium reads and answers them (text and files), the
answer travels with the resubmitted revision, reminders before and after the due date, web and API."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from proposals.commerce.models import InformationRequest
from proposals.commerce.policy.information_requests import NEAR, OVERDUE, rfi_days_left, rfi_reminder_due
from proposals.commerce.selectors import information_requests_due_first, information_requests_open_for
from proposals.commerce.services.review import (
    information_request_answer,
    information_request_create,
    information_request_reminders,
)
from proposals.core.enums import NotificationEvent
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.intake.models.proposal import Document
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = date(2026, 3, 10)


def _pdf(name: str = "annex-b.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def asked(in_review, commerce_reviewer):
    return information_request_create(
        proposal_id=in_review.pk,
        actor=commerce_reviewer,
        question="Which ministry operates the site?",
        due_date=timezone.localdate() + timedelta(days=10),
    )


# --- The rules ----------------------------------------------------------------------------------------


def test_rfi_days_left_counts_to_the_due_date():
    assert [rfi_days_left(due_date=TODAY + timedelta(days=d), today=TODAY) for d in (5, 0, -2)] == [5, 0, -2]


@pytest.mark.parametrize(
    ("days", "is_open", "expected"),
    [(10, True, ""), (4, True, ""), (3, True, NEAR), (0, True, NEAR), (-1, True, OVERDUE), (-1, False, "")],
)
def test_rfi_reminder_due_near_within_three_days_overdue_after_none_when_answered(days, is_open, expected):
    assert rfi_reminder_due(due_date=TODAY + timedelta(days=days), today=TODAY, is_open=is_open) == expected


# --- Answering ----------------------------------------------------------------------------------------


def test_rfi_answer_with_attachment_links_the_file_to_the_request(asked, lead):
    information_request_answer(
        request_id=asked.pk, actor=lead, answer="The Ministry of Health.", attachments=[_pdf()]
    )
    asked.refresh_from_db()
    doc = Document.objects.get(information_request=asked)
    assert (asked.answer, doc.original_name, doc.proposal_id, doc.uploaded_by) == (
        "The Ministry of Health.",
        "annex-b.pdf",
        asked.proposal_id,
        lead,
    )


def test_rfi_answer_refused_attachment_changes_nothing(asked, lead):
    fake = SimpleUploadedFile("annex.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput) as refused:
        information_request_answer(request_id=asked.pk, actor=lead, answer="See annex.", attachments=[fake])
    asked.refresh_from_db()
    assert list(refused.value.extra["fields"]) == ["attachments"]
    assert (asked.answer, Document.objects.filter(information_request=asked).count()) == ("", 0)


def test_rfi_answer_refused_to_viewers(asked, viewer):
    with pytest.raises(TransitionNotAllowed):
        information_request_answer(request_id=asked.pk, actor=viewer, answer="Hi.")


def test_rfi_answer_travels_with_the_resubmitted_revision(asked, lead):
    information_request_answer(
        request_id=asked.pk, actor=lead, answer="Ministry of Health.", attachments=[_pdf()]
    )
    proposal_transition(proposal_id=asked.proposal_id, action="submit", actor=lead)
    proposal_transition(proposal_id=asked.proposal_id, action="accept_for_review", actor=None, reason="ok")
    from proposals.commerce.services.review import commerce_review_start

    commerce_review_start(proposal_id=asked.proposal_id)
    asked.refresh_from_db()
    assert (asked.is_open, asked.answered_revision, asked.answer) == (False, 2, "Ministry of Health.")


# --- Reminders ----------------------------------------------------------------------------------------


def test_rfi_reminders_near_once_then_overdue_once(in_review, commerce_reviewer, lead, editor):
    information_request_create(
        proposal_id=in_review.pk,
        actor=commerce_reviewer,
        question="Q?",
        due_date=timezone.localdate() + timedelta(days=2),
    )
    OutboxMessage.objects.all().delete()
    first = information_request_reminders()
    again = information_request_reminders()
    later = timezone.now() + timedelta(days=3)
    overdue = information_request_reminders(now=later)
    overdue_again = information_request_reminders(now=later)
    events = sorted(OutboxMessage.objects.values_list("recipient", "event"))
    assert (first, again, overdue, overdue_again) == (2, 0, 2, 0)
    assert events == sorted(
        [
            (u.email, e)
            for u in (lead, editor)
            for e in (NotificationEvent.DEADLINE_NEAR, NotificationEvent.DEADLINE_OVERDUE)
        ]
    )


def test_rfi_reminders_none_for_answered_or_far_requests(asked, lead):
    OutboxMessage.objects.all().delete()
    assert information_request_reminders() == 0  # due in 10 days: not yet


# --- Web --------------------------------------------------------------------------------------------


def test_rfi_panel_on_proposal_page_shows_question_agency_due_date_and_days_left(client, asked, lead):
    client.force_login(lead)
    page = client.get(reverse("proposal-detail", args=[asked.proposal_id])).content.decode()
    assert "Which ministry operates the site?" in page
    assert "Department of Commerce (BIS)" in page
    assert "10 days left" in page
    assert "review clock is paused" in page
    assert "commerce" not in page.split('id="requests"')[1].split("</section>")[0].replace("Commerce", "")


def test_rfi_dashboard_action_required_lists_open_requests(client, asked, lead, outsider):
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert 'id="action-required"' in page and "Which ministry operates the site?" in page
    client.force_login(outsider)
    assert "Which ministry" not in client.get(reverse("home")).content.decode()


def test_rfi_answer_page_saves_answer_and_file(client, asked, lead):
    client.force_login(lead)
    url = reverse("proposal-information-request", args=[asked.proposal_id, asked.pk])
    response = client.post(url, {"answer": "Ministry of Health.", "attachments": [_pdf(), _pdf("b.pdf")]})
    assert response.status_code == 302
    asked.refresh_from_db()
    names = sorted(asked.attachments.values_list("original_name", flat=True))
    assert (asked.answer, names) == ("Ministry of Health.", ["annex-b.pdf", "b.pdf"])


def test_rfi_answer_page_bad_file_is_a_field_error(client, asked, lead):
    client.force_login(lead)
    url = reverse("proposal-information-request", args=[asked.proposal_id, asked.pk])
    bad = SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")
    response = client.post(url, {"answer": "See file.", "attachments": [bad]})
    assert response.status_code == 200
    assert "usa-form-group--error" in response.content.decode()
    asked.refresh_from_db()
    assert asked.answer == ""


def test_rfi_answer_page_hidden_from_other_consortia(client, asked, outsider):
    client.force_login(outsider)
    url = reverse("proposal-information-request", args=[asked.proposal_id, asked.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "x"}).status_code == 404


def test_rfi_reviewer_reads_answer_beside_the_revision_diff(client, asked, lead, commerce_reviewer):
    information_request_answer(
        request_id=asked.pk, actor=lead, answer="Ministry of Health.", attachments=[_pdf()]
    )
    proposal_transition(proposal_id=asked.proposal_id, action="submit", actor=lead)
    proposal_transition(proposal_id=asked.proposal_id, action="accept_for_review", actor=None, reason="ok")
    from proposals.commerce.services.review import commerce_review_start

    commerce_review_start(proposal_id=asked.proposal_id)
    client.force_login(commerce_reviewer)
    page = client.get(reverse("commerce-proposal", args=[asked.proposal_id])).content.decode()
    diff_part = page.split('id="diff"')[1]
    assert "Answer carried by revision 2" in diff_part
    assert "Ministry of Health." in diff_part and "annex-b.pdf" in diff_part


# --- API --------------------------------------------------------------------------------------------


def test_rfi_api_list_for_the_consortium(api_client, asked, lead):
    api_client.force_authenticate(lead)
    body = api_client.get(reverse("api-information-request-list", args=[asked.proposal_id])).json()
    assert [
        (r["question"], r["asked_by_agency"], r["days_left"], r["is_open"], r["clock_paused"]) for r in body
    ] == [("Which ministry operates the site?", "Department of Commerce (BIS)", 10, True, True)]
    assert "asked_by" not in body[0]


def test_rfi_api_answer_with_attachment(api_client, asked, lead):
    api_client.force_authenticate(lead)
    response = api_client.post(
        reverse("api-information-request-answer", args=[asked.pk]),
        {"answer": "Ministry of Health.", "attachments": [_pdf()]},
        format="multipart",
    )
    body = response.json()
    assert (response.status_code, body["answer"], [a["name"] for a in body["attachments"]]) == (
        200,
        "Ministry of Health.",
        ["annex-b.pdf"],
    )


def test_rfi_api_answer_json_without_files(api_client, asked, lead):
    api_client.force_authenticate(lead)
    response = api_client.post(
        reverse("api-information-request-answer", args=[asked.pk]), {"answer": "Ministry."}, format="json"
    )
    assert (response.status_code, response.json()["attachments"]) == (200, [])


def test_rfi_api_answer_bad_file_is_400_and_nothing_changes(api_client, asked, lead):
    api_client.force_authenticate(lead)
    bad = SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")
    response = api_client.post(
        reverse("api-information-request-answer", args=[asked.pk]),
        {"answer": "See.", "attachments": [bad]},
        format="multipart",
    )
    asked.refresh_from_db()
    assert (response.status_code, list(response.json()["extra"]["fields"]), asked.answer) == (
        400,
        ["attachments"],
        "",
    )


def test_rfi_api_other_consortium_gets_404(api_client, asked, outsider):
    api_client.force_authenticate(outsider)
    assert (
        api_client.get(reverse("api-information-request-list", args=[asked.proposal_id])).status_code == 404
    )
    answer = api_client.post(reverse("api-information-request-answer", args=[asked.pk]), {"answer": "x"})
    assert answer.status_code == 404


def test_rfi_api_answer_closed_request_is_409(api_client, asked, lead):
    InformationRequest.objects.filter(pk=asked.pk).update(answered_at=timezone.now(), answered_revision=2)
    api_client.force_authenticate(lead)
    response = api_client.post(reverse("api-information-request-answer", args=[asked.pk]), {"answer": "x"})
    assert response.status_code == 409


def test_rfi_dashboard_reads_the_first_open_requests_as_the_full_list_orders_them(
    asked, lead, commerce_reviewer, django_assert_num_queries
):
    # Picked by key first (the dashboard shows a few): the same requests, in the same order, as the
    # first of every open request, with their proposal and asker read alongside.
    for days in (3, 30, -2, 3, 12):
        InformationRequest.objects.create(
            proposal_id=asked.proposal_id,
            question=f"Due in {days}?",
            due_date=timezone.localdate() + timedelta(days=days),
            asked_by=commerce_reviewer,
        )
    InformationRequest.objects.create(
        proposal_id=asked.proposal_id,
        question="Answered",
        due_date=timezone.localdate() - timedelta(days=9),
        answered_at=timezone.now(),
    )
    expected = [r.pk for r in information_requests_open_for(lead)][:4]
    with django_assert_num_queries(1):
        first = list(information_requests_due_first(lead, limit=4))
        shown = [(r.proposal.title, r.asked_by_agency) for r in first]
    assert [r.pk for r in first] == expected and len(expected) == 4
    assert all(title == asked.proposal.title for title, _ in shown)
