"""Broker connection options, for the settings and for any process that publishes to the same broker.

The embedded brokers (`make run`, no server to install) keep every runtime file under one folder in
var/, never in the working tree. Redis is the production broker.
"""

import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic, sleep
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

# kombu's virtual transports (filesystem, SQLAlchemy) have no way to wake a consumer: a worker polls
# each of its queues, and sleeps this long when none had a message. It also sleeps while all its
# pool processes are busy, so with kombu's default of 1 s a worker of two processes runs about two
# tasks a second (WakeOnAckMixin below ends that second wait early). 50 ms keeps an idle worker's
# polling of its five queues and its control queue at about 0.5% of a core (measured: 0.09 s of CPU
# in 20 s idle).
EMBEDDED_POLLING_INTERVAL = 0.05


# While every pool process of a worker is busy there is nothing to fetch; the worker only waits for an
# acknowledgement, which another thread records in memory. Checking for it this often costs no I/O.
BUSY_INTERVAL = 0.002


class WakeOnAckMixin:
    """drain_events for kombu's virtual transports. After a poll found nothing, kombu sleeps the whole
    polling interval, even when it found nothing only because the worker's prefetch was full: a pool
    process that finished then waits for the rest of that sleep. Here such a wait ends as soon as a
    full channel can take a message again (an acknowledgement, recorded in memory by another thread)."""

    polling_interval: float
    busy_interval = BUSY_INTERVAL

    def _full_channels(self) -> list[Any]:
        return [
            ch
            for ch in self.channels  # type: ignore[attr-defined]
            if ch._consumers and ch.qos.prefetch_count and not ch.qos.can_consume()
        ]

    def _wait(self, seconds: float) -> None:
        full = self._full_channels()
        if not full:
            sleep(seconds)
            return
        until = monotonic() + seconds
        while monotonic() < until and not any(ch.qos.can_consume() for ch in full):
            sleep(self.busy_interval)

    def drain_events(self, connection: Any, timeout: float | None = None) -> None:
        started = monotonic()
        get = self.cycle.get  # type: ignore[attr-defined]
        while True:
            try:
                get(self._deliver, timeout=timeout)  # type: ignore[attr-defined]
            except Empty:
                if timeout is not None and monotonic() - started >= timeout:
                    raise TimeoutError() from None
                self._wait(min(self.polling_interval, timeout) if timeout else self.polling_interval)
            else:
                return


class FilesystemChannel(filesystem.Channel):
    """kombu's filesystem channel, publishing each message whole.

    kombu creates the message file under its final name and then writes it, so a consumer polling
    at that moment can take the empty file and lose the message. Here the message is written under a
    name no consumer looks for (`.part`) and renamed into the queue, which is atomic on one filesystem.
    """

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # The name kombu gives a message (its consumers sort on the leading milliseconds).
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = Path(self.data_folder_out) / name
        partial = final.with_name(name + ".part")
        try:
            partial.write_bytes(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ChannelError(f"Cannot add file {final!s} to directory") from exc


class FilesystemTransport(WakeOnAckMixin, filesystem.Transport):
    """kombu's filesystem transport, fetching as soon as a pool process is free, publishing whole."""

    Channel = FilesystemChannel


def embedded_broker_url(folder: Path) -> str:
    """The default embedded broker: kombu's filesystem transport in `folder` (docs/decisions/0005)."""
    return "filesystem://"


def broker_transport(url: str) -> str | None:
    """The transport class for `url` when it is not kombu's own (Celery's broker_transport)."""
    return "exportai.broker:FilesystemTransport" if url.startswith("filesystem") else None


def broker_transport_options(
    url: str,
    *,
    folder: Path,
    polling_interval: float = EMBEDDED_POLLING_INTERVAL,
    visibility_timeout: int = 3600,
    restore_interval: int = 30,
) -> dict[str, Any]:
    """kombu transport options for `url`; creates the embedded broker's folders when it needs them."""
    if url.startswith("filesystem"):
        for sub in ("queues", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queues"),
            "data_folder_out": str(folder / "queues"),
            # Exchange tables (which queue each routing key reaches); kombu's default is ./control.
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": polling_interval,
        }
    if url.startswith(("redis://", "rediss://")):
        return {
            # Redis has no real acknowledgement: a message a dead worker held comes back to its queue
            # once it has been unacknowledged this long. Keep it above the task time limit, or a slow
            # task would be delivered a second time while it still runs (harmless, tasks are idempotent).
            "visibility_timeout": visibility_timeout,
            # How often each worker looks for such messages; throttle 1 makes the interval the real
            # period (kombu's default scans only every 10th interval).
            "unacked_restore_interval": restore_interval,
            "unacked_restore_throttle": 1,
        }
    return {}
