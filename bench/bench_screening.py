"""Benchmark: screen 1,000 names against a 30,000-entry Consolidated Screening List in the official format.

Prints the time to parse the CSV, build the index and match (exact + fuzzy), beside a baseline measured
in the same run: an exact dict lookup of the same normalized names. Never fails on time.
"""

import os
import random
import time

from proposals.commerce.policy.screening import ScreeningIndex, normalize_name
from proposals.commerce.services.screening import parse_screening_list
from tests.commerce.csl_fixture import synthetic_name, synthetic_rows, write_csl_csv

ENTRIES = 30_000
NAMES = 1_000
THRESHOLD = 88


def _typo(name: str) -> str:
    """One letter of the name replaced, as a clerk's slip would."""
    position = next(i for i in range(len(name) // 2, len(name)) if name[i].isalpha())
    return name[:position] + ("X" if name[position] != "X" else "Y") + name[position + 1 :]


def _queries(rows: list[dict[str, str]]) -> list[str]:
    """Mostly names not on the list, as in real screening, plus listed names in other spellings and typos."""
    rng = random.Random(99)
    listed = rng.sample(rows, 100)
    respelled = [f"{r['name'].title()}, Ltd." for r in listed[:50]]
    typos = [_typo(r["name"]) for r in listed[50:]]
    return [*respelled, *typos, *(synthetic_name(rng) for _ in range(NAMES - 100))]


def test_bench_screening(tmp_path):
    path = write_csl_csv(tmp_path / "consolidated.csv", synthetic_rows(ENTRIES))
    queries = _queries(synthetic_rows(ENTRIES))

    t0, c0 = time.perf_counter(), time.process_time()
    rows = parse_screening_list(path.read_bytes())
    t1, c1 = time.perf_counter(), time.process_time()
    names = [[r["name"], *[a.strip() for a in r["alt_names"].split(";") if a.strip()]] for r in rows]
    index = ScreeningIndex(names)
    t2, c2 = time.perf_counter(), time.process_time()
    matches = index.match_many(queries, threshold=THRESHOLD)
    t3, c3 = time.perf_counter(), time.process_time()

    # Baseline: exact lookup only, same normalization, same names.
    b0, d0 = time.perf_counter(), time.process_time()
    exact: dict[str, list[int]] = {}
    for position, entry_names in enumerate(names):
        for name in entry_names:
            exact.setdefault(normalize_name(name), []).append(position)
    baseline_hits = sum(len(exact.get(normalize_name(q), ())) for q in queries)
    b1, d1 = time.perf_counter(), time.process_time()

    screened = t3 - t1
    baseline = b1 - b0
    print()
    # The machine is shared: CPU time says what the work costs when wall time includes waiting for a core.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; CPU seconds in brackets")
    print(
        f"screening list: {len(rows):,} entries, {len(index):,} names incl. aliases, "
        f"{path.stat().st_size / 1e6:.1f} MB CSV"
    )
    print(f"parse CSV                          {t1 - t0:7.3f} s ({c1 - c0:.3f})")
    print(f"build index (once per list version) {t2 - t1:7.3f} s ({c2 - c1:.3f})")
    print(
        f"match {len(queries):,} names, exact + fuzzy     {t3 - t2:7.3f} s ({c3 - c2:.3f})"
        f" -> {len(matches)} hits"
    )
    print(f"screen total (index + match)       {screened:7.3f} s ({c3 - c1:.3f})  goal < 2 s")
    print(f"baseline: exact dict build+lookup  {baseline:7.3f} s ({d1 - d0:.3f}) -> {baseline_hits} hits")
    print(f"ratio screen / baseline            {screened / baseline:7.2f}x")
    assert len(matches) >= 100  # every listed name, respelled or mistyped, is found
