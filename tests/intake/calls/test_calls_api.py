"""/api/calls/: everyone signed in reads; program staff write; a published rubric never changes."""

from decimal import Decimal

import pytest

from proposals.intake.models.call import Call, Rubric
from tests.factories import CallFactory, CriterionFactory, RubricFactory

pytestmark = pytest.mark.django_db

NEW_CALL = {
    "name": "Call for Proposals: open consortia",
    "slug": "open-consortia-2027",
    "federal_register_citation": "FR 2027-00001",
    "opens_on": "2027-01-15",
    "closes_on": "2027-04-15",
    "rolling": False,
    "required_layers": ["chips", "servers", "cloud"],
    "required_document_categories": ["security_plan"],
    "eligibility": {"excluded_countries": ["CN", "HK", "MO"], "min_hardware_us_content": "0.6"},
}


def test_calls_api_read_by_a_consortium_user(as_lead, call):
    response = as_lead.get("/api/calls/")
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert rows["always-open"]["is_open"] is True
    first = rows["pre-set-consortia-2026"]
    assert (first["federal_register_citation"], first["rolling"], first["current_rubric_version"]) == (
        "FR 2026-06952",
        True,
        1,
    )


def test_calls_api_open_filter_leaves_out_closed_calls(as_lead, call):
    CallFactory(slug="closed", opens_on="2020-01-01", closes_on="2020-02-01", rolling=False)
    slugs = {row["slug"] for row in as_lead.get("/api/calls/?open=true").json()["results"]}
    assert "always-open" in slugs and "closed" not in slugs


def test_calls_api_write_refused_to_a_consortium_user(as_lead):
    response = as_lead.post("/api/calls/", NEW_CALL, format="json")
    assert response.status_code == 403
    assert not Call.objects.filter(slug=NEW_CALL["slug"]).exists()


def test_calls_api_program_staff_create_and_change_a_call(as_program, reference_data):
    response = as_program.post("/api/calls/", NEW_CALL, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["window"] == "This call accepts proposals from 15 January 2027 to 15 April 2027."
    assert body["eligibility"] == NEW_CALL["eligibility"]
    response = as_program.patch(
        f"/api/calls/{body['id']}/", {"rolling": True, "closes_on": None}, format="json"
    )
    assert response.status_code == 200
    call = Call.objects.get(pk=body["id"])
    assert (call.rolling, call.closes_on) == (True, None)


def test_calls_api_bad_call_is_field_errors_and_nothing_saved(as_program, reference_data):
    bad = {
        **NEW_CALL,
        "closes_on": "2026-01-01",
        "eligibility": {"excluded_countries": ["ZZ"], "min_hardware_us_content": "51"},
    }
    response = as_program.post("/api/calls/", bad, format="json")
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert set(fields) == {"closes_on", "eligibility"}
    assert "Unknown country in excluded_countries: ZZ." in fields["eligibility"]
    assert not Call.objects.filter(slug=NEW_CALL["slug"]).exists()


def test_calls_api_duplicate_slug_is_a_field_error(as_program, call):
    response = as_program.post("/api/calls/", {**NEW_CALL, "slug": "always-open"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["extra"]["fields"]


def _published(call) -> Rubric:
    rubric = RubricFactory(call=call, version=1, published_at="2026-04-01T00:00:00Z")
    CriterionFactory(rubric=rubric, code="impact", weight=Decimal("60"))
    CriterionFactory(rubric=rubric, code="security", weight=Decimal("40"))
    return rubric


def test_rubric_versioning_published_rubric_is_never_edited(as_program, call):
    rubric = _published(call)
    criterion = rubric.criteria.get(code="impact")
    base = f"/api/calls/{call.pk}/rubrics/1/"
    response = as_program.patch(f"{base}criteria/{criterion.pk}/", {"weight": "70"}, format="json")
    assert response.status_code == 409
    assert (
        as_program.post(
            f"{base}criteria/", {"code": "x", "title": "X", "weight": "1"}, format="json"
        ).status_code
        == 409
    )
    assert as_program.delete(f"{base}criteria/{criterion.pk}/").status_code == 409
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("60")


def test_rubric_versioning_new_draft_copies_criteria_and_becomes_current_when_published(as_program, call):
    _published(call)
    response = as_program.post(
        f"/api/calls/{call.pk}/rubrics/", {"notes": "Security counts more"}, format="json"
    )
    assert response.status_code == 201
    draft = response.json()
    assert (draft["version"], draft["is_published"]) == (2, False)
    assert {c["code"] for c in draft["criteria"]} == {"impact", "security"}
    assert (
        as_program.post(f"/api/calls/{call.pk}/rubrics/", {}, format="json").status_code == 400
    )  # one draft
    security = next(c for c in draft["criteria"] if c["code"] == "security")
    base = f"/api/calls/{call.pk}/rubrics/2/"
    assert (
        as_program.patch(f"{base}criteria/{security['id']}/", {"weight": "50"}, format="json").status_code
        == 200
    )
    refused = as_program.post(f"{base}publish/")
    assert refused.status_code == 400
    assert refused.json()["extra"]["fields"]["criteria"] == ["The weights must sum to 100; they sum to 110."]
    impact = next(c for c in draft["criteria"] if c["code"] == "impact")
    as_program.patch(f"{base}criteria/{impact['id']}/", {"weight": "50"}, format="json")
    published = as_program.post(f"{base}publish/")
    assert published.status_code == 200 and published.json()["is_published"] is True
    assert Call.objects.get(pk=call.pk).current_rubric.version == 2
    v1 = Rubric.objects.get(call=call, version=1)
    assert {c.code: c.weight for c in v1.criteria.all()} == {
        "impact": Decimal("60"),
        "security": Decimal("40"),
    }


def test_rubric_versioning_duplicate_code_and_flat_scale_are_field_errors(as_program, call):
    rubric = RubricFactory(call=call, version=1)
    CriterionFactory(rubric=rubric, code="impact")
    base = f"/api/calls/{call.pk}/rubrics/1/criteria/"
    response = as_program.post(base, {"code": "impact", "title": "Again", "weight": "10"}, format="json")
    assert response.status_code == 400
    assert "__all__" in response.json()["extra"]["fields"] or "code" in response.json()["extra"]["fields"]
    response = as_program.post(
        base, {"code": "flat", "title": "Flat", "weight": "10", "scale_min": 3, "scale_max": 3}, format="json"
    )
    assert response.status_code == 400
    assert rubric.criteria.count() == 1


def test_rubric_versioning_writes_refused_to_consortium_users(as_lead, call):
    rubric = RubricFactory(call=call, version=1)
    response = as_lead.post(
        f"/api/calls/{call.pk}/rubrics/1/criteria/",
        {"code": "a", "title": "A", "weight": "100"},
        format="json",
    )
    assert response.status_code == 403
    assert as_lead.post(f"/api/calls/{call.pk}/rubrics/1/publish/").status_code == 403
    assert as_lead.get(f"/api/calls/{call.pk}/rubrics/1/").status_code == 200
    rubric.refresh_from_db()
    assert rubric.published_at is None and not rubric.criteria.exists()
