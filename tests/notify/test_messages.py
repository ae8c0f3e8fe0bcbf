"""Messages on a proposal: the shared thread, internal notes for agency staff, files, @mentions, audit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.core.enums import NotificationEvent
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import Message, MessageAttachment, OutboxMessage
from proposals.notify.services import message_mentions, message_post

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def submitted(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    complete_proposal.refresh_from_db()
    return complete_proposal


def test_message_mentions_usernames_not_email_addresses():
    assert message_mentions("@commerce see a@b.org and @lead, @commerce again") == ["commerce", "lead"]


def test_message_post_shared_notifies_the_consortium_and_the_mentioned(
    submitted, commerce_reviewer, lead, editor
):
    OutboxMessage.objects.all().delete()
    message = message_post(proposal_id=submitted.pk, actor=commerce_reviewer, body="@lead please confirm.")
    events = sorted(OutboxMessage.objects.values_list("recipient", "event"))
    assert events == sorted(
        [(lead.email, NotificationEvent.MENTIONED), (editor.email, NotificationEvent.MESSAGE)]
    )
    assert list(message.mentioned.all()) == [lead]
    event = AuditEvent.objects.get(subject=f"message:{message.pk}")
    assert (event.action, event.actor, event.data["mentioned"]) == (
        "message_posted",
        commerce_reviewer,
        ["lead"],
    )


def test_message_post_internal_note_refused_to_consortium(submitted, lead):
    with pytest.raises(TransitionNotAllowed):
        message_post(proposal_id=submitted.pk, actor=lead, body="Let me see.", internal=True)
    assert Message.objects.count() == 0


def test_message_post_internal_note_mentioning_consortium_refused(submitted, commerce_reviewer, lead):
    with pytest.raises(InvalidInput) as refused:
        message_post(proposal_id=submitted.pk, actor=commerce_reviewer, body="Ask @lead.", internal=True)
    assert (refused.value.extra["fields"]["body"], Message.objects.count()) == (
        ["@lead cannot read this note."],
        0,
    )


def test_message_post_internal_note_notifies_only_mentioned_staff(
    submitted, commerce_reviewer, exim_officer, lead
):
    OutboxMessage.objects.all().delete()
    message_post(proposal_id=submitted.pk, actor=commerce_reviewer, body="@exim FYI.", internal=True)
    assert list(OutboxMessage.objects.values_list("recipient", "event")) == [
        (exim_officer.email, NotificationEvent.MENTIONED)
    ]


def test_message_post_bad_attachment_stores_nothing(submitted, lead):
    bad = SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")
    with pytest.raises(InvalidInput) as refused:
        message_post(proposal_id=submitted.pk, actor=lead, body="See file.", attachments=[bad])
    assert (list(refused.value.extra["fields"]), Message.objects.count()) == (["attachments"], 0)


def test_message_thread_page_posts_with_file(client, submitted, lead):
    client.force_login(lead)
    url = reverse("proposal-messages", args=[submitted.pk])
    response = client.post(url, {"body": "Our answer.", "attachments": [_pdf()]})
    assert response.status_code == 302
    attachment = MessageAttachment.objects.get()
    page = client.get(url).content.decode()
    assert "Our answer." in page and "minutes.pdf" in page
    download = client.get(reverse("proposal-message-attachment", args=[submitted.pk, attachment.pk]))
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PDF)


def test_message_thread_empty_body_is_a_field_error(client, submitted, lead):
    client.force_login(lead)
    response = client.post(reverse("proposal-messages", args=[submitted.pk]), {"body": ""})
    assert (response.status_code, Message.objects.count()) == (200, 0)
    assert "usa-form-group--error" in response.content.decode()


def test_message_thread_hidden_from_other_consortia(client, submitted, outsider):
    client.force_login(outsider)
    assert client.get(reverse("proposal-messages", args=[submitted.pk])).status_code == 404


def test_message_api_post_and_list(api_client, submitted, lead, commerce_reviewer):
    api_client.force_authenticate(lead)
    url = reverse("api-message-list", kwargs={"proposal_id": submitted.pk})
    posted = api_client.post(url, {"body": "Hello @commerce", "attachments": [_pdf()]}, format="multipart")
    assert (posted.status_code, posted.json()["mentioned"], posted.json()["attachments"][0]["name"]) == (
        201,
        ["commerce"],
        "minutes.pdf",
    )
    listed = api_client.get(url).json()
    assert [(m["author"], m["body"], m["internal"]) for m in listed] == [("lead", "Hello @commerce", False)]


def test_message_api_notes_for_staff_404_for_consortium(api_client, submitted, lead, commerce_reviewer):
    url = reverse("api-note-list", kwargs={"proposal_id": submitted.pk})
    api_client.force_authenticate(commerce_reviewer)
    assert api_client.post(url, {"body": "Internal."}, format="json").status_code == 201
    assert [m["body"] for m in api_client.get(url).json()] == ["Internal."]
    api_client.force_authenticate(lead)
    assert (api_client.get(url).status_code, api_client.post(url, {"body": "x"}).status_code) == (404, 404)


def test_message_api_empty_body_is_400(api_client, submitted, lead):
    api_client.force_authenticate(lead)
    url = reverse("api-message-list", kwargs={"proposal_id": submitted.pk})
    assert api_client.post(url, {"body": ""}, format="json").status_code == 400
