"""The benchmark's baseline: a Celery task that does nothing, loaded into workers with `-I bench.noop`."""

from celery import shared_task


@shared_task(name="bench.noop.intake_noop")
def intake_noop(*, proposal_id: int) -> None:
    """Same message shape as intake (a keyword id), no work: measures the broker and worker alone."""
    return None


@shared_task(name="bench.noop.intake_noop_mark")
def intake_noop_mark(*, path: str) -> None:
    """The last message of a batch: creates `path` once run, so a publisher sees that the queue was
    drained on a broker whose unacknowledged messages it cannot count (the embedded transports)."""
    from pathlib import Path

    Path(path).touch()
