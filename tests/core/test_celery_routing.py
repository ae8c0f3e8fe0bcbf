"""Task routing: each task reaches exactly the queue its name prefix names, through its own exchange."""

import pytest

from exportai.celery import app


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("proposals.intake.tasks.intake_check_proposal", "intake"),
        ("proposals.intake.tasks.intake_sweep_owed_work", "intake"),
        ("proposals.commerce.tasks.commerce_start_review", "commerce"),
        ("proposals.exim.tasks.exim_start_review", "exim"),
        ("proposals.documents.tasks.document_render_anything", "documents"),
        ("proposals.notify.tasks.notify_send_anything", "notify"),
    ],
)
def test_task_routes_to_its_queue_by_name_prefix(task_name: str, queue: str) -> None:
    route = app.amqp.router.route({}, task_name)
    assert (route["queue"].name, route["queue"].exchange.name, route["queue"].routing_key) == (
        queue,
        queue,
        queue,
    )


def test_queues_do_not_share_a_routing_key() -> None:
    keys = [q.routing_key for q in app.conf.task_queues]
    assert len(keys) == len(set(keys)) == 5
