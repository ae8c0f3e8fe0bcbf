"""Seed the bench database with a program's worth of data by COPY: 100,000 proposals by default.

Size: EXPORTAI_BENCH_PROPOSALS (default 100000). Database: EXPORTAI_BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/exportai_bench); it is created and migrated when missing, and
recreated when its migration history no longer matches the code (the lead renumbers migrations).
The seed is in parts (core, reviews, deals), each recorded in a marker table with the size it was
built for, so a second run reuses what is there and only adds a part whose models appeared since.

Run alone: `DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python -m bench.scale_seed`.
"""

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from bench.bulk import copy_rows, next_id, reset_sequence

DEFAULT_PROPOSALS = 100_000
BIG_CONSORTIUM_SHARE = 0.05  # the bench lead's consortium: a deep list for a consortium user
BENCH_PASSWORD = "exportai-bench-2026"
MARKER = "bench_seed_marker"

LAYERS = ["chips", "servers", "storage", "cloud", "networking", "application"]
# (description, manufacturer, ECCN choices, unit value range, US-origin share range) per layer.
CATALOG: dict[str, list[tuple[str, str, tuple[str, ...], tuple[int, int], tuple[float, float]]]] = {
    "chips": [
        (
            "Data-center AI accelerator, 141 GB HBM3e",
            "Northstar Silicon Inc.",
            ("3A090.a",),
            (20_000, 40_000),
            (0.8, 1),
        ),
        (
            "Inference accelerator card",
            "Atlas Compute Systems Inc.",
            ("3A090.b", "3A001.z"),
            (5_000, 15_000),
            (0.6, 1),
        ),
    ],
    "servers": [
        (
            "8-accelerator AI server, liquid cooled",
            "Atlas Compute Systems Inc.",
            ("4A090.a",),
            (150_000, 350_000),
            (0.6, 0.95),
        ),
        (
            "General-purpose compute node",
            "Keystone Systems Corp.",
            ("5A992.c", "EAR99"),
            (8_000, 30_000),
            (0.5, 0.9),
        ),
    ],
    "storage": [
        (
            "All-flash parallel storage, 10 PB usable",
            "Beacon Cloud LLC",
            ("5A992.c",),
            (500_000, 2_000_000),
            (0.5, 0.9),
        ),
        (
            "Object storage expansion shelf",
            "Granite Data Inc.",
            ("EAR99", "5A992.c"),
            (40_000, 120_000),
            (0.4, 0.9),
        ),
    ],
    "cloud": [
        (
            "Sovereign cloud control plane, 5-year subscription",
            "Beacon Cloud LLC",
            ("5D992.c",),
            (2_000_000, 15_000_000),
            (1, 1),
        ),
        (
            "Managed Kubernetes and MLOps service",
            "Summit Cloud Services LLC",
            ("5D992.c", "EAR99"),
            (300_000, 3_000_000),
            (1, 1),
        ),
    ],
    "networking": [
        (
            "800G switch fabric",
            "Cobalt Networks Corp.",
            ("5A992.c", "5A002.z"),
            (50_000, 120_000),
            (0.6, 0.9),
        ),
        ("Optical transceiver set", "Lumen Photonics Inc.", ("5A991.b", "EAR99"), (500, 2_000), (0.4, 0.9)),
    ],
    "application": [
        (
            "Domain language model and deployment",
            "Delphi Models Inc.",
            ("EAR99",),
            (1_000_000, 9_000_000),
            (1, 1),
        ),
        (
            "Data labeling and pipeline services",
            "Harbor Data Works LLC",
            ("EAR99",),
            (200_000, 1_500_000),
            (1, 1),
        ),
        ("Clinical triage application", "Meridian Health AI Inc.", ("EAR99",), (300_000, 2_000_000), (1, 1)),
    ],
}
# Destinations weighted toward the Gulf and South/Southeast Asia, as the program's first calls were.
DESTINATIONS = [
    "AE",
    "SA",
    "QA",
    "KE",
    "IN",
    "ID",
    "VN",
    "BR",
    "MX",
    "NG",
    "EG",
    "PL",
    "JP",
    "KR",
    "DE",
    "GB",
]
CITIES = {
    "AE": "Abu Dhabi",
    "SA": "Riyadh",
    "QA": "Doha",
    "KE": "Nairobi",
    "IN": "Hyderabad",
    "ID": "Jakarta",
    "VN": "Hanoi",
    "BR": "Sao Paulo",
    "MX": "Queretaro",
    "NG": "Lagos",
    "EG": "Cairo",
    "PL": "Warsaw",
    "JP": "Osaka",
    "KR": "Seoul",
    "DE": "Frankfurt",
    "GB": "Manchester",
}
USE_CASES = ["healthcare", "education", "agriculture", "transportation", "software engineering", "finance"]
# (status, weight, revision numbers to choose from)
STATES = [
    ("draft", 22, (0,)),
    ("submitted", 3, (1, 2)),
    ("returned", 7, (1, 2)),
    ("in_review", 40, (1, 1, 2)),
    ("approved", 10, (1, 2)),
    ("declined", 8, (1,)),
    ("withdrawn", 10, (0, 1)),
]


@dataclass
class P:
    """What later parts need to know about a seeded proposal, kept in memory during one seed run."""

    id: int
    consortium: int
    status: str
    revision: int
    created: datetime
    updated: datetime
    countries: list[str]
    site_ids: list[int] = field(default_factory=list)
    amount: Decimal = Decimal("0")
    product: str = ""
    tenor: Decimal = Decimal("0")


def bench_size() -> int:
    return int(os.environ.get("EXPORTAI_BENCH_PROPOSALS", DEFAULT_PROPOSALS))


def _log(message: str) -> None:
    print(f"[bench seed] {message}", flush=True)


# --- The database itself -----------------------------------------------------------------------


# One bench at a time on this PostgreSQL server: worktrees share the bench database, and a second
# run would otherwise wipe or recreate it under the first one's measurements.
BENCH_LOCK_KEY = 0x45584149  # "EXAI"


def _admin_dsn() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    dsn = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "dbname": "postgres",
    }
    if db.get("PASSWORD"):
        dsn["password"] = db["PASSWORD"]
    return dsn


@contextmanager
def bench_lock() -> Iterator[None]:
    """Hold a server-wide advisory lock (on the maintenance database) for the whole bench session."""
    import psycopg

    with psycopg.connect(**_admin_dsn(), autocommit=True) as conn:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", [BENCH_LOCK_KEY]).fetchone()[0]
        if not got:
            _log("another bench run holds the bench database; waiting for it to finish")
            conn.execute("SELECT pg_advisory_lock(%s)", [BENCH_LOCK_KEY])
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [BENCH_LOCK_KEY])


def ensure_database() -> bool:
    """Create the bench database if missing; migrate it, recreating it when its history is stale.

    Returns whether a migration ran: one that rewrites a table (a stored generated column) leaves it
    without a visibility map, and the planner then sorts instead of reading an index until the next
    VACUUM, so the seed vacuums after it.
    """
    import psycopg
    from django.db.migrations.executor import MigrationExecutor

    admin_dsn = _admin_dsn()
    name = settings.DATABASES["default"]["NAME"]

    def admin(sql: str) -> None:
        with psycopg.connect(**admin_dsn, autocommit=True) as conn:
            conn.execute(sql)

    with psycopg.connect(**admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        _log(f"creating database {name}")
        admin(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    try:
        executor = MigrationExecutor(connection)
        migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception:  # an unreadable history: migrate below recreates the database
        migrated = True
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except Exception as exc:  # stale history after a renumbering: start from a clean database
        _log(f"migrate failed ({type(exc).__name__}: {exc}); recreating {name}")
        connection.close()
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{name}"')
        call_command("migrate", verbosity=0, interactive=False)
    from proposals.core.services.reference import reference_data_load

    data = Path(settings.BASE_DIR) / "data"
    reference_data_load(groups_csv=data / "country_groups.csv", countries_csv=data / "countries.csv")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (part text PRIMARY KEY, proposals integer NOT NULL, "
            "seconds double precision NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
        )
    return migrated


def markers() -> dict[str, tuple[int, float]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT part, proposals, seconds FROM {MARKER}")
        return {part: (n, s) for part, n, s in cursor.fetchall()}


def _mark(part: str, size: int, seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MARKER} (part, proposals, seconds) VALUES (%s, %s, %s) "
            "ON CONFLICT (part) DO UPDATE SET proposals = EXCLUDED.proposals, seconds = EXCLUDED.seconds, "
            "seeded_at = now()",
            [part, size, seconds],
        )


def _wipe() -> None:
    """Empty every proposals/accounts table except reference data, ready for a reseed."""
    keep = {
        "proposals_country",
        "proposals_countrygroup",
        "proposals_country_groups",
        "proposals_programsettings",
    }
    tables = [
        m._meta.db_table
        for app in ("proposals", "accounts", "authtoken")
        if app in {a.label for a in apps.get_app_configs()}
        for m in apps.get_app_config(app).get_models(include_auto_created=True)
        if m._meta.db_table not in keep and m._meta.managed
    ]
    tables += ["django_session", MARKER]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


# --- Part: core (consortia, users, proposals and everything in them) -----------------------------


@dataclass
class World:
    """The seeded proposals and who is who, read back for the later parts and the harness."""

    proposals: list[P]
    commerce_user: int
    exim_user: int
    now: datetime


def _when(rng: random.Random, now: datetime, days_back: int) -> datetime:
    return now - timedelta(seconds=rng.randrange(days_back * 86400))


def seed_core(size: int, rng: random.Random) -> World:
    from accounts.models import User
    from proposals.core.models.audit import AuditEvent
    from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember, ConsortiumUser
    from proposals.intake.models.proposal import Document, LineItem, Party, Proposal, Revision, Site

    now = timezone.now()
    n_consortia = max(10, size // 50)
    password = make_password(BENCH_PASSWORD)

    # Users: one lead per consortium, plus agency staff.
    uid0 = next_id(User)
    staff = [("bench.commerce", "commerce"), ("bench.exim", "exim"), ("bench.admin", "program")]
    users = [(f"bench.lead{c:05d}", "") for c in range(n_consortia)] + staff
    copy_rows(
        User,
        [
            "id",
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "agency",
            "organization",
            "is_staff",
            "is_superuser",
            "is_active",
            "date_joined",
        ],
        (
            (
                uid0 + i,
                name,
                password,
                "Bench",
                name.split(".")[1].title(),
                f"{name}@bench.test",
                agency,
                "",
                agency == "program",
                agency == "program",
                True,
                now,
            )
            for i, (name, agency) in enumerate(users)
        ),
    )
    reset_sequence(User)
    lead_of = {c: uid0 + c for c in range(n_consortia)}
    commerce_user, exim_user = uid0 + n_consortia, uid0 + n_consortia + 1

    cid0 = next_id(Consortium)
    copy_rows(
        Consortium,
        ["id", "name", "created_at"],
        ((cid0 + c, f"Bench Consortium {c:05d}", _when(rng, now, 720)) for c in range(n_consortia)),
    )
    reset_sequence(Consortium)
    copy_rows(
        ConsortiumUser,
        ["consortium_id", "user_id", "role"],
        ((cid0 + c, lead_of[c], "lead") for c in range(n_consortia)),
    )

    # Companies shared across consortia: a company may belong to several.
    n_companies = n_consortia * 2
    co0 = next_id(Company)
    countries = ["US"] * 8 + ["GB", "DE", "JP", "KR", "CA", "AE"]
    copy_rows(
        Company,
        [
            "id",
            "legal_name",
            "country_of_incorporation_id",
            "principal_place_of_business_id",
            "ultimate_parent",
            "ultimate_parent_country_id",
        ],
        (
            (co0 + i, f"Bench Company {i:06d} Inc.", (cc := rng.choice(countries)), cc, "", None)
            for i in range(n_companies)
        ),
    )
    reset_sequence(Company)

    def member_rows() -> Iterator[tuple[Any, ...]]:
        for c in range(n_consortia):
            picks = rng.sample(range(n_companies), rng.randint(2, 5))
            for j, company in enumerate(picks):
                layers = rng.sample(LAYERS, rng.randint(1, 3))
                yield (cid0 + c, co0 + company, "anchor" if j == 0 else "partner", Jsonb(layers))

    copy_rows(ConsortiumMember, ["consortium_id", "company_id", "role", "layers"], member_rows())

    # Proposals: the first consortium is the bench lead's and holds a deep list.
    state_pool = [(s, revs) for s, w, revs in STATES for _ in range(w)]
    from proposals.intake.services.calls import first_call_seed

    call_id = first_call_seed().pk
    pid0 = next_id(Proposal)
    plist: list[P] = []
    big = max(1, int(size * BIG_CONSORTIUM_SHARE))
    for i in range(size):
        c = 0 if i < big else rng.randrange(1, n_consortia)
        status, revs = rng.choice(state_pool)
        created = _when(rng, now, 540)
        updated = min(now, created + timedelta(seconds=rng.randrange(60 * 86400)))
        dests = rng.sample(DESTINATIONS, 1 if rng.random() < 0.8 else 2)
        plist.append(P(pid0 + i, cid0 + c, status, rng.choice(revs), created, updated, dests))
    # Shuffle creation order so the big consortium's rows are spread through the table, as in life.
    rng.shuffle(plist)
    for i, p in enumerate(plist):
        p.id = pid0 + i

    def proposal_rows() -> Iterator[tuple[Any, ...]]:
        for p in plist:
            country = p.countries[0]
            use = rng.choice(USE_CASES)
            amount = Decimal(rng.randrange(2_000, 400_000)) * 1000
            product = rng.choice(["direct_loan", "loan_guarantee", "export_credit_insurance"])
            tenor = Decimal(rng.choice([3, 5, 7, 8.5, 10, 12]))
            p.amount, p.product, p.tenor = amount, product, tenor
            changed = p.created + (p.updated - p.created) / 2
            yield (
                p.id,
                p.consortium,
                call_id,
                f"{CITIES[country]} {use} AI cluster {p.id}",
                f"A full-stack AI package for {use} in {CITIES[country]}: accelerators, servers, storage, "
                "networking, a managed cloud and domain models.",
                "",
                use.title(),
                "Encrypted model weights, US-operated SOC, tenant KYC, tier III physical access.",
                "Civil AI services; no military end use.",
                product,
                amount,
                Decimal("0"),
                tenor,
                rng.random() < 0.2,
                rng.random() < 0.1,
                Jsonb([]),
                p.status,
                changed,
                p.revision,
                lead_of[p.consortium - cid0],
                p.created,
                p.updated,
            )

    copy_rows(
        Proposal,
        [
            "id",
            "consortium_id",
            "call_id",
            "title",
            "summary",
            "target_blocs",
            "use_cases",
            "security_measures",
            "end_use",
            "exim_product",
            "financing_amount",
            "local_costs",
            "tenor_years",
            "dfc_support_requested",
            "ustda_support_requested",
            "confidential_sections",
            "status",
            "status_changed_at",
            "revision_number",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
        proposal_rows(),
    )
    reset_sequence(Proposal)
    _log(f"proposals: {len(plist)} in {n_consortia} consortia")

    copy_rows(
        Proposal.target_countries.through,
        ["proposal_id", "country_id"],
        ((p.id, code) for p in plist for code in p.countries),
    )

    sid = next_id(Site)
    site_rows = []
    for p in plist:
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            country = p.countries[k % len(p.countries)]
            p.site_ids.append(sid)
            site_rows.append(
                (
                    sid,
                    p.id,
                    f"{CITIES[country]} AI Campus {k + 1}",
                    country,
                    CITIES[country],
                    "Gulf Build Contracting",
                    "National AI Infrastructure Co.",
                    "Beacon Cloud LLC",
                )
            )
            sid += 1
    copy_rows(
        Site, ["id", "proposal_id", "name", "country_id", "city", "builder", "owner", "operator"], site_rows
    )
    reset_sequence(Site)
    del site_rows

    def item_rows() -> Iterator[tuple[Any, ...]]:
        choice, randint, random_ = rng.choice, rng.randint, rng.random
        for p in plist:
            n = randint(14, 26)
            for k in range(n):
                layer = LAYERS[k] if k < 6 else choice(LAYERS)
                desc, maker, eccns, (lo, hi), (us_lo, us_hi) = choice(CATALOG[layer])
                qty = randint(1, 512) if layer in ("chips", "servers", "networking") else randint(1, 4)
                unit = Decimal(randint(lo, hi))
                us = (unit * qty * Decimal(str(round(us_lo + (us_hi - us_lo) * random_(), 2)))).quantize(
                    Decimal("0.01")
                )
                yield (p.id, layer, desc, maker, "US", choice(eccns), qty, unit, us, choice(p.site_ids))

    t = time.monotonic()
    n_items = copy_rows(
        LineItem,
        [
            "proposal_id",
            "layer",
            "description",
            "manufacturer",
            "origin_country_id",
            "eccn",
            "quantity",
            "unit_value",
            "us_origin_value",
            "site_id",
        ],
        item_rows(),
    )
    _log(f"line items: {n_items} in {time.monotonic() - t:.1f} s")

    def party_rows() -> Iterator[tuple[Any, ...]]:
        for p in plist:
            country = p.countries[0]
            roles = ["purchaser", "ultimate_consignee", "end_user"]
            if rng.random() < 0.3:
                roles.append("intermediate_consignee")
            for role in roles:
                name = f"{CITIES[country]} {role.replace('_', ' ').title()} Co. {p.id}"
                yield (p.id, role, name, f"1 Government Road, {CITIES[country]}", country)

    copy_rows(Party, ["proposal_id", "role", "name", "address", "country_id"], party_rows())

    submitted = [p for p in plist if p.revision > 0]
    copy_rows(
        Document,
        [
            "proposal_id",
            "category",
            "file",
            "original_name",
            "extension",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_id",
            "uploaded_at",
        ],
        (
            (
                p.id,
                cat,
                f"bench/{p.id}/{cat}.pdf",
                f"{cat}.pdf",
                "pdf",
                "application/pdf",
                20480,
                f"{p.id:032x}{k:032x}",
                lead_of[p.consortium - cid0],
                p.created,
            )
            for p in submitted
            for k, cat in enumerate(("security_plan", "financial"))
        ),
    )
    copy_rows(
        Revision,
        ["proposal_id", "number", "snapshot", "created_by_id", "created_at"],
        (
            (
                p.id,
                n,
                Jsonb({"id": p.id, "title": f"proposal {p.id}", "bench": True}),
                lead_of[p.consortium - cid0],
                p.created + timedelta(days=n),
            )
            for p in submitted
            for n in range(1, p.revision + 1)
        ),
    )

    def audit_rows() -> Iterator[tuple[Any, ...]]:
        for p in plist:
            lead = lead_of[p.consortium - cid0]
            if p.revision == 0:
                if p.status == "withdrawn":
                    yield (
                        p.id,
                        "proposal",
                        "withdraw",
                        "draft",
                        "withdrawn",
                        lead,
                        "No longer pursued.",
                        0,
                        Jsonb({}),
                        p.updated,
                    )
                continue
            t0 = p.created + timedelta(days=1)
            yield (p.id, "proposal", "submit", "draft", "submitted", lead, "", 1, Jsonb({}), t0)
            if p.status == "submitted":
                continue
            yield (
                p.id,
                "proposal",
                "accept_for_review",
                "submitted",
                "in_review",
                None,
                "",
                p.revision,
                Jsonb({}),
                t0 + timedelta(hours=1),
            )
            final = {
                "returned": "request_information",
                "approved": "approve",
                "declined": "decline",
                "withdrawn": "withdraw",
            }.get(p.status)
            if final:
                yield (
                    p.id,
                    "proposal",
                    final,
                    "in_review",
                    p.status,
                    commerce_user,
                    "Recorded reason.",
                    p.revision,
                    Jsonb({}),
                    p.updated,
                )

    copy_rows(
        AuditEvent,
        [
            "proposal_id",
            "subject",
            "action",
            "from_state",
            "to_state",
            "actor_id",
            "reason",
            "revision",
            "data",
            "created_at",
        ],
        audit_rows(),
    )
    return World(plist, commerce_user, exim_user, now)


def load_world() -> World:
    """Read back what the later parts need when the core part is reused from an earlier run."""
    from accounts.models import User
    from proposals.intake.models.proposal import Proposal, Site

    now = timezone.now()
    by_id: dict[int, P] = {}
    rows = Proposal.objects.order_by("pk").values_list(
        "pk",
        "consortium_id",
        "status",
        "revision_number",
        "created_at",
        "updated_at",
        "financing_amount",
        "exim_product",
        "tenor_years",
    )
    for pk, c, status, rev, created, updated, amount, product, tenor in rows.iterator(chunk_size=20_000):
        by_id[pk] = P(
            pk, c, status, rev, created, updated, [], [], amount or Decimal("0"), product, tenor or 0
        )
    through = Proposal.target_countries.through
    for pid, code in through.objects.order_by("pk").values_list("proposal_id", "country_id").iterator(20_000):
        by_id[pid].countries.append(code)
    for sid, pid in Site.objects.order_by("pk").values_list("pk", "proposal_id").iterator(chunk_size=20_000):
        by_id[pid].site_ids.append(sid)
    commerce = User.objects.get(username="bench.commerce").pk
    exim = User.objects.get(username="bench.exim").pk
    return World(list(by_id.values()), commerce, exim, now)


# --- Part: reviews (Commerce track), when its models exist --------------------------------------


def _model(name: str) -> Any:
    try:
        return apps.get_model("proposals", name)
    except LookupError:
        return None


def seed_reviews(world: World, rng: random.Random) -> bool:
    review_model = _model("CommerceReview")
    gate_model = _model("LicenseGate")
    if review_model is None or gate_model is None:
        return False
    policy_model = _model("LicensingPolicyVersion")
    list_model, entry_model, hit_model = (
        _model("ScreeningListVersion"),
        _model("ScreeningEntry"),
        _model("ScreeningHit"),
    )
    rfi_model = _model("InformationRequest")
    policy = policy_model.objects.order_by("-number").first() or policy_model.objects.create(
        number=1, name="Bench rule set"
    )
    screening = list_model.objects.create(source="bench", sha256="0" * 64, entry_count=200)
    e0 = next_id(entry_model)
    copy_rows(
        entry_model,
        ["id", "list_version_id", "entry_key", "source", "name"],
        (
            (
                e0 + k,
                screening.pk,
                f"bench-{k}",
                "Entity List (EL) - Bureau of Industry and Security",
                f"Listed Entity {k}",
            )
            for k in range(200)
        ),
    )
    reset_sequence(entry_model)
    reviewed = [p for p in world.proposals if p.revision > 0 and p.status != "draft"]
    flags = ["on_track"] * 6 + ["near_deadline"] * 2 + ["overdue", "paused"]
    copy_rows(
        review_model,
        [
            "proposal_id",
            "reviewer_id",
            "assigned_at",
            "screened_at",
            "screening_list_version_id",
            "licenses_determined_at",
            "policy_version_id",
            "registered_at",
            "clock_days",
            "clock_paused",
            "clock_flag",
            "clock_next_mark",
            "clock_days_to_mark",
            "clock_checked_at",
        ],
        (
            (
                p.id,
                world.commerce_user if rng.random() < 0.5 else None,
                p.created,
                p.created,
                screening.pk,
                p.created,
                policy.pk,
                p.created,
                (days := rng.randrange(0, 120)),
                (flag := rng.choice(flags)) == "paused",
                flag,
                "resolution",
                90 - days,
                world.now,
            )
            for p in reviewed
        ),
    )
    gate_status = {
        "approved": ["approved", "approved_with_conditions"],
        "declined": ["denied"],
        "withdrawn": ["returned_without_action", "open"],
    }

    def gate_rows() -> Iterator[tuple[Any, ...]]:
        for p in reviewed:
            for eccn in ("3A090.a", "4A090.a")[: rng.randint(0, 2)]:
                for dest in p.countries:
                    status = rng.choice(gate_status.get(p.status, ["open", "open", "approved"]))
                    decided = status != "open"
                    yield (
                        p.id,
                        eccn,
                        dest,
                        Jsonb([]),
                        status,
                        "AI-CHIPS-D",
                        "Advanced ICs to D:1/D:4/D:5",
                        policy.pk,
                        "",
                        "Reviewed." if decided else "",
                        world.commerce_user if decided else None,
                        p.updated if decided else None,
                        p.created,
                        p.updated,
                    )

    n_gates = copy_rows(
        gate_model,
        [
            "proposal_id",
            "eccn",
            "destination_id",
            "line_item_ids",
            "status",
            "rule_code",
            "rule_description",
            "policy_version_id",
            "conditions",
            "reason",
            "decided_by_id",
            "decided_at",
            "opened_at",
            "updated_at",
        ],
        gate_rows(),
    )

    def hit_rows() -> Iterator[tuple[Any, ...]]:
        for p in reviewed:
            if rng.random() < 0.1:
                k = rng.randrange(200)
                yield (
                    p.id,
                    e0 + k,
                    screening.pk,
                    f"bench-{k}",
                    "party",
                    "End user",
                    f"Listed Entity {k} Co.",
                    f"Listed Entity {k}",
                    "Entity List (EL)",
                    Decimal("91.50"),
                    False,
                    rng.choice(["unresolved", "false_positive", "false_positive"]),
                    p.created,
                )

    n_hits = copy_rows(
        hit_model,
        [
            "proposal_id",
            "entry_id",
            "list_version_id",
            "entry_key",
            "subject_type",
            "subject_label",
            "screened_name",
            "matched_name",
            "source",
            "score",
            "exact",
            "status",
            "created_at",
        ],
        hit_rows(),
    )
    n_rfis = 0
    if rfi_model is not None:
        n_rfis = copy_rows(
            rfi_model,
            ["proposal_id", "question", "due_date", "asked_by_id", "asked_at", "asked_revision"],
            (
                (
                    p.id,
                    "Please confirm the ultimate consignee's ownership.",
                    (p.updated + timedelta(days=30)).date(),
                    world.commerce_user,
                    p.updated,
                    p.revision,
                )
                for p in world.proposals
                if p.status == "returned" and p.revision > 0
            ),
        )
    _log(f"reviews: {len(reviewed)} reviews, {n_gates} gates, {n_hits} hits, {n_rfis} RFIs")
    return True


# --- Part: deals (EXIM track), when its model exists --------------------------------------------


DEAL_STAGE_BY_STATUS = {
    "in_review": [
        "letter_of_interest",
        "application_received",
        "due_diligence",
        "preliminary_commitment",
        "credit_committee",
        "board",
        "congressional_notification",
    ],
    "approved": ["final_commitment", "documentation_closing", "disbursing", "repayment"],
    "declined": ["declined"],
    "withdrawn": ["withdrawn"],
    "returned": ["due_diligence", "application_received"],
}


def seed_deals(world: World, rng: random.Random) -> bool:
    deal_model = _model("Deal")
    if deal_model is None:
        return False
    valid = {value for value, _ in deal_model._meta.get_field("stage").choices}
    columns = {f.attname for f in deal_model._meta.concrete_fields}
    wanted = [
        "proposal_id",
        "stage",
        "stage_entered_at",
        "amount",
        "product",
        "tenor_years",
        "destination_id",
        "terms",
        "terms_revision",
        "terms_computed_at",
        "created_at",
        "updated_at",
    ]
    names = [c for c in wanted if c in columns]

    def rows() -> Iterator[tuple[Any, ...]]:
        for p in world.proposals:
            stages = [s for s in DEAL_STAGE_BY_STATUS.get(p.status, []) if s in valid]
            if not stages or p.revision == 0:
                continue
            long_term = p.amount > 10_000_000 or p.tenor > 7
            row = {
                "proposal_id": p.id,
                "stage": rng.choice(stages),
                "stage_entered_at": p.updated - timedelta(days=rng.randrange(0, 200)),
                "amount": p.amount,
                "product": p.product,
                "tenor_years": p.tenor,
                "destination_id": p.countries[0] if p.countries else None,
                "terms": Jsonb(
                    {
                        "term_class": "long" if long_term else "medium",
                        "financed_amount": str((p.amount * Decimal("0.85")).quantize(Decimal("1"))),
                        "findings": [],
                    }
                ),
                "terms_revision": p.revision,
                "terms_computed_at": p.updated,
                "created_at": p.created,
                "updated_at": p.updated,
            }
            yield tuple(row[c] for c in names)

    n = copy_rows(deal_model, names, rows())
    _log(f"deals: {n}")
    return True


def seed_search(world: World, rng: random.Random) -> bool:
    """Every proposal's search summary (proposals.search), written by the service's own rebuild: one
    INSERT .. SELECT over the seeded proposals, line items, sites, parties and members."""
    try:
        from proposals.search.services import search_rebuild
    except ImportError:
        return False
    _log(f"search summaries: {search_rebuild()}")
    return True


PARTS: list[tuple[str, Callable[[World, random.Random], bool]]] = [
    ("reviews", seed_reviews),
    ("deals", seed_deals),
    ("search", seed_search),
]


def seed(size: int | None = None) -> dict[str, Any]:
    """Seed (or reuse) the bench database; returns what was done and how long each part took."""
    from proposals.intake.services.tally import proposal_tally_rebuild

    size = size or bench_size()
    migrated = ensure_database()
    done = markers()
    report: dict[str, Any] = {"size": size, "parts": {}}
    world: World | None = None
    if done.get("core", (None,))[0] != size:
        if done:
            _log(f"size changed ({done.get('core', (0,))[0]} -> {size}): wiping and reseeding")
        _wipe()
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKER} (part text PRIMARY KEY, proposals integer NOT NULL, "
                "seconds double precision NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
            )
        done = {}
        t = time.monotonic()
        with transaction.atomic():
            _replica_mode()
            world = seed_core(size, random.Random(8))
            # The COPY ran with triggers off: recount per state in the marker's transaction, or a seed
            # stopped between the two would be reused with a tally of nothing (an empty queue).
            proposal_tally_rebuild()
            _mark("core", size, time.monotonic() - t)
        report["parts"]["core"] = ("seeded", time.monotonic() - t)
    else:
        report["parts"]["core"] = ("reused", done["core"][1])
    for part, fn in PARTS:
        if done.get(part, (None,))[0] == size:
            report["parts"][part] = ("reused", done[part][1])
            continue
        t = time.monotonic()
        with transaction.atomic():
            _replica_mode()
            world = world or load_world()
            if not fn(world, random.Random(hash(part) & 0xFFFF)):
                transaction.set_rollback(True)
                report["parts"][part] = ("no models yet", 0.0)
                continue
            _mark(part, size, time.monotonic() - t)
        report["parts"][part] = ("seeded", time.monotonic() - t)
    if migrated or any(state == "seeded" for state, _ in report["parts"].values()):
        t = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        report["parts"]["vacuum analyze"] = ("done", time.monotonic() - t)
    return report


def _replica_mode() -> None:
    # Skip per-row foreign-key triggers for this transaction: the seed writes consistent ids itself,
    # and two million deferred FK checks would cost more than the COPY.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    t = time.monotonic()
    with bench_lock():
        report = seed()
    for part, (state, seconds) in report["parts"].items():
        _log(f"{part}: {state} ({seconds:.1f} s)")
    _log(f"{report['size']} proposals ready in {time.monotonic() - t:.1f} s")


if __name__ == "__main__":
    main()
