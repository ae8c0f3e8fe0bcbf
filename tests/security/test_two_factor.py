"""Two-factor (TOTP) is required of agency and staff accounts, on the web, the admin and the API."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import totp_device_install
from proposals.demo import STAFF, demo_staff_totp_enrol
from tests.factories import TEST_PASSWORD, UserFactory
from tests.twofactor import totp_now

pytestmark = [pytest.mark.django_db, pytest.mark.unverified_login]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _password_login(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def enrolled_commerce(commerce_reviewer):
    return commerce_reviewer, totp_device_install(user=commerce_reviewer, secret_b32=SECRET)


@pytest.fixture
def no_throttle(settings) -> None:
    """django-otp waits 1 s after a wrong code; these tests send a right code straight after one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.mark.parametrize("path", ["/", "/admin/", "/api/docs/"])
def test_enrolled_agency_user_without_code_is_sent_to_verification(client, enrolled_commerce, path):
    user, _ = enrolled_commerce
    _password_login(client, user)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('otp-verify')}?next={path.replace('/', '%2F')}"


def test_unverified_agency_user_is_sent_to_verification_on_every_page(client, enrolled_commerce):
    user, _ = enrolled_commerce
    _password_login(client, user)

    for _ in range(2):  # not only the first page after sign-in
        assert client.get("/").status_code == 302
        assert client.get("/").headers["Location"].startswith(reverse("otp-verify"))


def test_agency_user_without_device_is_sent_to_enrolment(client, exim_officer):
    _password_login(client, exim_officer)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('otp-setup')}?next=%2F"


def test_correct_code_verifies_and_then_pages_open(client, enrolled_commerce):
    user, device = enrolled_commerce
    _password_login(client, user)

    response = client.post(reverse("otp-verify"), {"token": totp_now(device), "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_verification_never_redirects_off_site(client, enrolled_commerce):
    user, device = enrolled_commerce
    _password_login(client, user)

    response = client.post(
        reverse("otp-verify"), {"token": totp_now(device), "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_verification_gives_a_new_session_key(client, enrolled_commerce):
    user, device = enrolled_commerce
    _password_login(client, user)
    before = client.session.session_key

    client.post(reverse("otp-verify"), {"token": totp_now(device)})

    assert client.session.session_key != before


def test_wrong_code_is_refused_and_pages_stay_closed(client, enrolled_commerce):
    user, device = enrolled_commerce
    _password_login(client, user)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("otp-verify"), {"token": wrong, "next": "/"})

    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert client.get("/").status_code == 302


def test_code_is_refused_during_backoff_after_a_wrong_code(client, enrolled_commerce):
    user, device = enrolled_commerce
    _password_login(client, user)
    client.post(reverse("otp-verify"), {"token": "000000"})

    response = client.post(reverse("otp-verify"), {"token": totp_now(device)})

    assert response.status_code == 200
    assert "wait" in response.content.decode()
    assert client.get("/").status_code == 302


def test_right_code_after_a_wrong_one_verifies_when_backoff_is_over(client, enrolled_commerce, no_throttle):
    user, device = enrolled_commerce
    _password_login(client, user)
    client.post(reverse("otp-verify"), {"token": "000000"})

    response = client.post(reverse("otp-verify"), {"token": totp_now(device)})

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_only_once(client, enrolled_commerce):
    user, device = enrolled_commerce
    code = totp_now(device)
    _password_login(client, user)
    client.post(reverse("otp-verify"), {"token": code})
    client.post(reverse("logout"))
    _password_login(client, user)

    response = client.post(reverse("otp-verify"), {"token": code})

    assert response.status_code == 200


def test_first_use_enrolment_shows_qr_and_secret_and_confirms_with_a_code(client, exim_officer):
    _password_login(client, exim_officer)

    page = client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=exim_officer)
    confirm = client.post(reverse("otp-setup"), {"token": totp_now(device), "next": "/"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body
    assert "<img" not in body.split('class="otp-qr"')[1].split("</div>")[0]  # drawn inline, no request
    assert confirm.status_code == 302
    assert TOTPDevice.objects.get(user=exim_officer).confirmed is True
    assert client.get("/").status_code == 200


def test_enrolment_with_a_wrong_code_leaves_the_device_unconfirmed(client, exim_officer):
    _password_login(client, exim_officer)
    client.get(reverse("otp-setup"))

    response = client.post(reverse("otp-setup"), {"token": "123456"})

    assert response.status_code == 200
    assert TOTPDevice.objects.get(user=exim_officer).confirmed is False
    assert client.get("/").status_code == 302


def test_enrolled_user_cannot_replace_device_through_setup(client, enrolled_commerce):
    user, _ = enrolled_commerce
    _password_login(client, user)

    response = client.get(reverse("otp-setup"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_logout_is_reachable_before_verification(client, enrolled_commerce):
    user, _ = enrolled_commerce
    _password_login(client, user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_consortium_user_is_not_asked_for_a_code(client, lead):
    _password_login(client, lead)

    assert client.get("/").status_code == 200


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True, "is_staff": True}])
def test_staff_without_agency_must_verify(client, flags):
    user = UserFactory(username="staffer", **flags)
    _password_login(client, user)

    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/").headers["Location"].startswith(reverse("otp-setup"))


def test_unverified_session_api_call_is_refused_with_json(client, enrolled_commerce):
    user, _ = enrolled_commerce
    _password_login(client, user)

    response = client.get("/api/schema/")

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


def test_htmx_request_is_redirected_with_hx_redirect(client, enrolled_commerce):
    user, _ = enrolled_commerce
    _password_login(client, user)

    response = client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('otp-verify')}?next=%2F"


def test_admin_refuses_verified_session_of_non_staff(client, lead):
    _password_login(client, lead)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        (f"{reverse('login')}?next=%2Fadmin%2F", 302),
    ]


def test_admin_opens_for_verified_staff(client, no_throttle):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = totp_device_install(user=admin, secret_b32=SECRET)
    _password_login(client, admin)
    client.post(reverse("otp-verify"), {"token": totp_now(device)})

    assert client.get("/admin/").status_code == 200


def test_admin_login_page_sends_to_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fadmin%2F"


# --- API tokens ---------------------------------------------------------------------------------


def test_token_for_agency_user_requires_a_code(api_client, enrolled_commerce):
    user, _ = enrolled_commerce

    response = api_client.post(
        reverse("api-token"), {"username": user.username, "password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["extra"] == {
        "fields": {"otp_token": ["Enter the current code from your authenticator app."]}
    }


def test_token_for_agency_user_with_a_wrong_code_is_refused(api_client, enrolled_commerce):
    user, _ = enrolled_commerce

    response = api_client.post(
        reverse("api-token"),
        {"username": user.username, "password": TEST_PASSWORD, "otp_token": "000000"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["otp_token"]


def test_token_for_agency_user_with_code_is_issued_and_works(api_client, enrolled_commerce):
    user, device = enrolled_commerce

    response = api_client.post(
        reverse("api-token"),
        {"username": user.username, "password": TEST_PASSWORD, "otp_token": totp_now(device)},
        format="json",
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    assert response.status_code == 200
    assert api_client.get("/api/proposals/").status_code == 200


def test_token_for_agency_user_without_device_is_refused(api_client, exim_officer):
    response = api_client.post(
        reverse("api-token"), {"username": "exim", "password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_not_enrolled"


def test_token_for_consortium_user_needs_only_password(api_client, lead):
    response = api_client.post(
        reverse("api-token"), {"username": "lead", "password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert len(response.json()["token"]) == 64


def test_token_with_wrong_password_is_refused(api_client, lead):
    response = api_client.post(reverse("api-token"), {"username": "lead", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json()["extra"] == {
        "fields": {"non_field_errors": ["Unable to log in with provided credentials."]}
    }


# --- Demo enrolment -----------------------------------------------------------------------------


def test_demo_seed_enrols_staff_with_the_configured_secret(settings):
    settings.EXPORTAI_DEMO_TOTP_SECRET = SECRET
    for username, *_ in STAFF:
        UserFactory(username=username)

    enrolled = demo_staff_totp_enrol()
    demo_staff_totp_enrol()  # idempotent

    assert enrolled == ["commerce", "exim", "admin", "state", "war", "energy", "ostp"]
    keys = set(TOTPDevice.objects.filter(confirmed=True).values_list("key", flat=True))
    assert keys == {"48656c6c6f21deadbeef48656c6c6f21deadbeef"}
    assert TOTPDevice.objects.count() == 7


def test_demo_seed_enrols_nobody_without_a_secret(settings):
    settings.EXPORTAI_DEMO_TOTP_SECRET = ""
    UserFactory(username="commerce")

    assert demo_staff_totp_enrol() == []
    assert TOTPDevice.objects.count() == 0
