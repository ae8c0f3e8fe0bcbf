"""A consortium lead imports a large bill of materials in Chromium: the intake worker reads it, the page
shows the progress bar, then the result; a file with a bad row ends on the result page listing it."""

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.models.proposal import Site
from tests.celery_worker import WorkerProcess, broker_purge, lock_waiters, row_locked
from tests.e2e.support import WORKER_TIMEOUT_MS, Journey, sign_in, wait_until
from tests.factories import ProposalFactory
from tests.security import hostile_files as files

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page: Page, journey: Journey, label: str) -> None:
    """At 390 x 844 the page fits its width (no horizontal scrolling), and passes axe there too."""
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label}: the page is {width} px wide at 390 px"
    journey.step(f"{label}, phone")
    page.set_viewport_size(desktop)


def test_lead_imports_a_large_file_and_sees_its_progress_then_the_result(
    page: Page, journey: Journey, consortium, lead, tmp_path
) -> None:
    draft = ProposalFactory(consortium=consortium, title="Kenya AI hub", created_by=lead)
    # Every row names this site: rows without one would each add a finding to the checklist beside
    # the page (thousands), which is not what this journey looks at.
    Site.objects.create(
        proposal=draft,
        name="Nairobi Campus",
        country_id="KE",
        city="Nairobi",
        builder="B",
        owner="O",
        operator="P",
    )
    good = tmp_path / "large-bill-of-materials.csv"
    good.write_bytes(files.good_csv(1000, site="Nairobi Campus"))
    bad = tmp_path / "bill-with-a-bad-row.csv"
    bad.write_bytes(files.good_csv(300, site="Nairobi Campus") + files.BAD_ROW_CSV)
    broker_purge()
    sign_in(page, journey, username="lead")

    page.goto(f"/proposals/{draft.pk}/items/import/")
    journey.step("import page")
    page.locator("input[type=file]").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Import of “large-bill-of-materials.csv”")).to_be_visible()
    expect(page.get_by_text("Waiting for its turn to be read…")).to_be_visible()
    journey.step("import waiting for the worker")
    no_sideways_scroll(page, journey, "import waiting for the worker")

    job = BomImportJob.objects.get(proposal=draft)
    # The worker (its own process, sharing the live server's upload folder) stops after reading the
    # file, at the draft's row, which this test holds: the page shows how far it got.
    worker = WorkerProcess(
        queues=("intake",), concurrency=1, env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)}, log_dir=tmp_path
    )
    try:
        with row_locked("proposals_proposal", draft.pk):
            worker.start(ready_timeout=120)

            def read() -> bool:
                if lock_waiters() < 1:  # once it waits for the draft, its progress no longer moves
                    return False
                job.refresh_from_db()
                return bool(job.rows_read)

            wait_until(read, message="the worker to read the file")
            progress = page.locator("progress#import-progress")
            expect(progress).to_have_attribute("value", str(job.rows_read), timeout=WORKER_TIMEOUT_MS)
            expect(page.get_by_text("Reading the file…")).to_be_visible()
            journey.step("import progress")
            no_sideways_scroll(page, journey, "import progress")

        # The poll sees the job finished and reloads the page: the result.
        expect(page.get_by_text("1,000 line items added from “large-bill-of-materials.csv”.")).to_be_visible(
            timeout=WORKER_TIMEOUT_MS
        )
        # Opened again as a person coming back to it would: the result stays (no polling once finished).
        page.goto(page.url)
        journey.step("import result")
        no_sideways_scroll(page, journey, "import result")

        page.get_by_role("link", name="Import a file").click()
        page.locator("input[type=file]").set_input_files(bad)
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible(
            timeout=WORKER_TIMEOUT_MS
        )
        page.goto(page.url)
        errors = page.get_by_role("table", name="Problems in the file")
        expect(errors.get_by_role("row", name="302 layer")).to_contain_text("“quantum” is not a layer")
        journey.step("import failed, its row errors")
        no_sideways_scroll(page, journey, "import failed, its row errors")
    finally:
        worker.stop()
        broker_purge()

    assert draft.line_items.count() == 1000
    journey.assert_accessible_and_error_free()
