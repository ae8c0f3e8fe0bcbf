"""Run one call from many threads released together, each on its own database connection."""

import threading
from collections.abc import Callable

from django.db import connection


def race(call: Callable[[int], object], attempts: int) -> list[object]:
    """Each outcome: "ok", or the exception the attempt raised (asserted on by the caller)."""
    start = threading.Barrier(attempts)
    outcomes: list[object] = [None] * attempts

    def attempt(n: int) -> None:
        try:
            start.wait(timeout=60)
            call(n)
            outcomes[n] = "ok"
        except Exception as exc:  # recorded and asserted on by the caller
            outcomes[n] = exc
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
