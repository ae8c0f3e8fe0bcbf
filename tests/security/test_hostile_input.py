"""Hostile input answers 4xx, never 500, and the API answers in its JSON error shape for every status.

Each case is an input a probe of the portal found answering 500 (or HTML on the API), with neighbours.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from proposals.core.api.filters import EMPTY_FILTER_MESSAGE
from proposals.core.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from proposals.core.enums import NotificationEvent
from proposals.intake.api.proposals import ProposalListCreateApi
from proposals.intake.models.proposal import LineItem, Proposal
from proposals.intake.policy.amounts import LINE_VALUE_MAX, QUANTITY_MAX, line_item_amount_errors
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import OutboxMessage
from proposals.notify.services import notify_proposal_event, outbox_send
from tests.factories import open_call

pytestmark = pytest.mark.django_db

ITEM = {
    "layer": "chips",
    "description": "Accelerator",
    "manufacturer": "Chip Co",
    "eccn": "3A090",
    "quantity": 1,
    "unit_value": "100.00",
    "us_origin_value": "100.00",
}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def api(user=None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def assert_api_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    if code:
        assert body["code"] == code
    return body


# --- JSON depth and size -----------------------------------------------------------------------


def test_json_depth_exceeds_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH).encode())
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1).encode())
    quoted = ('{"a": "' + "[" * 1000 + '\\"{{{"}').encode()
    assert not json_depth_exceeds(quoted)


@pytest.mark.parametrize("depth", [5000, MAX_JSON_DEPTH + 1])
def test_deeply_nested_json_is_a_400_for_anonymous_callers_at_the_token_endpoint(depth):
    response = api().post("/api/auth/token/", nested(depth), content_type="application/json")

    body = assert_api_error(response, 400, "parse_error")
    assert "nested more than" in body["message"]


def test_json_nested_within_the_limit_reaches_validation(lead):
    response = api(lead).post("/api/proposals/", nested(MAX_JSON_DEPTH), content_type="application/json")

    assert_api_error(response, 400)
    assert "nested" not in response.json()["message"]


def test_deeply_nested_json_is_a_400_for_signed_in_callers(lead):
    body = '{"title": ' + nested(5000) + "}"
    response = api(lead).post("/api/proposals/", body, content_type="application/json")

    assert_api_error(response, 400, "parse_error")
    assert Proposal.objects.count() == 0


def test_json_body_over_the_limit_is_a_413_json_error(lead, settings):
    settings.EXPORTAI_JSON_MAX_BYTES = 1000
    at_limit = '{"title": "' + "x" * (1000 - 13) + '"}'
    over = '{"title": "' + "x" * (1001 - 13) + '"}'

    assert api(lead).post("/api/proposals/", at_limit, content_type="application/json").status_code == 400
    body = assert_api_error(
        api(lead).post("/api/proposals/", over, content_type="application/json"), 413, "too_large"
    )
    assert body["message"] == "The request body is larger than 1,000 bytes."


def test_form_body_over_djangos_limit_is_a_413_json_error_on_the_api(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = "username=" + "x" * 2000 + "&password=y"
    response = api().post("/api/auth/token/", body, content_type="application/x-www-form-urlencoded")

    assert_api_error(response, 413, "too_large")


# --- production error pages on the API ---------------------------------------------------------


def test_unexpected_api_error_in_production_is_a_500_json_error(lead, settings, monkeypatch):
    settings.DEBUG = False

    def boom(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ProposalListCreateApi, "get_queryset", boom)
    response = api(lead).get("/api/proposals/")

    assert_api_error(response, 500, "server_error")


def test_unexpected_web_error_in_production_is_still_the_html_page(lead, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr("proposals.intake.web.dashboard.render", lambda *a, **k: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(lead)

    response = client.get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_bad_host_on_the_api_in_production_is_a_400_json_error(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example"]
    response = api().get("/api/proposals/", HTTP_HOST="evil.example")

    assert_api_error(response, 400, "bad_request")


# --- NUL characters ----------------------------------------------------------------------------


def test_nul_in_the_first_of_repeated_web_form_values_is_a_400(lead_client, consortium):
    body = f"title=a%00b&title=fine&consortium={consortium.pk}"
    response = lead_client.post(
        reverse("proposal-create"), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert Proposal.objects.count() == 0


def test_nul_in_a_web_query_value_is_a_400(lead_client):
    assert lead_client.get("/?q=ok&q=a%00").status_code == 400
    assert lead_client.get("/?q=ok").status_code == 200


def test_nul_in_the_first_of_repeated_api_form_values_is_a_400(lead):
    body = "title=a%00b&title=fine"
    response = api(lead).post("/api/proposals/", body, content_type="application/x-www-form-urlencoded")

    assert_api_error(response, 400, "parse_error")


def test_nul_in_an_api_query_value_is_a_400(lead):
    assert_api_error(api(lead).get("/api/proposals/?status=a%00"), 400, "parse_error")


# --- numbers -----------------------------------------------------------------------------------


def test_line_item_amount_errors_none_at_the_limits():
    assert line_item_amount_errors(QUANTITY_MAX, Decimal("0.10"), LINE_VALUE_MAX) == {}
    assert line_item_amount_errors(1, LINE_VALUE_MAX, Decimal("0")) == {}


def test_line_item_amount_errors_quantity_and_amounts_over_their_limits():
    errors = line_item_amount_errors(QUANTITY_MAX + 1, LINE_VALUE_MAX + Decimal("0.01"), LINE_VALUE_MAX * 2)

    assert set(errors) == {"quantity", "unit_value", "us_origin_value"}


def test_line_item_amount_errors_total_over_the_limit():
    errors = line_item_amount_errors(2, LINE_VALUE_MAX / 2 + Decimal("0.01"), Decimal("0"))

    assert list(errors) == ["unit_value"]
    assert "total" in errors["unit_value"][0]


@pytest.fixture
def lead_client(lead) -> Client:
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def draft(consortium, lead) -> Proposal:
    from proposals.intake.services.drafting import proposal_create

    return proposal_create(
        consortium=consortium, call=open_call(), actor=lead, title="Kenya AI Hub", target_countries=["KE"]
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 2147483647, "unit_value": "9999999999999999.99"}, "quantity"),
        ({"quantity": QUANTITY_MAX, "unit_value": "200000.00"}, "unit_value"),  # total 2 trillion
        ({"unit_value": "1e1000000"}, "unit_value"),
        ({"us_origin_value": "99999999999999999999"}, "us_origin_value"),
    ],
)
def test_line_item_over_the_bounds_is_a_field_error_on_the_api(draft, lead, change, field):
    url = f"/api/proposals/{draft.pk}/line-items/"
    body = assert_api_error(api(lead).post(url, {**ITEM, **change}, format="json"), 400, "invalid")

    assert field in body["extra"]["fields"]
    assert LineItem.objects.count() == 0


def test_line_item_patch_that_makes_the_total_overflow_is_refused(draft, lead):
    client = api(lead)
    item = client.post(
        f"/api/proposals/{draft.pk}/line-items/", {**ITEM, "unit_value": "1000000"}, format="json"
    )
    url = f"/api/proposals/{draft.pk}/line-items/{item.json()['id']}/"

    body = assert_api_error(client.patch(url, {"quantity": QUANTITY_MAX}, format="json"), 400, "invalid")

    assert "total" in body["extra"]["fields"]["unit_value"][0]
    assert LineItem.objects.get().quantity == 1


def test_line_item_over_the_bounds_is_a_field_error_in_the_web_form(draft, lead_client):
    fields = {**ITEM, "quantity": QUANTITY_MAX, "unit_value": "200000.00", "origin_country": "", "site": ""}
    data = {f"item-{name}": value for name, value in fields.items()}
    response = lead_client.post(reverse("proposal-items", args=[draft.pk]), data)

    assert response.status_code == 200
    assert "total (quantity x unit value) may be at most" in response.content.decode()
    assert LineItem.objects.count() == 0


def test_line_item_quantity_over_the_bound_is_a_field_error_in_the_web_form(draft, lead_client):
    fields = {**ITEM, "quantity": QUANTITY_MAX + 1, "origin_country": "", "site": ""}
    data = {f"item-{name}": value for name, value in fields.items()}
    response = lead_client.post(reverse("proposal-items", args=[draft.pk]), data)

    assert f"Ensure this value is less than or equal to {QUANTITY_MAX}." in response.content.decode()
    assert LineItem.objects.count() == 0


def test_an_existing_overflowing_line_item_is_still_listed(draft, lead, lead_client):
    api(lead).post(f"/api/proposals/{draft.pk}/line-items/", ITEM, format="json")
    LineItem.objects.update(quantity=2147483647, unit_value=Decimal("9999999999999999.99"))

    listed = api(lead).get(f"/api/proposals/{draft.pk}/line-items/")
    page = lead_client.get(reverse("proposal-items", args=[draft.pk]))

    assert listed.status_code == 200
    assert listed.json()["results"][0]["total_value"] == str(Decimal("9999999999999999.99") * 2147483647)
    assert page.status_code == 200


@pytest.mark.parametrize("value", ["9" * 40, "1e1000000", "-1"])
def test_huge_or_negative_days_in_stage_filter_is_a_field_error(exim_officer, value):
    response = api(exim_officer).get(f"/api/exim/deals/?min_days_in_stage={value}")

    body = assert_api_error(response, 400, "invalid")
    assert "min_days_in_stage" in body["extra"]["fields"]


@pytest.mark.parametrize("value", ["9" * 40, "1e1000000"])
def test_huge_amount_filter_is_a_field_error(exim_officer, value):
    body = assert_api_error(api(exim_officer).get(f"/api/exim/deals/?amount_min={value}"), 400, "invalid")
    assert "amount_min" in body["extra"]["fields"]


def test_huge_filter_on_the_web_pipeline_is_a_field_error(exim_officer):
    client = Client()
    client.force_login(exim_officer)

    response = client.get(reverse("exim-pipeline"), {"min_days_in_stage": "9" * 40})

    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 36500." in response.content.decode()


@pytest.fixture
def in_review(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=complete_proposal.pk, action="accept_for_review", actor=None, reason="ok")
    return complete_proposal


@pytest.mark.parametrize("who", ["²", "١٢", "9" * 30])
def test_reviewer_id_that_is_no_ascii_number_is_a_field_error(in_review, commerce_reviewer, who):
    url = f"/api/commerce/proposals/{in_review.pk}/assign/"
    body = assert_api_error(api(commerce_reviewer).post(url, {"reviewer": who}, format="json"), 400)

    assert "reviewer" in body["extra"]["fields"]


@pytest.mark.parametrize("who", ["²", "9" * 30])
def test_reviewer_id_that_is_no_ascii_number_is_refused_on_the_web(in_review, commerce_reviewer, who):
    client = Client()
    client.force_login(commerce_reviewer)

    response = client.post(reverse("commerce-assign", args=[in_review.pk]), {"who": who}, follow=True)

    assert response.status_code == 200
    assert "Choose a reviewer." in response.content.decode()


# --- e-mail subjects ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Line\rbreak", "Line\nbreak", "Line\r\n\r\nbreak"])
def test_subject_line_of_a_title_with_line_breaks_is_one_line_and_sends(
    complete_proposal, lead, settings, title
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Proposal.objects.filter(pk=complete_proposal.pk).update(title=title)
    complete_proposal.refresh_from_db()

    (message,) = notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=complete_proposal)

    assert message.subject == "Submitted: Line break (revision 0)"
    assert outbox_send(message_id=message.pk) == "sent"
    assert mail.outbox[0].subject == "Submitted: Line break (revision 0)"


def test_subject_line_of_a_message_stored_with_a_carriage_return_is_cleaned_at_send(
    complete_proposal, lead, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    (message,) = notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=complete_proposal)
    OutboxMessage.objects.filter(pk=message.pk).update(subject="Old\rsubject")

    assert outbox_send(message_id=message.pk) == "sent"
    assert mail.outbox[0].subject == "Old subject"


# --- filters and the schema ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/countries/?is_country_of_concern=null", "is_country_of_concern"),
        ("/api/countries/?oecd_category=", "oecd_category"),
    ],
)
def test_a_filter_given_without_a_meaning_is_a_field_error(lead, url, field):
    body = assert_api_error(api(lead).get(url), 400, "invalid")
    assert body["extra"]["fields"] == {field: [EMPTY_FILTER_MESSAGE]}


def test_a_filter_with_a_value_still_filters(lead, reference_data):
    rows = api(lead).get("/api/countries/?is_country_of_concern=true").json()
    assert rows and all(row["is_country_of_concern"] for row in rows)


def test_empty_exim_amount_filter_is_a_field_error(exim_officer):
    body = assert_api_error(api(exim_officer).get("/api/exim/deals/?amount_min="), 400, "invalid")
    assert body["extra"]["fields"] == {"amount_min": [EMPTY_FILTER_MESSAGE]}


def test_schema_types_nullable_reviewer_and_notification_fields(lead):
    schema = api(lead).get("/api/schema/?format=json").json()["components"]["schemas"]

    assert schema["DealDetailOutput"]["properties"]["notification_ends_at"]["nullable"] is True
    gate = next(s for name, s in schema.items() if "decided_by" in s.get("properties", {}))
    hit = next(s for name, s in schema.items() if "adjudicated_by" in s.get("properties", {}))
    assert gate["properties"]["decided_by"]["nullable"] is True
    assert hit["properties"]["adjudicated_by"]["nullable"] is True


def test_schema_documents_the_cross_cutting_error_statuses(lead):
    paths = api(lead).get("/api/schema/?format=json").json()["paths"]

    queue = paths["/api/commerce/queue/"]["get"]["responses"]
    gate = paths["/api/commerce/gates/{id}/decide/"]["post"]["responses"]
    token = paths["/api/auth/token/"]["post"]["responses"]
    assert {"400", "401", "403", "404"} <= set(queue)  # a page past the last one is a 404
    assert {"400", "401", "403", "404", "413"} <= set(gate)
    assert "401" not in token and "413" in token  # anonymous; a body over the limit


def test_multipart_body_over_the_upload_limit_is_a_413_before_it_is_read(lead, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    upload = SimpleUploadedFile("bom.csv", b"x" * 5000)
    response = api(lead).post("/api/proposals/1/line-items/import/", {"file": upload}, format="multipart")

    body = assert_api_error(response, 413, "too_large")
    assert body["message"] == "The request body is larger than 2,000 bytes."


def test_web_body_over_the_upload_limit_is_a_413(lead_client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = lead_client.post(
        "/proposals/1/items/import/", {"file": SimpleUploadedFile("b.csv", b"x" * 5000)}
    )

    assert response.status_code == 413


def test_too_many_query_fields_on_the_api_is_a_400_json_error(lead, settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{i}=1" for i in range(20))

    assert_api_error(api(lead).get(f"/api/proposals/?{query}"), 400, "bad_request")
