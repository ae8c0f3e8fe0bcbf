"""Program staff's call pages: list, create, edit, draft and publish a rubric; nobody else gets in."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.intake.models.call import Call, Rubric

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Call for Proposals: open consortia",
    "slug": "open-consortia-2027",
    "federal_register_citation": "FR 2027-00001",
    "opens_on": "2027-01-15",
    "closes_on": "2027-04-15",
    "required_layers": ["chips", "servers"],
    "required_document_categories": ["security_plan"],
    "excluded_countries": "cn, hk",
    "min_hardware_us_content": "60",
    "public_summary": "Open consortia.",
}


def test_calls_pages_refused_to_consortium_users(lead_client, call):
    assert lead_client.get(reverse("program-calls")).status_code == 403
    assert lead_client.post(reverse("program-call-create"), FORM).status_code == 403
    assert not Call.objects.filter(slug=FORM["slug"]).exists()


def test_calls_page_lists_the_first_call_with_its_window(program_client):
    html = program_client.get(reverse("program-calls")).content.decode()
    assert "Call for Proposals: pre-set consortia" in html
    assert "FR 2026-06952" in html
    assert "This call accepts proposals from 1 April 2026; they were due by 30 June 2026" in html


def test_call_create_page_stores_eligibility_as_one_object(program_client, reference_data):
    response = program_client.post(reverse("program-call-create"), FORM)
    call = Call.objects.get(slug=FORM["slug"])
    assert response.status_code == 302 and response["Location"] == reverse("program-call", args=[call.pk])
    assert call.eligibility == {"excluded_countries": ["CN", "HK"], "min_hardware_us_content": "0.6"}
    assert (call.required_layers, call.rolling) == (["chips", "servers"], False)
    page = program_client.get(reverse("program-call", args=[call.pk])).content.decode()
    assert 'value="CN, HK"' in page and 'value="60"' in page


def test_call_edit_page_with_close_before_opening_keeps_input_and_saves_nothing(
    program_client, reference_data
):
    call = Call.objects.get(slug="pre-set-consortia-2026")
    response = program_client.post(
        reverse("program-call", args=[call.pk]), {**FORM, "closes_on": "2026-01-01"}
    )
    assert response.status_code == 200
    assert 'id="f-closes_on-error"' in response.content.decode()
    call.refresh_from_db()
    assert call.slug == "pre-set-consortia-2026"


def test_rubric_pages_draft_add_criterion_refuse_then_publish(program_client, call):
    response = program_client.post(reverse("program-rubric-create", args=[call.pk]))
    assert response["Location"] == reverse("program-rubric", args=[call.pk, 1])
    url = reverse("program-rubric", args=[call.pk, 1])
    criterion = {
        "code": "impact",
        "title": "Impact",
        "weight": "60",
        "scale_min": 1,
        "scale_max": 5,
        "order": 1,
    }
    assert program_client.post(url, criterion).status_code == 302
    program_client.post(reverse("program-rubric-publish", args=[call.pk, 1]))
    rubric = Rubric.objects.get(call=call, version=1)
    assert rubric.published_at is None
    html = program_client.get(url).content.decode()
    assert "The weights must sum to 100; they sum to 60." in html
    program_client.post(url, {**criterion, "code": "security", "title": "Security", "weight": "40"})
    program_client.post(reverse("program-rubric-publish", args=[call.pk, 1]))
    rubric.refresh_from_db()
    assert rubric.published_at is not None
    assert sum(c.weight for c in rubric.criteria.all()) == Decimal("100")
    html = program_client.get(url).content.decode()
    assert "Add a criterion" not in html and "never edited" in html


def test_program_navigation_links_to_calls(program_client):
    assert f'href="{reverse("program-calls")}"' in program_client.get("/").content.decode()
