"""The inbox: every event that e-mails lands in the recipients' in-app list, with an unread count in the
header (cached per user), mark read / mark all read, and the same in the API."""

import pytest
from django.db import transaction
from django.urls import reverse

from proposals.core.enums import NotificationEvent
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import InboxItem, OutboxMessage
from proposals.notify.selectors import inbox_unread_count
from proposals.notify.services import (
    inbox_mark_all_read,
    inbox_mark_read,
    notification_queue,
    notify_deadline,
)
from tests.factories import ConsortiumUserFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notify(proposal, users, *, event=NotificationEvent.SUBMITTED, **extra):
    return notification_queue(
        event=event,
        recipients=users,
        proposal=proposal,
        context={"proposal_url": "http://x/", "consortium": proposal.consortium.name, "revision": 1},
        **extra,
    )


def test_every_emailed_event_lands_in_each_recipients_inbox(complete_proposal, lead, editor, viewer):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    items = InboxItem.objects.order_by("user__username")
    assert [(i.user.username, i.event, i.title, i.url, i.read_at) for i in items] == [
        (
            u,
            "submitted",
            "Submitted: UAE AI Cluster (revision 1)",
            f"/proposals/{complete_proposal.pk}/",
            None,
        )
        for u in ("editor", "lead", "viewer")
    ]
    # Each item points at the e-mail it mirrors.
    assert {i.outbox.recipient for i in items} == set(
        OutboxMessage.objects.values_list("recipient", flat=True)
    )


def test_inbox_item_is_rolled_back_with_the_change(complete_proposal, lead):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(complete_proposal, [lead])
        raise RuntimeError("the change fails after the notification was queued")
    assert InboxItem.objects.count() == 0
    assert inbox_unread_count(lead) == 0


def test_user_without_email_gets_the_inbox_item_but_no_email(complete_proposal):
    silent = UserFactory(username="no-mail", email="")
    ConsortiumUserFactory(consortium=complete_proposal.consortium, user=silent)
    _notify(complete_proposal, [silent])
    assert OutboxMessage.objects.count() == 0
    assert list(InboxItem.objects.values_list("user__username", "outbox")) == [("no-mail", None)]


def test_inactive_user_gets_nothing(complete_proposal):
    gone = UserFactory(username="gone", is_active=False)
    _notify(complete_proposal, [gone])
    assert InboxItem.objects.count() == 0


def test_reminder_fired_twice_lands_once(complete_proposal, lead):
    from django.utils import timezone

    due = timezone.now()
    for _ in range(2):
        notify_deadline(
            proposal=complete_proposal, what="Answer", due_at=due, overdue=False, recipients=[lead], key="k"
        )
    assert InboxItem.objects.filter(user=lead).count() == 1


def test_unread_count_falls_with_mark_read_and_mark_all_read(complete_proposal, lead):
    for _ in range(3):
        _notify(complete_proposal, [lead])
    assert inbox_unread_count(lead) == 3
    first = InboxItem.objects.filter(user=lead).order_by("pk").first()
    inbox_mark_read(user=lead, item_id=first.pk)
    assert inbox_unread_count(lead) == 2
    inbox_mark_read(user=lead, item_id=first.pk)  # already read: nothing changes
    assert inbox_unread_count(lead) == 2
    inbox_mark_read(user=lead, item_id=first.pk, read=False)
    assert inbox_unread_count(lead) == 3
    assert inbox_mark_all_read(user=lead) == 3
    assert inbox_unread_count(lead) == 0
    _notify(complete_proposal, [lead])
    assert inbox_unread_count(lead) == 1


def test_another_users_item_cannot_be_marked(complete_proposal, lead, outsider):
    _notify(complete_proposal, [lead])
    item = InboxItem.objects.get()
    with pytest.raises(InboxItem.DoesNotExist):
        inbox_mark_read(user=outsider, item_id=item.pk)
    assert InboxItem.objects.get().read_at is None


@pytest.mark.parametrize("items", [1, 3])
def test_header_count_costs_no_query_once_cached(
    client, lead, complete_proposal, items, django_assert_num_queries
):
    """The header's count: sign-in caches it; a page after a change pays exactly one COUNT."""
    client.force_login(lead)  # caches the count (0)
    url = reverse("notification-preferences")
    with django_assert_num_queries(4) as before:  # session, user, consortium roles, preference
        response = client.get(url)
    assert not any("proposals_inboxitem" in q["sql"] for q in before.captured_queries)
    assert "inbox-count" not in response.content.decode()
    for _ in range(items):
        _notify(complete_proposal, [lead])
    with django_assert_num_queries(5) as after:  # the same, and the one COUNT (then cached)
        response = client.get(url)
    assert [
        q["sql"].split(" FROM ")[0] for q in after.captured_queries if "proposals_inboxitem" in q["sql"]
    ] == ['SELECT COUNT(*) AS "__count"']
    assert f'id="inbox-count">{items}<' in response.content.decode()
    with django_assert_num_queries(4):
        client.get(url)


def test_header_links_inbox_and_notification_settings(client, lead):
    client.force_login(lead)
    html = client.get(reverse("inbox")).content.decode()
    assert f'href="{reverse("inbox")}" id="inbox-link"' in html
    assert f'href="{reverse("notification-preferences")}"><span>Notification settings</span>' in html


def test_inbox_page_lists_and_marks_read(client, lead, complete_proposal):
    _notify(complete_proposal, [lead])
    item = InboxItem.objects.get(user=lead)
    client.force_login(lead)
    page = client.get(reverse("inbox"))
    html = page.content.decode()
    assert "Submitted: UAE AI Cluster (revision 1)" in html
    assert f'href="/proposals/{complete_proposal.pk}/"' in html
    response = client.post(reverse("inbox-read", args=[item.pk]), {"show": "unread"})
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox") + "?show=unread"
    item.refresh_from_db()
    assert item.read_at is not None
    assert "No unread notifications." in client.get(reverse("inbox") + "?show=unread").content.decode()


def test_inbox_page_bad_filter_is_an_error_not_an_empty_list(client, lead, complete_proposal):
    _notify(complete_proposal, [lead])
    client.force_login(lead)
    response = client.get(reverse("inbox") + "?show=junk")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose all notifications or unread only." in html
    assert "Submitted: UAE AI Cluster" in html


def test_inbox_page_refuses_another_users_item(client, lead, outsider, complete_proposal):
    _notify(complete_proposal, [lead])
    item = InboxItem.objects.get()
    client.force_login(outsider)
    assert client.post(reverse("inbox-read", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_read_page(client, lead, complete_proposal):
    for _ in range(2):
        _notify(complete_proposal, [lead])
    client.force_login(lead)
    response = client.post(reverse("inbox-read-all"), follow=True)
    assert "Marked 2 notifications read." in response.content.decode()
    assert inbox_unread_count(lead) == 0


@pytest.mark.parametrize("items", [1, 3])
def test_inbox_page_queries_do_not_grow(client, lead, complete_proposal, items, django_assert_num_queries):
    for _ in range(items):
        _notify(complete_proposal, [lead])
    client.force_login(lead)
    client.get(reverse("inbox"))  # the count is cached
    with django_assert_num_queries(5):  # session, user, consortium roles, page count, page rows
        assert client.get(reverse("inbox")).status_code == 200


# --- API --------------------------------------------------------------------------------------------


def test_api_lists_own_items_with_unread_filter(api_client, lead, outsider, complete_proposal):
    _notify(complete_proposal, [lead, outsider])
    _notify(complete_proposal, [lead])
    read = InboxItem.objects.filter(user=lead).order_by("pk").first()
    inbox_mark_read(user=lead, item_id=read.pk)
    api_client.force_authenticate(lead)
    everything = api_client.get(reverse("api-inbox")).json()
    assert everything["count"] == 2
    unread = api_client.get(reverse("api-inbox"), {"unread": "true"}).json()
    assert [i["read"] for i in unread["results"]] == [False]
    assert unread["results"][0]["url"] == f"/proposals/{complete_proposal.pk}/"
    assert unread["results"][0]["event"] == "submitted"
    assert api_client.get(reverse("api-inbox"), {"unread": "false"}).json()["count"] == 1
    assert api_client.get(reverse("api-inbox-count")).json() == {"unread": 1}


def test_api_bad_unread_value_is_a_field_error(api_client, lead):
    api_client.force_authenticate(lead)
    response = api_client.get(reverse("api-inbox"), {"unread": "maybe"})
    assert response.status_code == 400
    assert "unread" in response.json()["extra"]["fields"]


def test_api_mark_read_and_unread(api_client, lead, complete_proposal):
    _notify(complete_proposal, [lead])
    item = InboxItem.objects.get()
    api_client.force_authenticate(lead)
    url = reverse("api-inbox-read", args=[item.pk])
    body = api_client.post(url, {}, format="json").json()
    assert body["read"] is True
    assert api_client.get(reverse("api-inbox-count")).json() == {"unread": 0}
    assert api_client.post(url, {"read": False}, format="json").json()["read"] is False
    assert api_client.post(url, {"read": "perhaps"}, format="json").status_code == 400
    assert inbox_unread_count(lead) == 1


def test_api_mark_all_read(api_client, lead, complete_proposal):
    for _ in range(2):
        _notify(complete_proposal, [lead])
    api_client.force_authenticate(lead)
    assert api_client.post(reverse("api-inbox-read-all")).json() == {"unread": 0}
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 0


def test_api_another_users_item_is_404(api_client, lead, outsider, complete_proposal):
    _notify(complete_proposal, [lead])
    item = InboxItem.objects.get()
    api_client.force_authenticate(outsider)
    assert api_client.post(reverse("api-inbox-read", args=[item.pk]), {}, format="json").status_code == 404
    assert api_client.get(reverse("api-inbox")).json()["count"] == 0


def test_api_requires_sign_in(api_client):
    assert api_client.get(reverse("api-inbox")).status_code in (401, 403)


@pytest.mark.parametrize("users", [1, 3])
def test_inbox_written_in_one_insert_whatever_the_recipients(consortium, users, django_assert_num_queries):
    proposal = ProposalFactory(consortium=consortium)
    recipients = [UserFactory() for _ in range(users)]
    # preferences, outbox insert, inbox insert (no savepoint of its own)
    with django_assert_num_queries(3):
        _notify(proposal, recipients)
    assert InboxItem.objects.count() == users
