"""`Cache-Control: private, no-store` on everything a signed-in user gets and on every download; the API
schema and docs behind sign-in when EXPORTAI_API_DOCS_PUBLIC is off (the production default)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse

from accounts.middleware import PrivateResponsesMiddleware
from accounts.tokens import token_issue
from tests.factories import TEST_PASSWORD
from tests.security.production import printed_in_production
from tests.security.test_access_matrix import PUBLIC_ROUTES, all_routes, route_path, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.parametrize("role", ["lead", "commerce"])
def test_private_cache_on_every_signed_in_answer(world, client, role):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(world.users[role])
    missing = []
    for route in all_routes():
        if route.is_admin:
            continue
        path, _ = route_path(route, world)
        response = client.get(path)
        if not _private(response):
            missing.append(f"{path} ({response.status_code}): {response.get('Cache-Control')!r}")
        if "_auth_user_id" not in client.session:  # the logout route signs out: sign in again
            client.force_login(world.users[role])

    assert missing == []


def test_private_cache_on_token_authenticated_api_answers(api_client, lead):
    _, key = token_issue(user=lead)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get("/api/proposals/")

    assert response.status_code == 200
    assert _private(response)


def test_private_cache_on_the_token_itself(api_client, lead):
    issued = api_client.post(reverse("api-token"), {"username": "lead", "password": TEST_PASSWORD})
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    rotated = api_client.post(reverse("api-token-rotate"))

    assert issued.status_code == rotated.status_code == 200
    assert _private(issued)
    assert _private(rotated)


def test_private_cache_on_pdf_and_csv_downloads(world, client):  # noqa: F811
    client.force_login(world.users["lead"])
    pdf = client.get(reverse("paper-download", kwargs={"pk": world.proposal.pk, "kind": "dossier"}))

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert _private(pdf)
    for name in ("proposals-csv", "bom-template"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert _private(response), name


def test_private_cache_on_an_attachment_even_without_a_user(rf):
    def attachment(request):
        response = HttpResponse(b"a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        return response

    request = rf.get("/x.csv")
    request.user = AnonymousUser()

    assert _private(PrivateResponsesMiddleware(attachment)(request))


# --- The schema and docs behind sign-in -------------------------------------------------------------


@pytest.fixture
def docs_private(settings):
    settings.EXPORTAI_API_DOCS_PUBLIC = False


@pytest.mark.usefixtures("docs_private")
def test_api_schema_anonymous_is_401_when_docs_are_private(api_client):
    response = api_client.get(reverse("api-schema"))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.usefixtures("docs_private")
@pytest.mark.parametrize("url_name", ["api-docs", "api-redoc"])
def test_api_docs_anonymous_are_sent_to_sign_in_when_private(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.usefixtures("docs_private")
def test_api_schema_and_docs_open_to_a_signed_in_user_when_private(client, lead):
    client.login(username="lead", password=TEST_PASSWORD)

    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


@pytest.mark.usefixtures("docs_private")
def test_api_schema_open_to_a_token_when_private(api_client, lead):
    _, key = token_issue(user=lead)

    bad = api_client.get(reverse("api-schema"), HTTP_AUTHORIZATION="Token not-a-token")
    good = api_client.get(reverse("api-schema"), HTTP_AUTHORIZATION=f"Token {key}")

    assert bad.status_code == 401
    assert good.status_code == 200


def test_api_schema_public_when_the_setting_is_on(api_client, settings):
    settings.EXPORTAI_API_DOCS_PUBLIC = True

    assert api_client.get(reverse("api-schema")).status_code == 200


def test_api_docs_private_by_default_in_production():
    code = "from django.conf import settings as s; print(s.EXPORTAI_API_DOCS_PUBLIC)"
    assert printed_in_production(code, unset=["EXPORTAI_API_DOCS_PUBLIC"]) == "False"
