"""Benchmark: the worst bill-of-materials files under the upload limit, parsed as the web process does.

For each hostile file (tests/security/hostile_files.py) and two good 5,000-row files for contrast:
the CPU seconds of the parsing thread (with the import's CPU budget on, as in production), the peak
resident memory it added (VmHWM, reset before each parse) and its peak Python allocations
(tracemalloc, in a second run), and how the import ended. Goal per file: < 2 s CPU, < 100 MB.
Prints figures; never fails on them.
"""

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.core.errors import InvalidInput
from proposals.core.models.reference import Country
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.bom_import import bom_parse
from proposals.intake.services.calls import first_call_seed
from tests.security import hostile_files as files

GOAL_CPU_SECONDS = 2.0
GOAL_PEAK_MB = 100.0
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    """Linux resets the process's peak RSS (VmHWM) to its current RSS on writing 5 to clear_refs."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _good_csv() -> bytes:
    return (files.HEADER_CSV + "chips,Accelerator,Chip Co,US,3A090,16,30000.00,0,\n" * 5000).encode()


def _parse(proposal: Proposal, name: str, content: bytes) -> str:
    try:
        return f"read {len(bom_parse(proposal=proposal, upload=SimpleUploadedFile(name, content)))} rows"
    except InvalidInput as exc:
        return "refused: " + exc.message[:70]


def _measure(proposal: Proposal, label: str, make: Callable[[], bytes]) -> tuple[str, ...]:
    content = make()
    name = label.split(":")[0]
    rss_ok = _reset_peak_rss()
    before = _status_kb("VmRSS")
    started = time.thread_time()
    outcome = _parse(proposal, name, content)
    cpu = time.thread_time() - started
    rss_mb = (_status_kb("VmHWM") - before) / 1024 if rss_ok else float("nan")
    tracemalloc.start()
    _parse(proposal, name, content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    met = cpu < GOAL_CPU_SECONDS and (rss_mb if rss_ok else peak / 2**20) < GOAL_PEAK_MB
    return (
        label,
        f"{len(content) / 2**20:.2f} MB",
        f"{cpu:.2f} s",
        f"{rss_mb:.1f} MB",
        f"{peak / 2**20:.1f} MB",
        "yes" if met else "NO",
        outcome,
    )


@pytest.mark.django_db
def test_bench_bom_import_worst_files():
    Country.objects.get_or_create(code="US", defaults={"name": "United States", "region": "North America"})
    proposal = Proposal.objects.create(
        consortium=Consortium.objects.create(name="Bench consortium"),
        call=first_call_seed(),
        title="Bench",
        revision_number=0,
    )
    cases: dict[str, Callable[[], bytes]] = {
        "bom.xlsx: 5,000 good rows (contrast)": lambda: files.template_xlsx(5000),
        "bom.csv: 5,000 good rows (contrast)": _good_csv,
        **files.WORST_FILES,
    }
    rows = [_measure(proposal, label, make) for label, make in cases.items()]
    head = ("File", "Size", "CPU", "Peak RSS added", "Peak Python", "Met", "Outcome")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(
        f"\nBill-of-materials import, web-process parse (CPU budget {settings.BOM_IMPORT_CPU_SECONDS:g} s; "
        f"goal < {GOAL_CPU_SECONDS:g} s CPU and < {GOAL_PEAK_MB:g} MB each)"
    )
    for row in [head, *rows]:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
