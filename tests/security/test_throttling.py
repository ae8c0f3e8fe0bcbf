"""Login throttling (django-axes): the sign-in page and the API token endpoint lock out after N failures."""

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def lead(db):
    """Plain accounts: throttling does not depend on roles, and these need no reference data."""
    return UserFactory(username="lead")


@pytest.fixture
def editor(db):
    return UserFactory(username="editor")


def _sign_in(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_sign_in_locks_after_the_failure_limit_with_a_clear_message(client, lead):
    for _ in range(LIMIT - 1):
        assert _sign_in(client, "lead", "wrong").status_code == 200

    response = _sign_in(client, "lead", "wrong")

    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in locked" in body
    assert "Too many failed sign-in attempts: sign-in is locked for 15 minutes." in body


def test_locked_username_is_refused_even_with_the_right_password(client, lead):
    for _ in range(LIMIT):
        _sign_in(client, "lead", "wrong")

    response = _sign_in(client, "lead", TEST_PASSWORD, ip="10.0.0.2")  # another address, same account

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_address_is_refused_for_other_usernames(client, lead, editor):
    for name in ("a", "b", "c"):
        _sign_in(client, name, "wrong")

    response = _sign_in(client, "editor", TEST_PASSWORD)

    assert response.status_code == 429


def test_failures_below_the_limit_are_forgotten_after_a_success(client, lead):
    for _ in range(LIMIT - 1):
        _sign_in(client, "lead", "wrong")
    assert _sign_in(client, "lead", TEST_PASSWORD).status_code == 302
    client.logout()

    response = _sign_in(client, "lead", "wrong")

    assert response.status_code == 200


def test_reset_unlocks(client, lead):
    for _ in range(LIMIT):
        _sign_in(client, "lead", "wrong")

    reset(username="lead")
    reset(ip="10.0.0.1")

    assert AccessAttempt.objects.count() == 0
    assert _sign_in(client, "lead", TEST_PASSWORD).status_code == 302


def test_token_endpoint_locks_with_json(api_client, lead):
    for _ in range(LIMIT - 1):
        response = api_client.post(
            reverse("api-token"), {"username": "lead", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400

    locked = api_client.post(reverse("api-token"), {"username": "lead", "password": "wrong"}, format="json")
    right = api_client.post(
        reverse("api-token"), {"username": "lead", "password": TEST_PASSWORD}, format="json"
    )

    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert locked.json()["message"].startswith("Too many failed sign-in attempts")
    assert right.status_code == 429


def test_sign_in_page_and_token_endpoint_share_the_count(client, api_client, lead):
    for _ in range(LIMIT - 1):
        _sign_in(client, "lead", "wrong", ip="127.0.0.1")

    response = api_client.post(reverse("api-token"), {"username": "lead", "password": "x"}, format="json")

    assert response.status_code == 429


def test_client_ip_behind_one_trusted_proxy_is_the_forwarded_address(rf, settings):
    from accounts.lockout import client_ip

    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.5")

    assert client_ip(request) == "198.51.100.7"  # what our proxy saw; the left part is client-supplied


def test_client_ip_without_proxy_is_the_socket_address(rf, settings):
    from accounts.lockout import client_ip

    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.5")

    assert client_ip(request) == "10.0.0.5"
