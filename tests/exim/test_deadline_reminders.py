"""EXIM deadline reminders: target dates near or passed, stages past their benchmark, each once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.core.enums import DealStage, NotificationEvent
from proposals.core.models.reference import ProgramSettings
from proposals.exim.models import Deal
from proposals.exim.services import deal_deadline_reminders
from proposals.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _reminders(event: str) -> list[str]:
    return list(OutboxMessage.objects.filter(event=event).values_list("recipient", flat=True))


@pytest.fixture
def no_benchmarks(db):
    program = ProgramSettings.current()
    program.deal_stage_benchmark_days = {}
    program.save()


def test_reminder_target_date_within_the_window_reaches_each_officer_once(
    make_deal, exim_officer, no_benchmarks, settings
):
    settings.EXPORTAI_EXIM_REMINDER_DAYS = 7
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE)
    Deal.objects.filter(pk=deal.pk).update(
        target_final_commitment_on=timezone.localdate() + timedelta(days=5)
    )
    assert deal_deadline_reminders() == 1
    assert _reminders(NotificationEvent.DEADLINE_NEAR) == [exim_officer.email]
    assert deal_deadline_reminders() == 0  # every beat tick: stored once


def test_reminder_target_date_beyond_the_window_waits(make_deal, exim_officer, no_benchmarks, settings):
    settings.EXPORTAI_EXIM_REMINDER_DAYS = 7
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE)
    Deal.objects.filter(pk=deal.pk).update(
        target_final_commitment_on=timezone.localdate() + timedelta(days=8)
    )
    assert deal_deadline_reminders() == 0


def test_reminder_passed_target_date_is_overdue_and_a_moved_date_reminds_again(
    make_deal, exim_officer, no_benchmarks
):
    deal = make_deal(stage=DealStage.BOARD)
    Deal.objects.filter(pk=deal.pk).update(target_closing_on=timezone.localdate() - timedelta(days=1))
    assert deal_deadline_reminders() == 1
    assert _reminders(NotificationEvent.DEADLINE_OVERDUE) == [exim_officer.email]
    Deal.objects.filter(pk=deal.pk).update(target_closing_on=timezone.localdate() + timedelta(days=2))
    assert deal_deadline_reminders() == 1
    assert _reminders(NotificationEvent.DEADLINE_NEAR) == [exim_officer.email]


def test_reminder_target_date_that_no_longer_matters_is_not_sent(make_deal, exim_officer, no_benchmarks):
    authorized = make_deal(stage=DealStage.DOCUMENTATION_CLOSING)  # final commitment is behind it
    ended = make_deal(stage=DealStage.DECLINED)
    yesterday = timezone.localdate() - timedelta(days=1)
    Deal.objects.filter(pk=authorized.pk).update(target_final_commitment_on=yesterday)
    Deal.objects.filter(pk=ended.pk).update(target_final_commitment_on=yesterday, target_closing_on=yesterday)
    assert deal_deadline_reminders() == 0


def test_reminder_stage_past_its_benchmark_is_overdue(make_deal, exim_officer):
    program = ProgramSettings.current()
    program.deal_stage_benchmark_days = {"long": {"due_diligence": 30}, "medium": {"due_diligence": 30}}
    program.save()
    deal = make_deal(stage=DealStage.DUE_DILIGENCE)
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - timedelta(days=31))
    assert deal_deadline_reminders() == 1
    message = OutboxMessage.objects.get(event=NotificationEvent.DEADLINE_OVERDUE)
    assert "benchmark 30 days" in message.body
    assert deal_deadline_reminders() == 0


def test_reminder_goes_nowhere_without_officers(make_deal, no_benchmarks):
    deal = make_deal(stage=DealStage.BOARD)
    Deal.objects.filter(pk=deal.pk).update(target_closing_on=timezone.localdate())
    assert deal_deadline_reminders() == 0
