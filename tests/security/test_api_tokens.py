"""API tokens (accounts.tokens): they expire, rotate, are listed and revoked by their owner, end when
the password, two-factor device, activity or role changes, and agency tokens need a current device."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import User
from accounts.tokens import token_issue, token_two_factor_current
from proposals.core.enums import ConsortiumUserRole
from proposals.intake.models.consortium import ConsortiumUser
from tests.factories import TEST_PASSWORD
from tests.twofactor import totp_now

pytestmark = pytest.mark.django_db

QUEUE = "/api/commerce/queue/"


def _as(api_client, key: str):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


@pytest.fixture
def enrolled_commerce(commerce_reviewer):
    device = TOTPDevice.objects.create(user=commerce_reviewer, name="App", confirmed=True)
    return commerce_reviewer, device


# --- Issue, expiry, listing, rotation -------------------------------------------------------------


def test_token_endpoint_issues_a_new_expiring_token_each_time(api_client, lead, settings):
    settings.EXPORTAI_API_TOKEN_TTL_HOURS = 3
    credentials = {"username": "lead", "password": TEST_PASSWORD}

    first = api_client.post(reverse("api-token"), credentials, format="json").json()
    second = api_client.post(reverse("api-token"), credentials, format="json").json()

    assert first["token"] != second["token"]
    assert first["token_key"] == first["token"][:15]
    stored = AuthToken.objects.get(token_key=first["token_key"])
    assert abs(stored.expiry - stored.created - timedelta(hours=3)) < timedelta(seconds=1)
    assert first["token"] not in stored.digest  # only a digest is kept
    assert _as(api_client, first["token"]).get("/api/proposals/").status_code == 200


def test_token_expired_is_401(api_client, lead):
    token, key = token_issue(user=lead)
    AuthToken.objects.filter(digest=token.digest).update(expiry=timezone.now() - timedelta(seconds=1))

    response = _as(api_client, key).get("/api/proposals/")

    assert response.status_code == 401
    assert not AuthToken.objects.filter(digest=token.digest).exists()


def test_token_limit_per_user_drops_the_oldest(lead, settings):
    settings.EXPORTAI_API_TOKENS_PER_USER = 2
    oldest, _ = token_issue(user=lead)
    token_issue(user=lead)
    token_issue(user=lead)

    assert AuthToken.objects.filter(user=lead).count() == 2
    assert not AuthToken.objects.filter(digest=oldest.digest).exists()


def test_token_list_shows_only_the_owners_tokens(api_client, lead, outsider):
    mine, key = token_issue(user=lead)
    other, _ = token_issue(user=lead)
    token_issue(user=outsider)

    rows = _as(api_client, key).get(reverse("api-token-list")).json()

    assert sorted(row["token_key"] for row in rows) == sorted([mine.token_key, other.token_key])
    assert {row["token_key"]: row["current"] for row in rows} == {
        mine.token_key: True,
        other.token_key: False,
    }
    assert all(set(row) == {"token_key", "created", "expiry", "current"} for row in rows)


def test_token_revoke_by_owner_ends_it(api_client, lead):
    _, key = token_issue(user=lead)
    victim, victim_key = token_issue(user=lead)

    response = _as(api_client, key).delete(reverse("api-token-revoke", args=[victim.token_key]))

    assert response.status_code == 204
    assert _as(api_client, victim_key).get("/api/proposals/").status_code == 401


def test_token_revoke_of_another_users_token_is_404(api_client, lead, outsider):
    _, key = token_issue(user=lead)
    theirs, their_key = token_issue(user=outsider)

    response = _as(api_client, key).delete(reverse("api-token-revoke", args=[theirs.token_key]))

    assert response.status_code == 404
    assert _as(api_client, their_key).get("/api/proposals/").status_code == 200


def test_token_rotate_replaces_the_key_and_keeps_the_expiry(api_client, lead):
    old, old_key = token_issue(user=lead)

    response = _as(api_client, old_key).post(reverse("api-token-rotate"))

    body = response.json()
    assert response.status_code == 200
    assert body["token"] != old_key
    new = AuthToken.objects.get(token_key=body["token_key"])
    assert abs(new.expiry - old.expiry) < timedelta(seconds=5)
    assert _as(api_client, old_key).get("/api/proposals/").status_code == 401
    assert _as(api_client, body["token"]).get("/api/proposals/").status_code == 200


def test_token_rotate_over_a_session_is_400(client, lead):
    client.force_login(lead)

    response = client.post(reverse("api-token-rotate"))

    assert response.status_code == 400


def test_token_header_not_utf8_is_401(client, lead):
    response = client.get("/api/proposals/", HTTP_AUTHORIZATION="Token \xff\xfe")

    assert response.status_code == 401


def test_token_page_issues_lists_and_revokes(client, lead):
    client.force_login(lead)

    issued = client.post(reverse("account-tokens"), {"action": "issue", "password": TEST_PASSWORD})
    token = AuthToken.objects.get(user=lead)
    listed = client.get(reverse("account-tokens")).content.decode()
    client.post(reverse("account-tokens"), {"action": "revoke", "token_key": token.token_key})

    assert issued.status_code == 200
    assert 'id="new-token"' in issued.content.decode()
    assert f"{token.token_key}…" in listed
    assert 'id="new-token"' not in listed  # the key is shown once
    assert not AuthToken.objects.filter(user=lead).exists()


def test_token_page_issue_needs_the_password(client, lead):
    client.force_login(lead)

    response = client.post(reverse("account-tokens"), {"action": "issue", "password": "not-it"})

    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert not AuthToken.objects.filter(user=lead).exists()


def test_token_page_wrong_passwords_count_towards_lockout(client, lead, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client.force_login(lead)
    for _ in range(2):
        client.post(reverse("account-tokens"), {"action": "issue", "password": "not-it"})

    response = client.post(reverse("account-tokens"), {"action": "issue", "password": TEST_PASSWORD})

    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not AuthToken.objects.filter(user=lead).exists()


def test_token_page_revoke_all(client, lead):
    token_issue(user=lead)
    token_issue(user=lead)
    client.force_login(lead)

    client.post(reverse("account-tokens"), {"action": "revoke-all"})

    assert not AuthToken.objects.filter(user=lead).exists()


# --- Revocation ---------------------------------------------------------------------------------


def test_token_revoked_on_password_change(api_client, lead):
    _, key = token_issue(user=lead)

    lead.set_password("another-long-password-2026")
    lead.save()

    assert _as(api_client, key).get("/api/proposals/").status_code == 401


def test_token_revoked_on_deactivation(api_client, lead):
    _, key = token_issue(user=lead)

    lead.is_active = False
    lead.save(update_fields=["is_active"])

    assert _as(api_client, key).get("/api/proposals/").status_code == 401


def test_token_refused_for_inactive_user_even_without_the_receiver(api_client, lead):
    _, key = token_issue(user=lead)
    User.objects.filter(pk=lead.pk).update(is_active=False)  # no signal

    assert _as(api_client, key).get("/api/proposals/").status_code == 401


def test_token_revoked_on_two_factor_reset(api_client, enrolled_commerce):
    user, device = enrolled_commerce
    _, key = token_issue(user=user)

    device.delete()

    assert not AuthToken.objects.filter(user=user).exists()
    assert _as(api_client, key).get(QUEUE).status_code == 401


def test_token_not_revoked_by_an_abandoned_enrolment(lead):
    token_issue(user=lead)
    TOTPDevice.objects.create(user=lead, name="Pending", confirmed=False).delete()

    assert AuthToken.objects.filter(user=lead).count() == 1


def test_token_revoked_on_agency_change(api_client, enrolled_commerce):
    user, _ = enrolled_commerce
    _, key = token_issue(user=user)

    user.agency = "exim"
    user.save()

    assert _as(api_client, key).get("/api/proposals/").status_code == 401


@pytest.mark.parametrize("change", ["role", "added", "removed"])
def test_token_revoked_on_consortium_role_change(api_client, lead, outsider, change):
    _, key = token_issue(user=lead)
    membership = ConsortiumUser.objects.get(user=lead)

    if change == "role":
        membership.role = ConsortiumUserRole.EDITOR
        membership.save()
    elif change == "added":
        ConsortiumUser.objects.create(
            user=lead, consortium=ConsortiumUser.objects.get(user=outsider).consortium
        )
    else:
        membership.delete()

    assert _as(api_client, key).get("/api/proposals/").status_code == 401


def test_token_unchanged_user_save_keeps_tokens(api_client, lead):
    _, key = token_issue(user=lead)

    lead.first_name = "Renamed"
    lead.save()
    lead.last_login = timezone.now()
    lead.save(update_fields=["last_login"])

    assert _as(api_client, key).get("/api/proposals/").status_code == 200


# --- Two-factor at use ----------------------------------------------------------------------------


def test_token_two_factor_current_consortium_user_given_agency_role_cannot_read_the_queue(api_client, lead):
    """The issue's case: a consortium user's token, the user later made a Commerce reviewer (here
    around the ORM, so no receiver revokes anything): the token opens nothing that needs two-factor."""
    _, key = token_issue(user=lead)
    User.objects.filter(pk=lead.pk).update(agency="commerce")

    response = _as(api_client, key).get(QUEUE)

    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_required"


def test_token_two_factor_current_device_enrolled_after_issue_is_refused(api_client, lead):
    _, key = token_issue(user=lead)
    User.objects.filter(pk=lead.pk).update(agency="commerce")
    TOTPDevice.objects.create(user=lead, name="App", confirmed=True)  # enrolled after the token

    assert _as(api_client, key).get(QUEUE).status_code == 401


def test_token_two_factor_current_device_replaced_around_the_orm_is_refused(enrolled_commerce):
    user, device = enrolled_commerce
    token, _ = token_issue(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(created_at=timezone.now() + timedelta(minutes=1))

    assert token_two_factor_current(user=user, token=token) is False


def test_token_two_factor_current_with_the_device_it_was_issued_under(api_client, enrolled_commerce):
    user, device = enrolled_commerce
    response = api_client.post(
        reverse("api-token"),
        {"username": user.username, "password": TEST_PASSWORD, "otp_token": totp_now(device)},
        format="json",
    )

    assert _as(api_client, response.json()["token"]).get(QUEUE).status_code == 200
