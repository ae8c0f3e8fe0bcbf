"""The officer's workspace in the browser: pipeline, filters, CSV, deal page, stage actions, dashboard."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.core.enums import DealStage, EximProduct, GateStatus, ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.exim.models import Deal
from proposals.exim.selectors import MIN_BAR_WIDTH
from proposals.intake.models.proposal import Proposal
from tests.factories import license_gate

pytestmark = pytest.mark.django_db

PIPELINE = reverse("exim-pipeline")
CSV_URL = reverse("exim-pipeline-csv")


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_pipeline_requires_sign_in(client):
    response = client.get(PIPELINE)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={PIPELINE}")


def test_pipeline_forbidden_to_consortium_lead(client, lead):
    client.force_login(lead)
    assert client.get(PIPELINE).status_code == 403


def test_pipeline_forbidden_to_commerce_reviewer(client, commerce_reviewer):
    client.force_login(commerce_reviewer)
    assert client.get(PIPELINE).status_code == 403


def test_pipeline_lists_deal_for_exim_officer(client, exim_officer, make_deal):
    deal = make_deal()
    client.force_login(exim_officer)
    response = client.get(PIPELINE)
    assert response.status_code == 200
    assert [d.pk for d, _ in response.context["rows"]] == [deal.pk]
    assert "$68,000,000.00" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_pipeline_queries_do_not_grow_with_rows(
    client, exim_officer, make_deal, count, django_assert_num_queries
):
    for _ in range(count):
        make_deal()
    client.force_login(exim_officer)
    # session, user, OTP device, settings (benchmarks), the page's keys with the count, then their
    # rows by those keys (PipelinePaginator: a deep page sorts keys only), regions, the destination
    # countries and the user's saved filters (proposals.search); agency staff have no consortium roles
    with django_assert_num_queries(9):
        response = client.get(PIPELINE)
    assert len(response.context["rows"]) == count


def test_pipeline_filters_by_stage_product_region_amount_and_age(client, exim_officer, make_deal):
    a = make_deal()
    b = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("20000000"))
    c = make_deal(product=EximProduct.LOAN_GUARANTEE, country="SG", city="Singapore")
    Deal.objects.filter(pk=a.pk).update(stage_entered_at=timezone.now() - timedelta(days=40))
    client.force_login(exim_officer)

    def ids(**params) -> list[int]:
        response = client.get(PIPELINE, params)
        assert response.status_code == 200
        return sorted(d.pk for d, _ in response.context["rows"])

    assert ids(stage="credit_committee") == [b.pk]
    assert ids(product="loan_guarantee") == [c.pk]
    assert ids(region="Asia") == [c.pk]
    assert ids(region="Middle East") == [a.pk, b.pk]
    assert ids(amount_max="30000000") == [b.pk]
    assert ids(amount_min="60000000") == sorted([a.pk, c.pk])
    assert ids(min_days_in_stage="30") == [a.pk]
    assert ids(group="pipeline") == sorted([a.pk, b.pk, c.pk])
    assert ids(group="committed") == []


def test_pipeline_sorts_by_amount_descending(client, exim_officer, make_deal):
    small = make_deal(amount=Decimal("20000000"))
    large = make_deal()
    client.force_login(exim_officer)
    response = client.get(PIPELINE, {"ordering": "-amount"})
    assert [d.pk for d, _ in response.context["rows"]] == [large.pk, small.pk]


def test_pipeline_bad_filter_is_a_field_error(client, exim_officer):
    client.force_login(exim_officer)
    response = client.get(PIPELINE, {"amount_min": "lots"})
    assert response.status_code == 400
    assert "amount_min" in response.context["filter"].form.errors


def test_pipeline_csv_streams_filtered_rows(client, exim_officer, make_deal):
    make_deal()
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE)
    client.force_login(exim_officer)
    response = client.get(CSV_URL, {"stage": "credit_committee"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0][:4] == ["deal_id", "proposal", "consortium", "stage"]
    assert [r[0] for r in rows[1:]] == [str(deal.pk)]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["amount_usd"], row["financed_max_usd"], row["term_class"], row["region"]) == (
        "68000000.00",
        "68000000.00",
        "long",
        "Middle East",
    )


@pytest.mark.parametrize("count", [1, 3])
def test_pipeline_csv_queries_do_not_grow_with_rows(
    client, exim_officer, make_deal, count, django_assert_num_queries
):
    for _ in range(count):
        make_deal()
    client.force_login(exim_officer)
    response = client.get(CSV_URL)
    # Streaming: the queries run while the body is read. settings (benchmarks), rows.
    with django_assert_num_queries(2):
        rows = csv_rows(response)
    assert len(rows) == count + 1


def test_pipeline_csv_neutralizes_formulas(client, exim_officer, make_deal):
    deal = make_deal()
    deal.proposal.__class__.objects.filter(pk=deal.proposal_id).update(title="=HYPERLINK(1)")
    client.force_login(exim_officer)
    assert csv_rows(client.get(CSV_URL))[1][1] == "'=HYPERLINK(1)"


def test_deal_page_shows_terms_findings_timeline_and_gate_status(client, exim_officer, make_deal):
    deal = make_deal()
    license_gate(deal.proposal, GateStatus.OPEN)
    client.force_login(exim_officer)
    response = client.get(deal.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "$12,000,000.00" in body  # cash payment
    assert "$68,000,000.00" in body  # financed
    assert "threshold: full support, up to 85% of the net contract price." in body
    assert "The proposal entered review (revision 1)." in body
    assert "License gate 3A090 to United Arab Emirates is open (awaiting decision)." in body
    moves = response.context["moves"]
    assert [(m.transition.action, m.possible) for m in moves] == [
        ("start_due_diligence", True),
        ("decline", True),
        ("withdraw", True),
    ]


def test_deal_page_forbidden_to_consortium_lead(client, lead, make_deal):
    deal = make_deal()
    client.force_login(lead)
    assert client.get(deal.get_absolute_url()).status_code == 403


def test_deal_page_stage_move_records_reason(client, exim_officer, make_deal):
    deal = make_deal()
    client.force_login(exim_officer)
    response = client.post(
        reverse("exim-deal-transition", args=[deal.pk]),
        {"action": "start_due_diligence", "reason": "File complete."},
    )
    assert (response.status_code, response["Location"]) == (302, deal.get_absolute_url())
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.DUE_DILIGENCE
    assert AuditEvent.objects.filter(subject="deal").latest("pk").reason == "File complete."


def test_deal_page_stage_move_without_reason_saves_nothing(client, exim_officer, make_deal):
    deal = make_deal()
    client.force_login(exim_officer)
    response = client.post(
        reverse("exim-deal-transition", args=[deal.pk]), {"action": "start_due_diligence", "reason": ""}
    )
    assert response.status_code == 400
    assert response.context["transition_form"].errors == {"reason": ["This field is required."]}
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.APPLICATION_RECEIVED


def test_deal_page_refused_commitment_shows_why(client, exim_officer, make_deal):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("10000000"))
    license_gate(deal.proposal, GateStatus.DENIED)
    client.force_login(exim_officer)
    response = client.post(
        reverse("exim-deal-transition", args=[deal.pk]), {"action": "authorize", "reason": "Ready."}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Final commitment was refused: the reasons are listed under the move." in body
    # The reason is printed once, under Commerce's gate, and the refused move points there.
    assert body.count("License gate 3A090 to United Arab Emirates is denied.") == 1
    assert 'href="#commerce-gate">what is outstanding</a>' in body
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.CREDIT_COMMITTEE, ProposalStatus.IN_REVIEW)


def test_deal_page_offers_a_blocked_commitment_disabled_with_its_reasons_once(
    client, exim_officer, make_deal
):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("10000000"), compute=False)
    license_gate(deal.proposal, GateStatus.OPEN)
    client.force_login(exim_officer)
    response = client.get(deal.get_absolute_url())
    body = response.content.decode()
    authorize = next(m for m in response.context["moves"] if m.transition.action == "authorize")
    assert (authorize.possible, authorize.blockers, authorize.waits_on_commerce) == (
        False,
        ("The terms have not been computed yet.",),
        True,
    )
    assert 'value="authorize" disabled aria-describedby="action-authorize-why"' in body
    assert " checked" not in body  # no move is chosen for the officer
    assert body.count("The terms have not been computed yet.") == 1
    assert body.count("License gate 3A090 to United Arab Emirates is open (awaiting decision).") == 1


def test_deal_page_offers_commitment_when_nothing_blocks_it(client, exim_officer, make_deal):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("10000000"))
    client.force_login(exim_officer)
    response = client.get(deal.get_absolute_url())
    authorize = next(m for m in response.context["moves"] if m.transition.action == "authorize")
    assert authorize.possible
    assert 'value="authorize" required>' in response.content.decode()


def test_deal_page_target_date_change_records_reason(client, exim_officer, make_deal):
    deal = make_deal()
    client.force_login(exim_officer)
    response = client.post(
        reverse("exim-deal-target-date", args=[deal.pk]),
        {"field": "target_closing_on", "date": "2027-03-31", "reason": "Borrower asked for more time."},
    )
    assert response.status_code == 302
    assert str(Deal.objects.get(pk=deal.pk).target_closing_on) == "2027-03-31"
    event = AuditEvent.objects.filter(subject="deal").latest("pk")
    assert (event.action, event.reason) == ("target_date_changed", "Borrower asked for more time.")


def test_program_admin_sees_pipeline_but_cannot_move_deals(client, make_deal):
    from accounts.models import Agency
    from tests.factories import UserFactory

    admin = UserFactory(username="programadmin", agency=Agency.PROGRAM)
    deal = make_deal()
    client.force_login(admin)
    assert client.get(PIPELINE).status_code == 200
    response = client.post(
        reverse("exim-deal-transition", args=[deal.pk]), {"action": "start_due_diligence", "reason": "x"}
    )
    assert response.status_code == 403


def test_dashboard_renders_with_demo_data(client):
    from accounts.models import User
    from proposals.core.services.reference import reference_data_load
    from proposals.demo import demo_seed
    from tests.conftest import DATA

    reference_data_load(groups_csv=DATA / "country_groups.csv", countries_csv=DATA / "countries.csv")
    demo_seed()
    assert Deal.objects.count() == 2
    client.force_login(User.objects.get(username="exim"))
    response = client.get(reverse("exim-dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    statutory, what_if = response.context["ceilings"]
    pipeline = sum(Deal.objects.values_list("amount", flat=True))
    assert response.context["pipeline"] == pipeline
    assert statutory.headroom == Decimal("100900000000.00")
    assert statutory.after_pipeline == Decimal("100900000000.00") - pipeline
    assert what_if.after_pipeline == Decimal("170900000000.00") - pipeline
    assert "Statutory ceiling: $135.0B" in body
    assert "What-if ceiling (reauthorization): $205.0B" in body
    # At program scale the pipeline is 0.1% of the ceiling: drawn at the minimum width, and said so.
    bar = response.context["ceiling_bars"][0]
    assert (bar["pipeline"], bar["pipeline_magnified"]) == (MIN_BAR_WIDTH, True)
    assert bar["used"] + bar["pipeline"] + bar["free"] == bar["ceiling"] == 395  # 135 of 205 billion, on 600
    assert "drawn wider than its share so that it shows" in body
    # A legend with swatches, and the figures as a table (the chart's text alternative).
    assert body.count('class="chart-swatch chart-swatch--') == 3
    assert "<caption>The figures behind the chart</caption>" in body
    assert [b.key for b in response.context["by_stage"]] == ["due_diligence", "credit_committee"]
    assert [b.label for b in response.context["by_region"]] == ["Middle East"]
    assert {b.key for b in response.context["by_product"]} == {"direct_loan", "loan_guarantee"}


def test_exim_officer_nav_links_to_workspace(client, exim_officer):
    client.force_login(exim_officer)
    nav = [(i.label, i.url) for i in client.get(reverse("home")).context["nav_items"]]
    assert nav == [
        ("EXIM pipeline", PIPELINE),
        ("Ceiling", reverse("exim-dashboard")),
        ("API", "/api/docs/"),
        ("API tokens", "/accounts/tokens/"),
        ("Notification settings", reverse("notification-preferences")),
    ]


def test_pipeline_row_escapes_proposal_title_and_consortium(client, exim_officer, make_deal):
    deal = make_deal()
    Proposal.objects.filter(pk=deal.proposal_id).update(title='<b>A & "B"</b>')
    client.force_login(exim_officer)
    html = client.get(PIPELINE).content.decode()
    assert "&lt;b&gt;A &amp; &quot;B&quot;&lt;/b&gt;" in html
    assert "<b>A" not in html


def test_deal_page_links_the_proposal_documents_and_papers(client, exim_officer, make_deal):
    deal = make_deal()
    client.force_login(exim_officer)
    body = client.get(deal.get_absolute_url()).content.decode()
    pk = deal.proposal_id
    for url in (
        reverse("proposal-documents", args=[pk]),
        reverse("paper-download", args=[pk, "dossier"]),
        reverse("paper-download-subject", args=[pk, "term_sheet", deal.pk]),
        reverse("proposal-progress", args=[pk]),
    ):
        assert f'href="{url}"' in body
    assert client.get(reverse("proposal-documents", args=[pk])).status_code == 200


def test_pipeline_table_stacks_on_a_phone_with_each_value_labelled(client, exim_officer, make_deal):
    make_deal()
    client.force_login(exim_officer)
    html = client.get(PIPELINE).content.decode()
    assert "usa-table--stacked table--sortable" in html
    for label in (
        "Proposal",
        "Stage",
        "Days in stage (benchmark)",
        "Destination",
        "Product",
        "Amount",
        "Term",
    ):
        assert f'data-label="{label}"' in html
