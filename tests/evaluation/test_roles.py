"""Evaluator agencies and the program officer: rows of AGENCIES, choices of User.agency, two-factor."""

import pytest

from accounts.models import Agency, User
from proposals.core.permissions import actor_roles, is_agency_reviewer
from proposals.core.workflow import AGENCIES, Actor
from proposals.evaluation.workflow import EVALUATOR_AGENCIES


def test_every_agency_row_is_a_user_agency_choice():
    assert set(AGENCIES) == {value for value in Agency.values if value}


def test_evaluating_agencies_are_agencies():
    assert set(EVALUATOR_AGENCIES) <= set(AGENCIES)
    assert {"state", "war", "energy", "ostp"} <= set(AGENCIES)
    assert AGENCIES["program"].actor == Actor.PROGRAM


@pytest.mark.parametrize("agency", ["commerce", "state", "war", "energy", "ostp", "program"])
def test_two_factor_required_for_every_evaluator_and_the_officer(agency):
    assert User(username="x", agency=agency).requires_two_factor


@pytest.mark.parametrize("agency", ["state", "war", "energy", "ostp"])
def test_evaluating_agency_staff_are_not_reviewers_of_every_proposal(agency):
    user = User(username="x", agency=agency)
    assert not is_agency_reviewer(user)
    assert Actor.EVALUATOR in actor_roles(user, type("P", (), {"consortium_id": 0})())


@pytest.mark.django_db
@pytest.mark.unverified_login
@pytest.mark.parametrize("agency", ["state", "war", "energy", "ostp"])
def test_two_factor_enrolment_required_before_an_evaluator_sees_a_page(client, agency):
    from django.urls import reverse

    from tests.factories import TEST_PASSWORD, UserFactory

    user = UserFactory(username=f"e_{agency}", agency=agency)
    assert (
        client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD}).status_code
        == 302
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('otp-setup')}?next=%2F"
