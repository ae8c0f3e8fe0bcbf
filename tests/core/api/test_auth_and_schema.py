"""Token authentication, the OpenAPI schema and its docs page, and the countries reference endpoint."""

import pytest
from django.core.management import call_command

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_token_from_credentials_authenticates_api_calls(api_client, lead, draft):
    response = api_client.post(
        "/api/auth/token/", {"username": "lead", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listing = api_client.get("/api/proposals/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [draft.pk]


def test_token_refused_for_wrong_password(api_client, lead):
    response = api_client.post("/api/auth/token/", {"username": "lead", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"] == {
        "fields": {"non_field_errors": ["Unable to log in with provided credentials."]}
    }


def test_bad_token_is_401(api_client, draft):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get("/api/proposals/")
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid token.", "code": "authentication_failed", "extra": {}}


def test_session_login_works_for_the_api(client, lead, draft):
    client.login(username="lead", password=TEST_PASSWORD)
    assert client.get("/api/proposals/").json()["count"] == 1


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/proposals/{proposal_id}/submit/:", "/api/proposals/{proposal_id}/documents/:"):
        assert path in text


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    script = client.get("/api/docs/?script=")  # the start-up script, a file rather than inline (CSP)
    assert (script.status_code, script["Content-Type"]) == (200, "application/javascript")
    assert "/api/schema/" in script.content.decode()
    redoc = client.get("/api/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in redoc


def test_countries_reference_list(as_viewer):
    response = as_viewer.get("/api/countries/")
    assert response.status_code == 200
    by_code = {c["code"]: c for c in response.json()}
    assert by_code["AE"]["name"] == "United Arab Emirates"
    assert by_code["CN"]["is_country_of_concern"] is True
    assert "D:1" in by_code["CN"]["groups"]
    assert as_viewer.get("/api/countries/KE/").json()["name"] == "Kenya"


def test_countries_query_count_is_fixed(as_viewer, django_assert_num_queries):
    # the countries, then their groups in one prefetch
    with django_assert_num_queries(2):
        as_viewer.get("/api/countries/")
