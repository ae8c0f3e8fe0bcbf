"""The demo shows evaluation from every side: a login per evaluating agency, seated on a convened panel."""

import pytest
from django.urls import reverse

from accounts.models import Agency, User
from proposals.core.services.reference import reference_data_load
from proposals.demo import demo_seed
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel
from tests.conftest import DATA
from tests.twofactor import session_verify

pytestmark = pytest.mark.django_db


def test_demo_seats_one_evaluator_per_agency_on_a_convened_panel(client):
    reference_data_load(groups_csv=DATA / "country_groups.csv", countries_csv=DATA / "countries.csv")
    demo_seed()
    panel = Panel.objects.get(proposal__title="UAE Sovereign Health AI Cluster")
    assert panel.status == PanelStatus.CONFLICTS
    seats = dict(panel.members.values_list("evaluator__username", "agency"))
    assert seats == {
        "commerce": Agency.COMMERCE,
        "state": Agency.STATE,
        "war": Agency.WAR,
        "energy": Agency.ENERGY,
        "ostp": Agency.OSTP,
    }

    state = User.objects.get(username="state")
    client.force_login(state)
    session_verify(client, state)
    response = client.get(reverse("evaluation-panel", kwargs={"pk": panel.pk}))
    assert response.status_code == 200
    assert "UAE Sovereign Health AI Cluster" in response.content.decode()


def test_demo_seed_twice_forms_no_second_panel():
    reference_data_load(groups_csv=DATA / "country_groups.csv", countries_csv=DATA / "countries.csv")
    demo_seed()
    demo_seed()
    assert Panel.objects.count() == 1
