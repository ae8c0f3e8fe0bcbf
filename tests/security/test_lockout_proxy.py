"""Sign-in lockout counts the real client address: forged X-Forwarded-For headers change nothing, with
no proxy, behind trusted proxies, and from a peer that is not one of them; the system check compares
the proxy settings with the deployment's."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from accounts.checks import check_trusted_proxies
from accounts.lockout import client_ip
from tests.factories import TEST_PASSWORD, UserFactory
from tests.security.production import printed_in_production

pytestmark = pytest.mark.django_db

REAL = "198.51.100.23"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _limit_five(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5


def _forged(n: int) -> str:
    return f"203.0.113.{n}"


def _sign_in(client, username: str, password: str, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def _six_forged_failures(client, meta_for) -> None:
    for n in range(6):
        # A different username each time, so only the address can lock.
        _sign_in(client, f"nobody{n}", "wrong", **meta_for(n))


def test_lockout_without_proxy_ignores_forged_forwarded_for(client, settings):
    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 0
    UserFactory(username="victim")
    _six_forged_failures(client, lambda n: {"REMOTE_ADDR": REAL, "HTTP_X_FORWARDED_FOR": _forged(n)})

    response = _sign_in(client, "victim", TEST_PASSWORD, REMOTE_ADDR=REAL, HTTP_X_FORWARDED_FOR=_forged(99))

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {REAL}


def test_lockout_behind_one_proxy_counts_the_address_it_appended(client, settings):
    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="victim")
    # The client forges the left part; our proxy appends the address it really saw.
    _six_forged_failures(
        client, lambda n: {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged(n)}, {REAL}"}
    )

    locked = _sign_in(client, "victim", TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=REAL)
    other = _sign_in(client, "victim", TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=_forged(50))

    assert locked.status_code == 429
    assert other.status_code == 302  # another client behind the same proxy still signs in


def test_lockout_behind_two_proxies_takes_the_second_from_the_right(rf, settings):
    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 2
    request = rf.get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{_forged(1)}, {_forged(2)}, {REAL}, 10.0.0.9"
    )

    assert client_ip(request) == REAL


def test_lockout_peer_outside_trusted_proxies_is_counted_by_its_own_address(client, settings):
    """gunicorn reached directly, around the proxy: the forged header is not believed."""
    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 1
    settings.EXPORTAI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    UserFactory(username="victim")
    _six_forged_failures(client, lambda n: {"REMOTE_ADDR": REAL, "HTTP_X_FORWARDED_FOR": _forged(n)})

    response = _sign_in(client, "victim", TEST_PASSWORD, REMOTE_ADDR=REAL, HTTP_X_FORWARDED_FOR=_forged(7))

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {REAL}


def test_lockout_peer_inside_trusted_proxies_is_believed(rf, settings):
    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 1
    settings.EXPORTAI_TRUSTED_PROXIES = ["10.0.0.0/24"]

    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{_forged(1)}, {REAL}")) == REAL


@pytest.mark.parametrize("header", ["not-an-address", "", " , ", "1.2.3.4.5"])
def test_lockout_forwarded_entry_that_is_not_an_address_falls_back_to_the_socket(rf, settings, header):
    settings.EXPORTAI_TRUSTED_PROXY_COUNT = 1

    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)) == PROXY


def _ids(**overrides) -> list[str]:
    with override_settings(**overrides):
        return [problem.id for problem in check_trusted_proxies()]


def test_proxy_check_warns_for_a_tls_proxy_with_count_zero():
    assert _ids(
        DEBUG=False,
        EXPORTAI_TRUSTED_PROXY_COUNT=0,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ) == ["accounts.W001"]


def test_proxy_check_warns_for_a_count_without_a_proxy():
    assert _ids(EXPORTAI_TRUSTED_PROXY_COUNT=1, SECURE_PROXY_SSL_HEADER=None) == ["accounts.W002"]


def test_proxy_check_warns_for_a_production_count_that_believes_any_peer():
    assert _ids(
        DEBUG=False,
        EXPORTAI_TRUSTED_PROXY_COUNT=1,
        EXPORTAI_TRUSTED_PROXIES=[],
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ) == ["accounts.W004"]


def test_proxy_production_default_believes_only_private_peers():
    """The compose shape publishes gunicorn's port: a public client there is counted by its own address."""
    code = (
        "from django.test import RequestFactory; from accounts.lockout import client_ip; "
        "rf = RequestFactory(); "
        "print(client_ip(rf.get('/', REMOTE_ADDR='198.51.100.23', HTTP_X_FORWARDED_FOR='203.0.113.1')), "
        "client_ip(rf.get('/', REMOTE_ADDR='172.18.0.4', HTTP_X_FORWARDED_FOR='203.0.113.1')))"
    )
    unset = ("EXPORTAI_TRUSTED_PROXIES", "EXPORTAI_TRUSTED_PROXY_COUNT")
    assert printed_in_production(code, unset=unset) == "198.51.100.23 203.0.113.1"


def test_proxy_check_warns_for_proxy_addresses_with_count_zero():
    assert _ids(
        DEBUG=True,
        EXPORTAI_TRUSTED_PROXY_COUNT=0,
        EXPORTAI_TRUSTED_PROXIES=["10.0.0.1"],
        SECURE_PROXY_SSL_HEADER=None,
    ) == ["accounts.W003"]


def test_proxy_check_errors_on_bad_values():
    assert _ids(EXPORTAI_TRUSTED_PROXY_COUNT=-1) == ["accounts.E001"]
    assert _ids(
        EXPORTAI_TRUSTED_PROXY_COUNT=1,
        EXPORTAI_TRUSTED_PROXIES=["10.0.0.300"],
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ) == ["accounts.E002"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"DEBUG": True, "EXPORTAI_TRUSTED_PROXY_COUNT": 0, "SECURE_PROXY_SSL_HEADER": None},
        {
            "DEBUG": False,
            "EXPORTAI_TRUSTED_PROXY_COUNT": 1,
            "EXPORTAI_TRUSTED_PROXIES": ["10.0.0.0/8"],
            "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        },
    ],
)
def test_proxy_check_is_quiet_for_consistent_settings(overrides):
    assert _ids(**overrides) == []
