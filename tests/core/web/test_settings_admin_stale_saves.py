"""The settings admin refuses a save from a page opened before another administrator's save, and
lists each differing field (yours beside the saved value); nothing is overwritten."""

from decimal import Decimal

import pytest

from proposals.core.models.reference import ProgramSettings
from tests.core.web.test_settings_admin import as_admin, form_data, url  # noqa: F401 (as_admin: fixture)

pytestmark = pytest.mark.django_db


def test_stale_settings_save_refused_with_the_differences_and_the_first_kept(as_admin):  # noqa: F811
    program = ProgramSettings.current()
    opened = {**form_data(program), "opened_version": "1"}  # both administrators open the page
    first = as_admin.post(url(program), {**opened, "cash_payment_min": "10", "reason": "Policy note 7"})
    assert first.status_code == 302

    second = as_admin.post(url(program), {**opened, "financed_share_max": "80", "reason": "Policy note 8"})
    assert second.status_code == 200
    assert second.context["adminform"].form.non_field_errors() == [
        "This program settings was changed by someone else after you opened it (it is now version 2). "
        "Nothing was saved.",
        "Cash payment, at least: yours 0.15, saved 0.1.",
        "Financed share, at most: yours 0.8, saved 0.85.",
    ]
    program.refresh_from_db()
    assert (program.cash_payment_min, program.financed_share_max, program.version) == (
        Decimal("0.10"),
        Decimal("0.85"),
        2,
    )


def test_stale_settings_check_passes_with_the_current_version(as_admin):  # noqa: F811
    program = ProgramSettings.current()
    page = as_admin.get(url(program)).content.decode()
    assert 'name="opened_version" value="1"' in page
    response = as_admin.post(
        url(program), form_data(program, cash_payment_min="10", reason="Policy note 7", opened_version="1")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    program.refresh_from_db()
    assert (program.cash_payment_min, program.version) == (Decimal("0.1"), 2)
