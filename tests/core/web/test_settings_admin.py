"""The settings admin: one record, numbers written for people, refusals as field errors, every change
audited (a LogEntry naming who, the reason given, and each old and new value)."""

import json
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django_otp.plugins.otp_totp.models import TOTPDevice

from proposals.commerce.models import CommerceSettings
from proposals.core.models.reference import ProgramSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHARES = {
    "hardware_us_content_min",
    "cash_payment_min",
    "financed_share_max",
    "local_costs_max_category_i",
    "local_costs_max_category_ii",
    "transformational_content_min",
}


@pytest.fixture
def as_admin(client):
    admin = UserFactory(username="settings-admin", agency="program", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin, name="Admin authenticator", confirmed=True)
    client.force_login(admin)
    client.admin = admin
    return client


def url(record, action: str = "change") -> str:
    name = record._meta.model_name
    return f"/admin/proposals/{name}/{record.pk}/{action}/" if action else f"/admin/proposals/{name}/"


def form_data(record, **changes) -> dict[str, str]:
    """The change form as the admin page fills it in (shares as percentages), with `changes`."""
    data = {}
    for field in record._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(record, field.name)
        if field.name in SHARES:
            value = f"{(value * 100).normalize():f}"
        data[field.name] = json.dumps(value) if isinstance(value, dict) else str(value)
    # A field with a callable default carries its initial value in a hidden input, as the page does.
    data["initial-deal_stage_benchmark_days"] = data.get("deal_stage_benchmark_days", "")
    data.update({name: str(value) for name, value in changes.items()})
    return data


def test_settings_admin_list_redirects_to_the_one_record(as_admin):
    for model in (ProgramSettings, CommerceSettings):
        record = model.current()
        response = as_admin.get(url(record, action=""))
        assert (response.status_code, response["Location"]) == (302, url(record))
        assert model.objects.count() == 1


def test_settings_admin_list_refuses_staff_without_permission(client):
    staff = UserFactory(username="plain-staff", agency="program", is_staff=True)
    TOTPDevice.objects.create(user=staff, name="Staff authenticator", confirmed=True)
    client.force_login(staff)
    assert client.get("/admin/proposals/programsettings/").status_code == 403
    assert not ProgramSettings.objects.exists()


def test_settings_admin_has_no_add_and_no_delete(as_admin):
    program = ProgramSettings.current()
    assert as_admin.get("/admin/proposals/programsettings/add/").status_code == 403
    assert as_admin.post(url(program, "delete"), {"post": "yes"}).status_code == 403
    assert ProgramSettings.objects.count() == 1


def test_settings_admin_shows_percentages_and_dollars(as_admin):
    body = as_admin.get(url(ProgramSettings.current())).content.decode()
    assert 'name="cash_payment_min" value="15"' in body
    assert 'name="financed_share_max" value="85"' in body
    assert 'name="local_costs_max_category_ii" value="50"' in body  # not 5E+1
    assert "$135 billion" in body
    assert "$34.1 billion outstanding plus $0.00 committed by this program" in body
    assert "Reason for change" in body


def test_settings_admin_change_is_audited_with_who_and_why(as_admin):
    program = ProgramSettings.current()
    response = as_admin.post(
        url(program),
        form_data(program, cash_payment_min="20", financed_share_max="80", reason="EXIM policy note 2026-7"),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.cash_payment_min, program.financed_share_max) == (Decimal("0.2"), Decimal("0.8"))
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (as_admin.admin, CHANGE, str(program.pk))
    assert entry.get_change_message() == (
        "Reason: EXIM policy note 2026-7. Changed: Cash payment, at least: 15% -> 20%; "
        "Financed share, at most: 85% -> 80%."
    )


def test_settings_admin_change_requires_a_reason(as_admin):
    program = ProgramSettings.current()
    response = as_admin.post(url(program), form_data(program, cash_payment_min="10"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"reason": ["This field is required."]}
    assert ProgramSettings.current().cash_payment_min == Decimal("0.15")
    assert not LogEntry.objects.exists()


def test_settings_admin_refusal_is_a_field_error_and_changes_nothing(as_admin):
    program = ProgramSettings.current()
    response = as_admin.post(
        url(program),
        form_data(program, board_approval_threshold="5000000", financed_share_max="101", reason="Try"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "financed_share_max": ["Enter a percentage from 0% to 100% (you entered 101%)."],
        "board_approval_threshold": [
            "The board approval threshold ($5 million) must be at least the medium-term limit ($10 million)."
        ],
    }
    stored = ProgramSettings.current()
    assert (stored.board_approval_threshold, stored.financed_share_max) == (
        Decimal("10000000"),
        Decimal("0.85"),
    )
    assert not LogEntry.objects.exists()


def test_settings_admin_percentage_to_one_decimal(as_admin):
    program = ProgramSettings.current()
    response = as_admin.post(url(program), form_data(program, cash_payment_min="15.25", reason="Typo"))
    assert response.context["adminform"].form.errors == {
        "cash_payment_min": ["Enter the percentage to at most one decimal (such as 51 or 51.5)."]
    }


def test_commerce_settings_admin_refusal_and_audit(as_admin):
    settings = CommerceSettings.current()
    refused = as_admin.post(url(settings), form_data(settings, resolution_days="20", reason="Shorter"))
    assert refused.context["adminform"].form.errors == {
        "resolution_days": [
            "The final resolution (20 days) cannot come before the agencies' answer (30 days)."
        ]
    }
    saved = as_admin.post(url(settings), form_data(settings, resolution_days="120", reason="EO review"))
    assert saved.status_code == 302
    assert CommerceSettings.current().resolution_days == 120
    assert (
        LogEntry.objects.get().get_change_message()
        == "Reason: EO review. Changed: Resolution days: 90 -> 120."
    )
