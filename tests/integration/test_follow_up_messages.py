"""The follow-ups a move sends after commit: one batch on the real broker, messages as Celery writes them."""

import json

from exportai.celery import app
from proposals.commerce.tasks import commerce_start_review
from proposals.core.engine import enqueue_on_commit


def _messages(queue: str) -> list[dict]:
    with app.connection_for_write() as conn:
        return [json.loads(raw) for raw in conn.default_channel.client.lrange(queue, 0, -1)]


def test_follow_ups_show_their_arguments_in_the_headers_as_celery_writes_them(broker):
    """The batch writes the arguments' printable form once for all its messages (Celery would for
    each): monitoring reads the same headers as for a message Celery sent on its own."""
    kwargs = {"proposal_id": 41}
    commerce_start_review.apply_async(kwargs=kwargs)  # Celery's own, for comparison
    enqueue_on_commit(  # outside a transaction: sent at once
        "proposals.commerce.tasks.commerce_start_review", "proposals.exim.tasks.exim_start_review", **kwargs
    )

    own, batched = _messages("commerce")[::-1]
    (exim,) = _messages("exim")
    shown = ("argsrepr", "kwargsrepr")
    assert [own["headers"][h] for h in shown] == ["()", repr(kwargs)]
    assert (
        [batched["headers"][h] for h in shown] == [exim["headers"][h] for h in shown] == ["()", repr(kwargs)]
    )
    assert exim["headers"]["task"] == "proposals.exim.tasks.exim_start_review"
