"""Screening list files in ITA's exact published format, made by the project for tests and benchmarks."""

import csv
import json
import random
from pathlib import Path
from typing import Any

from proposals.commerce.services.screening import CSL_COLUMNS

ENTITY_LIST = "Entity List (EL) - Bureau of Industry and Security"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"


def csl_row(
    _id: str, name: str, *, source: str = ENTITY_LIST, alt_names: str = "", type: str = "Entity", **extra: str
) -> dict[str, str]:
    row = dict.fromkeys(CSL_COLUMNS, "")
    row.update(
        {
            "_id": _id,
            "source": source,
            "type": type,
            "name": name,
            "alt_names": alt_names,
            "addresses": "1 Example Road, Example City, CN",
            "federal_register_notice": "89 FR 12345",
            "start_date": "2024-01-02",
            "license_requirement": "For all items subject to the EAR.",
            "license_policy": "Presumption of denial.",
            "source_list_url": "https://www.bis.gov/entity-list",
            **extra,
        }
    )
    return row


def write_csl_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSL_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_csl_json(path: Path, rows: list[dict[str, str]]) -> Path:
    """The JSON download's shape: {"results": [...]} with alt_names as a list."""
    results: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {k: v for k, v in row.items() if v}
        item["alt_names"] = [a.strip() for a in row["alt_names"].split(";") if a.strip()]
        item["addresses"] = [{"address": "1 Example Road", "city": "Example City", "country": "CN"}]
        results.append(item)
    path.write_text(json.dumps({"total": len(results), "results": results}), encoding="utf-8")
    return path


_WORDS = [
    "ADVANCED",
    "ALPHA",
    "APEX",
    "ARCTIC",
    "ATLAS",
    "AURORA",
    "BEIJING",
    "BLUE",
    "BRIGHT",
    "CAPITAL",
    "CENTRAL",
    "CHINA",
    "CITY",
    "CLOUD",
    "COASTAL",
    "CORE",
    "CRYSTAL",
    "DATA",
    "DELTA",
    "DIGITAL",
    "DRAGON",
    "EAGLE",
    "EAST",
    "ELECTRONIC",
    "ENERGY",
    "EURO",
    "FAR",
    "FIRST",
    "FUTURE",
    "GALAXY",
    "GLOBAL",
    "GOLDEN",
    "GRAND",
    "GREAT",
    "GREEN",
    "HARBOR",
    "HORIZON",
    "IMPERIAL",
    "INDUSTRIAL",
    "INFO",
    "INTERNATIONAL",
    "JADE",
    "KING",
    "LOGISTICS",
    "LOTUS",
    "MARINE",
    "MASTER",
    "METRO",
    "MICRO",
    "NATIONAL",
    "NEW",
    "NORTH",
    "NOVA",
    "OCEAN",
    "OMEGA",
    "ORIENT",
    "PACIFIC",
    "PEARL",
    "PHOENIX",
    "PIONEER",
    "PRECISION",
    "PRIME",
    "QUANTUM",
    "RED",
    "RIVER",
    "ROYAL",
    "SHANGHAI",
    "SHENZHEN",
    "SILK",
    "SILVER",
    "SKY",
    "SMART",
    "SOLAR",
    "SOUTH",
    "STAR",
    "STEEL",
    "SUMMIT",
    "SUN",
    "SUPREME",
    "SYSTEMS",
    "TECH",
    "TECHNOLOGY",
    "TIANJIN",
    "TITAN",
    "TRADE",
    "TRADING",
    "UNION",
    "UNITED",
    "UNIVERSAL",
    "VANGUARD",
    "VICTORY",
    "VISION",
    "WEST",
    "WORLD",
    "XIAN",
    "ZENITH",
]
_SUFFIXES = ("CO LTD", "LIMITED", "LLC", "CORPORATION", "GMBH", "INC", "JSC", "OOO", "")


def synthetic_name(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.randint(2, 4))
    # A made-up syllable keeps names distinct, as real list names mostly are.
    coined = "".join(rng.choice("BCDFGHJKLMNPRSTVZ") + rng.choice("AEIOU") for _ in range(rng.randint(2, 3)))
    words.insert(rng.randint(0, len(words)), coined)
    return " ".join([*words, rng.choice(_SUFFIXES)]).strip()


def synthetic_rows(count: int, *, seed: int = 2026) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        alts = "; ".join(synthetic_name(rng) for _ in range(rng.choice((0, 0, 1, 2))))
        source = SDN if n % 3 == 0 else ENTITY_LIST
        rows.append(csl_row(f"{n:08x}", synthetic_name(rng), source=source, alt_names=alts))
    return rows
