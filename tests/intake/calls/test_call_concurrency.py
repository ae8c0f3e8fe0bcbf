"""Optimistic concurrency on calls and rubric criteria: the ETag and If-Match, as for proposals."""

import pytest

from proposals.intake.models.call import Call
from tests.factories import CallFactory, CriterionFactory, RubricFactory

pytestmark = pytest.mark.django_db


def test_stale_call_patch_refused_with_412_and_the_first_save_kept(as_program, reference_data):
    call = CallFactory(name="First name")
    url = f"/api/calls/{call.pk}/"
    etag = as_program.get(url)["ETag"]
    assert (
        as_program.patch(url, {"name": "Second name"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    )
    stale = as_program.patch(url, {"name": "Third name"}, format="json", HTTP_IF_MATCH=etag)
    assert (stale.status_code, stale.json()["extra"]["changes"]) == (
        412,
        [{"field": "name", "label": "Name", "yours": "Third name", "saved": "Second name"}],
    )
    assert Call.objects.get(pk=call.pk).name == "Second name"


def test_stale_criterion_patch_and_delete_refused(as_program, reference_data):
    rubric = RubricFactory(published_at=None)
    criterion = CriterionFactory(rubric=rubric, weight="40")
    url = f"/api/calls/{rubric.call_id}/rubrics/{rubric.version}/criteria/{criterion.pk}/"
    etag = as_program.get(url)["ETag"]
    assert as_program.patch(url, {"weight": "50"}, format="json", HTTP_IF_MATCH=etag)["ETag"] == '"2"'
    assert as_program.patch(url, {"weight": "60"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert as_program.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    criterion.refresh_from_db()
    assert str(criterion.weight) == "50.00"
