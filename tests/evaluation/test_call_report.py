"""The program's report on a call (page, CSV, API): the figures from real rows and audit events, program
staff only, and a bounded number of queries whatever the number of proposals."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals.core.enums import ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _history_written_days_ago(monkeypatch):
    """The audit trail is append-only (a trigger refuses UPDATE), so past events are inserted with their
    time: created_at stops stamping "now" for these tests' inserts (restored afterwards)."""
    field = AuditEvent._meta.get_field("created_at")
    # Django caches a field's default getter on first use: an insert earlier in the run has cached
    # "no default" (None), so the getter itself is patched, not only `default`.
    monkeypatch.setattr(field, "_get_default", timezone.now)
    monkeypatch.setattr(field, "auto_now_add", False)
    monkeypatch.setattr(field, "default", timezone.now)


def _event(proposal, subject, from_state, to_state, days_ago):
    AuditEvent.objects.create(
        proposal=proposal,
        subject=subject,
        action="x",
        from_state=from_state,
        to_state=to_state,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def _decided(rubric, consortium, *, title, status, panel_status, history):
    """A proposal of the rubric's call with its panel in `panel_status` and its audit history
    [(subject, from, to, days ago)]."""
    proposal = ProposalFactory(
        consortium=consortium, call=rubric.call, status=status, revision_number=1, title=title
    )
    if panel_status:
        Panel.objects.create(
            proposal=proposal, rubric=rubric, status=panel_status, stage_entered_at=timezone.now()
        )
    for subject, from_state, to_state, days_ago in history:
        _event(proposal, subject, from_state, to_state, days_ago)
    return proposal


@pytest.fixture
def report_world(rubric, consortium):
    """One call: a draft, a proposal in intake, two designated (10 and 4 days scoring), one not designated,
    one withdrawn while scoring."""
    ProposalFactory(consortium=consortium, call=rubric.call, title="Never submitted")
    _decided(
        rubric, consortium, title="In intake", status=ProposalStatus.SUBMITTED, panel_status=None, history=[]
    )
    for title, scoring_days in (("Alpha", 10), ("Beta", 4)):
        _decided(
            rubric,
            consortium,
            title=title,
            status=ProposalStatus.IN_REVIEW,
            panel_status=PanelStatus.DESIGNATED,
            history=[
                ("proposal", "draft", "submitted", 40),
                ("proposal", "submitted", "in_review", 39),
                ("panel", "", "forming", 30),
                ("panel", "forming", "conflicts", 29),
                ("panel", "conflicts", "scoring", 28),
                ("panel", "scoring", "determination", 28 - scoring_days),
                ("panel", "determination", "designated", 10),
            ],
        )
    _decided(
        rubric,
        consortium,
        title="Gamma",
        status=ProposalStatus.DECLINED,
        panel_status=PanelStatus.NOT_DESIGNATED,
        history=[],
    )
    _decided(
        rubric,
        consortium,
        title="Delta",
        status=ProposalStatus.WITHDRAWN,
        panel_status=PanelStatus.SCORING,
        history=[],
    )
    return rubric.call


def test_call_report_api_counts_each_received_proposal_once_and_medians_the_stages(
    api_client, report_world, officer
):
    api_client.force_authenticate(officer)

    body = api_client.get(reverse("api-call-report", args=[report_world.pk])).json()

    assert (body["call"]["id"], body["drafts"], body["received"]) == (report_world.pk, 1, 5)
    assert {o["key"]: o["count"] for o in body["outcomes"]} == {
        "in_intake": 1,
        "awaiting_panel": 0,
        "in_evaluation": 0,
        "deferred": 0,
        "designated": 2,
        "not_designated": 1,
        "declined": 0,
        "withdrawn": 1,
    }
    stages = {s["key"]: (s["median_days"], s["proposals"], s["in_stage_now"]) for s in body["stages"]}
    assert stages["intake"] == ("1.0", 2, 0)
    assert stages["awaiting_panel"] == ("9.0", 2, 0)
    assert stages["scoring"] == ("7.0", 2, 0)  # 10 and 4 days
    assert stages["determination"] == ("11.0", 2, 0)  # 18 -> 10 days ago and 24 -> 10 days ago
    assert (stages["deferred"], body["stages"][-1]["not_yet"]) == (
        (None, 0, 0),
        "Not yet: no proposal has reached this stage.",
    )


def test_call_report_from_the_panel_track_itself(api_client, scoring, officer):
    """Events the engine wrote: the panel was formed, convened and opened scoring moments ago."""
    api_client.force_authenticate(officer)

    body = api_client.get(reverse("api-call-report", args=[scoring.rubric.call_id])).json()

    stages = {s["key"]: (s["median_days"], s["proposals"], s["in_stage_now"]) for s in body["stages"]}
    assert (stages["forming"], stages["conflicts"], stages["scoring"]) == (
        ("0.0", 1, 0),
        ("0.0", 1, 0),
        (None, 0, 1),
    )
    assert {o["key"]: o["count"] for o in body["outcomes"]}["in_evaluation"] == 1


def test_call_report_page_shows_charts_legend_and_table(client, report_world, officer):
    client.force_login(officer)

    page = client.get(reverse("program-call-report", args=[report_world.pk])).content.decode()

    assert 'role="img" aria-labelledby="outcomes-chart-title outcomes-chart-desc"' in page
    assert 'role="img" aria-labelledby="stages-chart-title stages-chart-desc"' in page
    assert (
        '<desc id="outcomes-chart-desc">In intake: 1. Designated: 2. Not designated: 1. Withdrawn: 1. </desc>'
        in page
    )
    assert "Designated: 2" in page  # the legend beside its swatch
    assert "<caption>Median days per stage</caption>" in page
    assert reverse("program-call-report-csv", args=[report_world.pk]) in page


def test_call_report_csv_streams_the_same_figures(client, report_world, officer):
    client.force_login(officer)

    response = client.get(reverse("program-call-report-csv", args=[report_world.pk]))

    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["section", "key", "label", "proposals", "median_days", "in_stage_now", "note"]
    by_key = {(r[0], r[1]): r for r in rows[1:]}
    assert by_key[("received", "received")][3] == "5"
    assert by_key[("outcome", "designated")][3] == "2"
    assert by_key[("stage", "scoring")][3:6] == ["2", "7.0", "0"]


@pytest.mark.parametrize("who", ["commerce", "state", "lead"])
def test_call_report_refused_to_everyone_but_program_staff(
    client, api_client, report_world, evaluators, lead, who
):
    user = lead if who == "lead" else evaluators[who]
    client.force_login(user)
    api_client.force_authenticate(user)

    answers = (
        client.get(reverse("program-call-report", args=[report_world.pk])).status_code,
        client.get(reverse("program-call-report-csv", args=[report_world.pk])).status_code,
        api_client.get(reverse("api-call-report", args=[report_world.pk])).status_code,
    )

    assert answers == (403, 403, 403)


def test_call_report_unknown_call_is_a_404(api_client, officer):
    api_client.force_authenticate(officer)
    assert api_client.get(reverse("api-call-report", args=[987654])).status_code == 404


@pytest.mark.parametrize("route", ["program-call-report", "program-call-report-csv", "api-call-report"])
def test_call_report_queries_do_not_grow_with_proposals(client, rubric, consortium, route):
    """N+1 guard: the same number of queries for 1 proposal and for 3 (with panels and events)."""
    officer = UserFactory(username="report-officer", agency="program")
    client.force_login(officer)
    url = reverse(route, args=[rubric.call_id])
    history = [("proposal", "draft", "submitted", 5), ("proposal", "submitted", "in_review", 4)]
    history += [("panel", "", "forming", 3), ("panel", "forming", "conflicts", 2)]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(captured)

    _decided(rubric, consortium, title="One", status="in_review", panel_status="conflicts", history=history)
    one = queries()
    for title in ("Two", "Three"):
        _decided(
            rubric, consortium, title=title, status="in_review", panel_status="conflicts", history=history
        )
    three = queries()

    assert one == three
