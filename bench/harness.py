"""Measuring helpers for `make bench`: timed requests, query counts, and the one table printed at the end.

Figures only: nothing here fails on time. Portal and baseline requests are interleaved so that load
from other processes on the machine falls on both sides alike.
"""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

REPEAT = int(os.environ.get("EXPORTAI_BENCH_REPEAT", "10"))
WARMUP = 2
# Wall-clock budget per measured pair: a page that takes seconds gets fewer samples, not a stalled bench.
BUDGET_SECONDS = float(os.environ.get("EXPORTAI_BENCH_BUDGET_SECONDS", "20"))


@dataclass
class Row:
    section: str
    measure: str
    figure: str
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    met: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, section: str, measure: str, figure: str, **kw: str) -> None:
        self.rows.append(Row(section, measure, figure, **kw))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def table(self) -> str:
        head = Row("Section", "Measure", "Figure", "Baseline", "Ratio", "Goal", "Met")
        rows = [head, *self.rows]
        cols = list(vars(head))
        widths = {c: max(len(getattr(r, c)) for r in rows) for c in cols}

        def line(r: Row) -> str:
            return "| " + " | ".join(getattr(r, c).ljust(widths[c]) for c in cols) + " |"

        out = [line(head), "|" + "|".join("-" * (widths[c] + 2) for c in cols) + "|"]
        out += [line(r) for r in self.rows]
        out += [f"- {n}" for n in self.notes]
        return "\n".join(out)


RESULTS = Results()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Timing:
    median: float
    p95: float
    status: int
    size: int
    samples: int


def _get(client: Client, url: str, params: dict[str, Any]) -> tuple[float, int, int]:
    start = time.perf_counter()
    response = client.get(url, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return time.perf_counter() - start, response.status_code, len(body)


def time_pair(
    client: Client,
    portal: tuple[str, dict[str, Any]],
    baseline: tuple[str, dict[str, Any]],
    repeat: int = REPEAT,
) -> tuple[Timing, Timing]:
    """Median and p95 of `repeat` GETs of the portal page and its baseline, interleaved."""
    samples: dict[str, list[float]] = {"p": [], "b": []}
    last: dict[str, tuple[int, int]] = {}
    deadline = time.monotonic() + BUDGET_SECONDS
    for i in range(WARMUP + repeat):
        over = time.monotonic() > deadline
        for key, (url, params) in (("p", portal), ("b", baseline)):
            took, status, size = _get(client, url, params)
            last[key] = (status, size)
            if i >= WARMUP or over:  # past the budget, even a warm-up request counts as the sample
                samples[key].append(took)
        if over:
            break

    def timing(key: str) -> Timing:
        return Timing(statistics.median(samples[key]), p95(samples[key]), *last[key], len(samples[key]))

    return timing("p"), timing("b")


def count_queries(client: Client, url: str, params: dict[str, Any]) -> tuple[int, int]:
    """Queries one GET runs (after a warm-up GET, so per-process caches do not count)."""
    _get(client, url, params)
    with CaptureQueriesContext(connection) as ctx:
        _, status, _ = _get(client, url, params)
    return len(ctx.captured_queries), status


def best_of(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float, Any]:
    """Median and minimum wall time of `fn()` over `repeat` runs, and its last result."""
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), result
