"""The embedded broker's wait between polls (exportai.broker.WakeOnAckMixin): a worker whose pool is
full waits only until a task is acknowledged, not the whole polling interval."""

from types import SimpleNamespace

import pytest

from exportai import broker


class _Qos:
    def __init__(self, *, prefetch_count: int, free_after: int | None) -> None:
        self.prefetch_count = prefetch_count
        self.checks = 0
        self.free_after = free_after

    def can_consume(self) -> bool:
        self.checks += 1
        return self.free_after is not None and self.checks > self.free_after


class _Transport(broker.WakeOnAckMixin):
    polling_interval = 0.05

    def __init__(self, *channels: SimpleNamespace) -> None:
        self.channels = list(channels)


def _channel(*, prefetch_count: int, free_after: int | None, consumers: bool = True) -> SimpleNamespace:
    return SimpleNamespace(
        _consumers={"tag"} if consumers else set(),
        qos=_Qos(prefetch_count=prefetch_count, free_after=free_after),
    )


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    slept: list[float] = []
    clock = iter(range(10_000))
    monkeypatch.setattr(broker, "sleep", slept.append)
    monkeypatch.setattr(broker, "monotonic", lambda: next(clock) * broker.BUSY_INTERVAL)
    return slept


def test_wake_on_ack_when_prefetch_full_waits_until_a_task_is_acknowledged(sleeps):
    tasks = _channel(prefetch_count=2, free_after=3)  # full for the first check, freed on the fourth
    control = _channel(prefetch_count=0, free_after=None)  # pidbox: no prefetch limit
    _Transport(tasks, control)._wait(0.05)
    assert sleeps == [broker.BUSY_INTERVAL] * 2


def test_wake_on_ack_when_nothing_is_running_sleeps_the_polling_interval(sleeps):
    idle = _channel(prefetch_count=2, free_after=0)
    _Transport(idle, _channel(prefetch_count=0, free_after=None))._wait(0.05)
    assert sleeps == [0.05]


def test_wake_on_ack_when_still_busy_waits_no_longer_than_the_polling_interval(sleeps):
    busy = _channel(prefetch_count=1, free_after=None)
    _Transport(busy)._wait(0.05)
    assert set(sleeps) == {broker.BUSY_INTERVAL}
    assert 0.05 - broker.BUSY_INTERVAL <= sum(sleeps) <= 0.05


def test_embedded_publish_when_a_consumer_polls_mid_write_shows_no_message(tmp_path, monkeypatch):
    """A consumer polling while a message is written must not see it (it would take an empty file)."""
    from pathlib import Path

    from kombu import Connection

    url = "filesystem://"
    options = broker.broker_transport_options(url, folder=tmp_path)
    seen_mid_write: list[int] = []
    write_bytes = Path.write_bytes
    with Connection(url, transport=broker.broker_transport(url), transport_options=options) as conn:
        channel = conn.default_channel

        def observed(path: Path, data: bytes) -> int:
            seen_mid_write.append(channel._size("intake"))
            return write_bytes(path, data)

        monkeypatch.setattr(Path, "write_bytes", observed)
        channel._put("intake", {"body": "x"})
        assert seen_mid_write == [0]
        assert channel._size("intake") == 1
        assert channel._get("intake") == {"body": "x"}
