"""The public register: anonymous visitors read designated packages (page, CSV, Atom feed, API), and
only the allow-listed public fields (selectors.REGISTER_FIELDS) ever appear."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proposals.commerce.models import LicenseGate, ScreeningHit
from proposals.core.enums import GateStatus, HitStatus
from proposals.evaluation.models import Panel, PanelMember, Score
from proposals.evaluation.selectors import REGISTER_FIELDS
from proposals.evaluation.services import panel_determine, panel_summary_record, score_sheet_save
from proposals.intake.models.consortium import Company
from proposals.intake.models.proposal import Proposal
from tests.factories import license_gate, screening_hit

pytestmark = pytest.mark.django_db

SECRET = "CONFIDENTIAL-MARKER"
AMOUNT = Decimal("987654321.12")
PUBLIC = "A sovereign AI cluster for public health."


def _designate(panel, evaluators, officer):
    for agency in ("commerce", "state", "war", "energy"):
        score_sheet_save(
            panel_id=panel.pk,
            actor=evaluators[agency],
            scores={code: {"value": 4, "comment": f"{SECRET}-score-{agency}"} for code in ("a", "b", "c")},
            submit=True,
        )
    panel_summary_record(panel_id=panel.pk, actor=officer, summary=f"{SECRET}-summary", public_summary=PUBLIC)
    panel_determine(panel_id=panel.pk, decision="designate", actor=officer, reason=f"{SECRET}-reason")


@pytest.fixture
def designated(scoring, evaluators, officer):
    """A designated package with a marker in every confidential text and an unpublished amount."""
    proposal = scoring.proposal
    proposal.target_countries.set(["AE"])
    for field in Proposal._meta.concrete_fields:
        if field.get_internal_type() == "TextField":
            setattr(proposal, field.name, f"{SECRET}-{field.name}")
    proposal.financing_amount = AMOUNT
    proposal.local_costs = AMOUNT
    proposal.save()
    Company.objects.filter(memberships__consortium=proposal.consortium).update(
        **{
            f.name: f"{SECRET}-company-{f.name}"
            for f in Company._meta.concrete_fields
            if f.get_internal_type() == "TextField"
        }
    )
    gate = license_gate(proposal, GateStatus.DENIED)
    LicenseGate.objects.filter(pk=gate.pk).update(reason=f"{SECRET}-gate", conditions=f"{SECRET}-conditions")
    hit = screening_hit(proposal, HitStatus.CONFIRMED)
    ScreeningHit.objects.filter(pk=hit.pk).update(adjudication_reason=f"{SECRET}-hit")
    PanelMember.objects.filter(panel=scoring, agency="ostp").update(conflict_statement=f"{SECRET}-conflict")
    _designate(scoring, evaluators, officer)
    assert Score.objects.filter(comment__startswith=SECRET).exists()
    return Panel.objects.get(pk=scoring.pk)


def _answers(client: Client) -> dict[str, str]:
    return {
        name: b"".join(r.streaming_content if r.streaming else [r.content]).decode()
        for name, r in (
            ("page", client.get(reverse("register"))),
            ("csv", client.get(reverse("register-csv"))),
            ("feed", client.get(reverse("register-feed"))),
            ("api", client.get(reverse("api-register"))),
        )
    }


def test_register_is_public_without_sign_in(client, designated):
    for name, body in _answers(client).items():
        assert designated.proposal.title in body, name
        assert PUBLIC in body, name


def test_register_leaks_nothing_confidential(client, designated):
    for name, body in _answers(client).items():
        assert SECRET not in body, name
        assert "987654321" not in body and "987,654,321" not in body, name
        assert "ACME" not in body.upper() or "ACME" in designated.proposal.title.upper(), name


def test_register_api_shows_exactly_the_public_fields(client, designated):
    entries = client.get(reverse("api-register")).json()
    assert len(entries) == 1
    assert set(entries[0]) == set(REGISTER_FIELDS)
    entry = entries[0]
    assert entry["consortium"] == designated.proposal.consortium.name
    assert entry["target_countries"] == ["United Arab Emirates"]
    assert {tuple(m["layers"]) for m in entry["members"]}  # each member with its layers
    assert entry["designated_on"] == timezone.localdate(designated.designated_at).isoformat()


def test_register_csv_has_one_row_per_designated_package(client, designated):
    body = b"".join(client.get(reverse("register-csv")).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == list(REGISTER_FIELDS)
    assert len(rows) == 2


def test_register_lists_no_package_before_designation(client, scoring):
    assert client.get(reverse("api-register")).json() == []
    assert scoring.proposal.title not in client.get(reverse("register")).content.decode()
