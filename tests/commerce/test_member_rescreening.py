"""A member added while a proposal is in review is screened at once (clearance waits for screening)."""

import pytest

from proposals.commerce.selectors import commerce_clearance
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.intake.services.consortium import member_add, member_update

pytestmark = pytest.mark.django_db


def screening_reasons(proposal_id: int) -> list[str]:
    """What holds clearance on screening (the other checks hold too: licenses are not determined)."""
    return commerce_clearance(proposal_id=proposal_id).held.get("screening_current", [])


NEW = {
    "legal_name": "Gulf Fabric Networks LLC",
    "country_of_incorporation": "US",
    "principal_place_of_business": "US",
}


@pytest.fixture
def screened(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    assert screening_reasons(proposal_id=in_review.pk) == []
    return in_review


@pytest.fixture
def eager_tasks(settings):
    """The enqueued task runs in this process (Celery's eager mode), not on a worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_screening_a_member_added_during_review_is_screened_again(
    screened, lead, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member_add(consortium_id=screened.consortium_id, actor=lead, company=dict(NEW))
    # until the screening the commit sends has run, clearance names what is not yet screened
    assert "Gulf Fabric Networks LLC" in screening_reasons(proposal_id=screened.pk)[0]
    for callback in callbacks:
        callback()
    assert screening_reasons(proposal_id=screened.pk) == []


def test_screening_a_renamed_parent_is_screened_again(
    screened, lead, eager_tasks, django_capture_on_commit_callbacks
):
    member = screened.consortium.members.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        member_update(
            consortium_id=screened.consortium_id,
            member_id=member.pk,
            actor=lead,
            data={"ultimate_parent": "Northern Holdings Group"},
        )
    assert screening_reasons(proposal_id=screened.pk) == []


def test_screening_layers_change_sends_no_screening(screened, lead, django_capture_on_commit_callbacks):
    member = screened.consortium.members.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member_update(
            consortium_id=screened.consortium_id, member_id=member.pk, actor=lead, data={"layers": ["chips"]}
        )
    assert [c for c in callbacks if getattr(c, "page_cache_name", None) is None] == []


def test_screening_a_confirmed_match_survives_its_name_leaving_the_proposal(screened, commerce_reviewer):
    """Renaming or removing the matched member or party must not clear a match Commerce confirmed."""
    from proposals.commerce.models import ScreeningHit
    from proposals.commerce.services.review import hit_adjudicate
    from proposals.intake.models.consortium import Company
    from proposals.intake.models.proposal import Party

    hit = ScreeningHit.objects.filter(proposal=screened).first()
    hit_adjudicate(hit_id=hit.pk, action="confirm", actor=commerce_reviewer, reason="It is them.")
    renamed = Party.objects.filter(proposal=screened, name__iexact=hit.screened_name).update(
        name="Entirely Different Trading LLC"
    ) + Company.objects.filter(legal_name__iexact=hit.screened_name).update(
        legal_name="Entirely Different Trading LLC"
    )
    assert renamed
    proposal_screen(proposal_id=screened.pk)  # the re-screen a member change sends
    hit.refresh_from_db()
    assert hit.status == "confirmed"
    assert any("confirmed" in reason for reason in commerce_clearance(proposal_id=screened.pk).reasons)


def test_screening_without_recorded_names_is_not_clear(screened):
    """Reviews screened before migration 0007 recorded no names: fail closed, every name is owed (the
    sweeper screens them again)."""
    from proposals.commerce.models import CommerceReview

    CommerceReview.objects.filter(proposal=screened).update(screened_names=[])
    assert screening_reasons(screened.pk)[0].startswith("Screening has not run for ")


def test_screen_again_a_reviewer_reruns_screening_web_and_api(
    screened, commerce_reviewer, client, eager_tasks, django_capture_on_commit_callbacks
):
    from django.urls import reverse
    from rest_framework.test import APIClient

    from proposals.commerce.models import CommerceReview
    from proposals.core.models.audit import AuditEvent

    CommerceReview.objects.filter(proposal=screened).update(screened_names=["Somebody Else"])
    assert screening_reasons(proposal_id=screened.pk) != []
    client.force_login(commerce_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commerce-screen", args=[screened.pk]))
    assert response.status_code == 302
    assert screening_reasons(proposal_id=screened.pk) == []
    api = APIClient()
    api.force_authenticate(commerce_reviewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = api.post(reverse("api-commerce-screen", args=[screened.pk]))
    assert (answer.status_code, answer.json()) == (202, {"queued": True})
    assert callbacks
    # the answer is backed by a record until the screening runs (the sweeper resends it if lost)
    assert CommerceReview.objects.get(proposal=screened).screening_requested_at is not None
    assert screening_reasons(screened.pk)[0].startswith("Screening was asked for again on ")
    assert AuditEvent.objects.filter(proposal=screened, action="screening_requested").count() == 2


def test_screen_again_refused_when_commerce_no_longer_has_the_proposal(screened, commerce_reviewer, lead):
    from django.urls import reverse
    from rest_framework.test import APIClient

    from proposals.intake.services.transitions import proposal_transition

    proposal_transition(proposal_id=screened.pk, action="withdraw", actor=lead, reason="Changed plans.")
    api = APIClient()
    api.force_authenticate(commerce_reviewer)
    answer = api.post(reverse("api-commerce-screen", args=[screened.pk]))
    assert answer.status_code == 409
    assert "submitted or in review" in answer.json()["message"]
