"""The deal's one write path: opening, terms, routing by amount, reasons, the gate rule, the ceiling."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from proposals.core.enums import DealStage, ProposalStatus
from proposals.core.errors import CommitmentRefused, InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import Country
from proposals.exim.models import Deal
from proposals.exim.services import deal_compute_terms, deal_open, deal_set_target_date, deal_transition
from proposals.exim.tasks import (
    exim_follow_proposal,
    exim_notification_sweep,
    exim_start_review,
)
from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition

pytestmark = pytest.mark.django_db

BOARD = Decimal("10000000")
CONGRESS = Decimal("100000000")
CENT = Decimal("0.01")


def deal_events(deal: Deal) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(proposal_id=deal.proposal_id, subject="deal")
        .order_by("pk")
        .values_list("action", "to_state", "reason")
    )


def test_deal_opens_when_proposal_enters_review_with_worked_example_terms(make_deal):
    deal = make_deal()
    assert deal.stage == DealStage.APPLICATION_RECEIVED
    assert deal.amount == Decimal("68000000.00")
    assert deal.destination_id == "AE"
    assert deal.terms["net_contract_price"] == "80000000.00"
    assert deal.terms["cash_payment"] == "12000000.00"
    assert deal.terms["financed_amount"] == "68000000.00"
    assert deal.terms_revision == 1
    assert deal_events(deal) == [
        ("open", "application_received", "The proposal entered review (revision 1)."),
    ]


def test_exim_start_review_is_idempotent(make_deal):
    deal = make_deal()
    assert exim_start_review(proposal_id=deal.proposal_id) == deal.pk
    assert exim_start_review(proposal_id=deal.proposal_id) == deal.pk
    assert Deal.objects.filter(proposal_id=deal.proposal_id).count() == 1
    assert [e[0] for e in deal_events(deal)] == ["open"]


def test_deal_open_skips_proposal_not_in_review(complete_proposal):
    assert deal_open(proposal_id=complete_proposal.pk) is None
    assert not Deal.objects.exists()


def test_deal_transition_records_reason_and_actor(make_deal, exim_officer):
    deal = make_deal()
    deal_transition(
        deal_id=deal.pk, action="start_due_diligence", actor=exim_officer, reason="File complete."
    )
    deal.refresh_from_db()
    assert deal.stage == DealStage.DUE_DILIGENCE
    event = AuditEvent.objects.filter(subject="deal").latest("pk")
    assert (event.action, event.from_state, event.to_state, event.reason, event.actor) == (
        "start_due_diligence",
        "application_received",
        "due_diligence",
        "File complete.",
        exim_officer,
    )


def test_deal_transition_without_reason_is_refused(make_deal, exim_officer):
    deal = make_deal()
    with pytest.raises(InvalidInput):
        deal_transition(deal_id=deal.pk, action="start_due_diligence", actor=exim_officer, reason="  ")
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.APPLICATION_RECEIVED


def test_deal_transition_by_commerce_reviewer_is_refused(make_deal, commerce_reviewer):
    deal = make_deal()
    with pytest.raises(TransitionNotAllowed):
        deal_transition(deal_id=deal.pk, action="start_due_diligence", actor=commerce_reviewer, reason="x")


def test_deal_transition_from_wrong_stage_is_refused(make_deal, exim_officer):
    deal = make_deal()
    with pytest.raises(TransitionNotAllowed, match="not possible while the deal is at application received"):
        deal_transition(deal_id=deal.pk, action="refer_to_board", actor=exim_officer, reason="x")


@pytest.mark.parametrize(
    ("amount", "action", "allowed"),
    [
        (BOARD - CENT, "refer_to_board", False),
        (BOARD - CENT, "authorize", True),
        (BOARD, "refer_to_board", False),
        (BOARD, "authorize", True),
        (BOARD + CENT, "refer_to_board", True),
        (BOARD + CENT, "authorize", False),
    ],
)
def test_credit_committee_routes_to_board_only_above_threshold(
    make_deal, exim_officer, amount, action, allowed
):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=amount)
    if allowed:
        deal_transition(deal_id=deal.pk, action=action, actor=exim_officer, reason="Approved by committee.")
        assert Deal.objects.get(pk=deal.pk).stage != DealStage.CREDIT_COMMITTEE
    else:
        with pytest.raises((TransitionNotAllowed, CommitmentRefused)):
            deal_transition(
                deal_id=deal.pk, action=action, actor=exim_officer, reason="Approved by committee."
            )
        assert Deal.objects.get(pk=deal.pk).stage == DealStage.CREDIT_COMMITTEE


@pytest.mark.parametrize(
    ("amount", "action", "allowed"),
    [
        (CONGRESS - CENT, "notify_congress", False),
        (CONGRESS - CENT, "authorize", True),
        (CONGRESS, "notify_congress", True),
        (CONGRESS, "authorize", False),
        (CONGRESS + CENT, "notify_congress", True),
        (CONGRESS + CENT, "authorize", False),
    ],
)
def test_board_routes_to_congress_at_threshold_or_more(make_deal, exim_officer, amount, action, allowed):
    deal = make_deal(stage=DealStage.BOARD, amount=amount)
    if allowed:
        deal_transition(deal_id=deal.pk, action=action, actor=exim_officer, reason="Board approved.")
        assert Deal.objects.get(pk=deal.pk).stage != DealStage.BOARD
    else:
        with pytest.raises((TransitionNotAllowed, CommitmentRefused)):
            deal_transition(deal_id=deal.pk, action=action, actor=exim_officer, reason="Board approved.")
        assert Deal.objects.get(pk=deal.pk).stage == DealStage.BOARD


def test_authorize_moves_proposal_to_approved(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    deal_transition(
        deal_id=deal.pk, action="authorize", actor=exim_officer, reason="Within delegated authority."
    )
    deal.refresh_from_db()
    assert deal.stage == DealStage.FINAL_COMMITMENT
    assert deal.proposal.status == ProposalStatus.APPROVED
    assert deal.proposal.audit_events.filter(subject="proposal").latest("pk").reason == (
        "EXIM authorize (final commitment) by exim: Within delegated authority."
    )


def test_authorize_refused_before_notification_period_ends(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.BOARD, amount=CONGRESS)
    deal_transition(deal_id=deal.pk, action="notify_congress", actor=exim_officer, reason="Board approved.")
    deal.refresh_from_db()
    assert deal.notification_ends_at - deal.stage_entered_at == timedelta(days=35)
    with pytest.raises(CommitmentRefused, match="congressional notification period runs until"):
        deal_transition(deal_id=deal.pk, action="authorize", actor=exim_officer, reason="Early.")


def test_notification_period_ending_on_beat_authorizes_deal(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.BOARD, amount=CONGRESS)
    deal_transition(deal_id=deal.pk, action="notify_congress", actor=exim_officer, reason="Board approved.")
    deal.refresh_from_db()
    ends = deal.notification_ends_at
    with mock.patch("django.utils.timezone.now", return_value=ends - timedelta(seconds=1)):
        assert exim_notification_sweep() == []
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.CONGRESSIONAL_NOTIFICATION
    with mock.patch("django.utils.timezone.now", return_value=ends):
        assert exim_notification_sweep() == [deal.pk]
    deal.refresh_from_db()
    assert deal.stage == DealStage.FINAL_COMMITMENT
    assert deal.stage_entered_at == ends
    assert deal.proposal.status == ProposalStatus.APPROVED
    action, to_state, reason = deal_events(deal)[-1]
    assert (action, to_state) == ("authorize", "final_commitment")
    assert reason == (
        f"The 35-day congressional notification period ended on {timezone.localtime(ends).date()}."
    )
    with mock.patch("django.utils.timezone.now", return_value=ends + timedelta(days=1)):
        assert exim_notification_sweep() == []


def test_notification_period_follows_edited_setting(make_deal, exim_officer, program):
    program.congressional_notification_days = 25
    program.save()
    deal = make_deal(stage=DealStage.BOARD, amount=CONGRESS)
    deal_transition(deal_id=deal.pk, action="notify_congress", actor=exim_officer, reason="Board approved.")
    deal.refresh_from_db()
    assert deal.notification_ends_at - deal.stage_entered_at == timedelta(days=25)


def test_ceiling_refuses_final_commitment_past_statutory_ceiling(make_deal, exim_officer, program):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    program.outstanding_exposure = program.statutory_ceiling - BOARD + CENT
    program.save()
    with pytest.raises(CommitmentRefused) as refused:
        deal_transition(deal_id=deal.pk, action="authorize", actor=exim_officer, reason="Ready.")
    assert refused.value.extra["reasons"] == [
        "Authorizing $10,000,000.00 would take EXIM's exposure to $135,000,000,000.01, past the statutory "
        "ceiling of $135,000,000,000.00 (headroom $9,999,999.99)."
    ]
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.CREDIT_COMMITTEE


def test_ceiling_counts_authorized_deals(make_deal, exim_officer, program):
    first = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    second = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    program.outstanding_exposure = program.statutory_ceiling - BOARD - BOARD + CENT
    program.save()
    deal_transition(deal_id=first.pk, action="authorize", actor=exim_officer, reason="Ready.")
    with pytest.raises(CommitmentRefused, match="past the statutory ceiling"):
        deal_transition(deal_id=second.pk, action="authorize", actor=exim_officer, reason="Ready.")


def test_ceiling_exactly_reached_is_allowed(make_deal, exim_officer, program):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    program.outstanding_exposure = program.statutory_ceiling - BOARD
    program.save()
    deal_transition(deal_id=deal.pk, action="authorize", actor=exim_officer, reason="Ready.")
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.FINAL_COMMITMENT


def test_blocking_terms_refuse_final_commitment(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    # The Country Limitation Schedule changes after submission; the recomputed terms refuse cover.
    Country.objects.filter(code="AE").update(exim_cover_long_term=False)
    deal_compute_terms(deal_id=deal.pk)
    with pytest.raises(CommitmentRefused) as refused:
        deal_transition(deal_id=deal.pk, action="authorize", actor=exim_officer, reason="Ready.")
    assert refused.value.extra["reasons"] == [
        "Terms: EXIM's Country Limitation Schedule shows no long-term cover for United Arab Emirates."
    ]


def test_decline_declines_the_proposal(make_deal, exim_officer):
    deal = make_deal()
    deal_transition(deal_id=deal.pk, action="decline", actor=exim_officer, reason="Credit risk too high.")
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.DECLINED, ProposalStatus.DECLINED)


def test_target_date_change_records_reason(make_deal, exim_officer):
    deal = make_deal()
    deal_set_target_date(
        deal_id=deal.pk,
        field="target_final_commitment_on",
        value=date(2026, 12, 15),
        actor=exim_officer,
        reason="Board meeting moved.",
    )
    event = AuditEvent.objects.filter(subject="deal").latest("pk")
    assert (event.action, event.reason, event.data["before"], event.data["after"]) == (
        "target_date_changed",
        "Board meeting moved.",
        None,
        "2026-12-15",
    )
    assert Deal.objects.get(pk=deal.pk).target_final_commitment_on == date(2026, 12, 15)


def test_target_date_change_without_reason_saves_nothing(make_deal, exim_officer):
    deal = make_deal()
    with pytest.raises(InvalidInput):
        deal_set_target_date(
            deal_id=deal.pk, field="target_closing_on", value=date(2027, 1, 1), actor=exim_officer, reason=""
        )
    assert Deal.objects.get(pk=deal.pk).target_closing_on is None


def test_proposal_cannot_be_approved_around_the_deal(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=BOARD)
    with pytest.raises(TransitionNotAllowed):
        proposal_transition(
            proposal_id=deal.proposal_id, action="approve", actor=exim_officer, reason="Shortcut."
        )


def test_withdrawn_proposal_withdraws_pending_deal(make_deal, lead):
    deal = make_deal()
    proposal_transition(
        proposal_id=deal.proposal_id, action="withdraw", actor=lead, reason="Buyer cancelled."
    )
    assert exim_follow_proposal(proposal_id=deal.proposal_id) == deal.pk
    assert exim_follow_proposal(proposal_id=deal.proposal_id) is None
    deal.refresh_from_db()
    assert deal.stage == DealStage.WITHDRAWN
    assert deal_events(deal)[-1] == ("withdraw", "withdrawn", "The proposal was withdrawn: Buyer cancelled.")


def test_commerce_decline_declines_pending_deal(make_deal, commerce_reviewer):
    deal = make_deal()
    proposal_transition(
        proposal_id=deal.proposal_id, action="decline", actor=commerce_reviewer, reason="License denied."
    )
    exim_follow_proposal(proposal_id=deal.proposal_id)
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.DECLINED


def test_owed_work_missing_deal_and_stale_terms(make_deal, complete_proposal, lead, settings):
    from proposals.exim.selectors import owed_deal_opening, owed_terms

    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 60
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    intake_check(proposal_id=complete_proposal.pk)  # in review; its exim_start_review message "lost"
    stale = make_deal(compute=False)
    fresh = make_deal()
    later = timezone.now() + timedelta(minutes=5)
    assert list(owed_deal_opening(older_than=later).values_list("pk", flat=True)) == [complete_proposal.pk]
    assert list(owed_terms(older_than=later).values_list("pk", flat=True)) == [stale.pk]
    assert fresh.terms_revision == 1
    now = timezone.now() - timedelta(seconds=60)
    assert not owed_deal_opening(older_than=now).exists()  # nothing has waited long enough yet
    assert not owed_terms(older_than=now).exists()
