"""Streamed CSV export of every proposal: time and peak memory, in a fresh process each."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import NoReverseMatch, reverse

from bench.harness import RESULTS

GOAL_MB = 200
ROOT = Path(__file__).resolve().parent.parent
# The portal's exports: (URL name, who downloads it, the baseline's rows: ?what= of bench-baseline-export).
PORTAL_EXPORTS = [
    ("proposals-csv", "bench.commerce", "proposals"),  # every submitted proposal, as agency staff see them
    ("exim-pipeline-csv", "bench.exim", "deals"),
]


def _probe(path: str, username: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    out = subprocess.run(
        [sys.executable, "-m", "bench.export_probe", path, username],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(label: str, probe: dict, base: dict | None = None) -> None:
    if probe["status"] != 200:
        RESULTS.add("Export", label, f"HTTP {probe['status']}")
        return
    figure = (
        f"{probe['rows']:,} rows, {probe['bytes'] / 1e6:.1f} MB in {probe['seconds']:.1f} s; "
        f"peak RSS {probe['peak_rss_mb']:.0f} MB (+{probe['peak_rss_mb'] - probe['rss_before_mb']:.0f})"
        + ("" if probe["streaming"] else " NOT STREAMED")
    )
    kw = {}
    if base:
        kw = {
            "baseline": f"{base['seconds']:.1f} s, peak RSS {base['peak_rss_mb']:.0f} MB",
            "ratio": f"{probe['seconds'] / base['seconds']:.2f} (time)",
        }
    RESULTS.add(
        "Export",
        label,
        figure,
        goal=f"peak < {GOAL_MB} MB",
        met="yes" if probe["peak_rss_mb"] < GOAL_MB and probe["streaming"] else "no",
        **kw,
    )


def bench_export_csv(bench_db: dict) -> None:
    for name, username, what in PORTAL_EXPORTS:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        base = _probe(f"{reverse('bench-baseline-export')}?what={what}", username)
        _row(f"Portal CSV export ({name}), all rows", _probe(path, username), base)
        _row(f"Baseline ({what}): one SQL query, server-side cursor, csv.writer", base)
