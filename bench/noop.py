"""The benchmark's baseline: a Celery task that does nothing, loaded into workers with `-I bench.noop`."""

from celery import shared_task


@shared_task(name="bench.noop.intake_noop")
def intake_noop(*, proposal_id: int) -> None:
    """Same message shape as intake (a keyword id), no work: measures the broker and worker alone."""
    return None
