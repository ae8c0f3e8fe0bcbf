"""The completeness engine: every check a reviewer makes before a proposal can be taken up.

One place for the rules; the web checklist, the API and the submission service all call
`evaluate()`. Each finding has a stable code, a severity, the section and field it points at, and a
message that says how to fix it. Thresholds come in through `CompletenessRules`, never literals.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from proposals.commerce.policy.eccn import is_valid_eccn
from proposals.core.enums import (
    HARDWARE_LAYERS,
    REQUIRED_PARTY_ROLES,
    DocumentCategory,
    ExportSector,
    Layer,
    MemberRole,
    OecdCategory,
    PartyRole,
    Section,
    Severity,
)
from proposals.exim.policy import financing as fin
from proposals.intake.policy.calls import eligibility_share
from proposals.intake.policy.snapshot import Snapshot, dec


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    section: str
    field: str
    message: str

    @property
    def is_blocking(self) -> bool:
        return self.severity == Severity.BLOCKING

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "section": self.section,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class CompletenessRules:
    hardware_us_content_min: Decimal = Decimal("0.51")
    countries_of_concern: frozenset[str] = frozenset({"CN", "HK", "MO"})
    # Owners from countries of concern holding this share (%) or more, together, control the entity.
    control_share_min: Decimal = Decimal("50")
    oecd_category: dict[str, str] = field(default_factory=dict)
    # The program's defaults; a snapshot that names its call uses the call's (`rules_for_call`).
    required_documents: tuple[str, ...] = (DocumentCategory.SECURITY_PLAN, DocumentCategory.FINANCIAL)
    required_layers: tuple[str, ...] = tuple(Layer.values)
    financing: fin.FinancingRules = field(default_factory=fin.FinancingRules)


def rules_for_call(s: Snapshot, rules: CompletenessRules) -> CompletenessRules:
    """The rules as the proposal's call sets them: its required layers and documents replace the
    program's defaults; its eligibility only tightens the program's (excluded countries are added to the
    countries of concern; a minimum US hardware content counts when it is above the program's).

    A snapshot frozen before calls existed (no "call") is held to the program's defaults: every layer.
    A call that requires no layer at all cannot be saved; were one read, every layer is required.
    """
    call = s.get("call")
    if not call:
        return rules
    eligibility = call.get("eligibility") or {}
    minimum = eligibility_share(eligibility.get("min_hardware_us_content"))
    return replace(
        rules,
        required_layers=tuple(call.get("required_layers") or Layer.values),
        required_documents=tuple(call.get("required_document_categories") or ()),
        countries_of_concern=rules.countries_of_concern
        | frozenset(eligibility.get("excluded_countries") or ()),
        hardware_us_content_min=max(rules.hardware_us_content_min, minimum or Decimal("0")),
    )


def _blocking(code: str, section: str, field_: str, message: str) -> Finding:
    return Finding(code, Severity.BLOCKING, section, field_, message)


def _warning(code: str, section: str, field_: str, message: str) -> Finding:
    return Finding(code, Severity.WARNING, section, field_, message)


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def _overview(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    if not s["title"].strip():
        yield _blocking("TITLE_MISSING", Section.OVERVIEW, "title", "Give the proposal a title.")
    if not s["summary"].strip():
        yield _blocking(
            "SUMMARY_MISSING", Section.OVERVIEW, "summary", "Describe the package in the summary."
        )
    if not s["target_countries"]:
        yield _blocking(
            "TARGET_COUNTRY_MISSING",
            Section.OVERVIEW,
            "target_countries",
            "Choose at least one target country.",
        )
    if not s["security_measures"].strip():
        yield _blocking(
            "SECURITY_MEASURES_MISSING",
            Section.OVERVIEW,
            "security_measures",
            "Describe the security and cybersecurity measures for the models and systems.",
        )


def _consortium(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    anchors = [m for m in s["members"] if m["role"] == MemberRole.ANCHOR]
    if len(anchors) != 1:
        yield _blocking(
            "ANCHOR_MISSING",
            Section.CONSORTIUM,
            "members",
            "Name exactly one anchor member: the company that leads the consortium and submits.",
        )
    concern = rules.countries_of_concern
    for m in s["members"]:
        ties = [
            label
            for label, code in (
                ("incorporated in", m["country_of_incorporation"]),
                ("based in", m["principal_place_of_business"]),
                ("owned from", m["ultimate_parent_country"]),
            )
            if code in concern
        ]
        if ties:
            yield _blocking(
                "MEMBER_COUNTRY_OF_CONCERN",
                Section.CONSORTIUM,
                f"members.{m['id']}",
                f"{m['company']} is {' and '.join(ties)} a country of concern and is not eligible; "
                "remove it from the consortium.",
            )
        if (share := _concern_share(m.get("owners"), rules)) is not None:
            yield _blocking(
                "MEMBER_OWNED_FROM_CONCERN",
                Section.CONSORTIUM,
                f"members.{m['id']}",
                f"{m['company']} is {_pct(share / 100)} owned from countries of concern and is not "
                "eligible; remove it from the consortium.",
            )


def _concern_share(owners: list[dict] | None, rules: CompletenessRules) -> Decimal | None:
    """The share (%) owners from countries of concern hold together, if it reaches control_share_min.
    Revisions frozen before owners were recorded have none."""
    share = sum(
        (Decimal(str(o["percent"])) for o in owners or [] if o["country"] in rules.countries_of_concern),
        Decimal("0"),
    )
    return share if share and share >= rules.control_share_min else None


_SITE_ROLES = {"builder": "build", "owner": "own", "operator": "operate"}


def _sites(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    if not s["sites"]:
        yield _blocking(
            "DESTINATION_MISSING",
            Section.SITES,
            "sites",
            "Add at least one destination site (country and city).",
        )
    for site in s["sites"]:
        missing = [verb for role, verb in _SITE_ROLES.items() if not (site[role] or "").strip()]
        if missing:
            yield _blocking(
                "SITE_ROLE_MISSING",
                Section.SITES,
                f"sites.{site['id']}",
                f"Site {site['name']}: name who will {', '.join(missing)} it.",
            )


def _items(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    items = s["line_items"]
    present = {item["layer"] for item in items}
    for layer in Layer:
        if layer in rules.required_layers and layer not in present:
            yield _blocking(
                "LAYER_MISSING",
                Section.ITEMS,
                f"layer.{layer.value}",
                f"Add at least one line item to the “{layer.label}” part of the stack: the call requires it.",
            )
    hardware_total = Decimal("0")
    hardware_us = Decimal("0")
    for item in items:
        value = dec(item["unit_value"]) * item["quantity"]
        where = f"items.{item['id']}"
        label = item["description"] or f"item #{item['id']}"
        if not is_valid_eccn(item["eccn"]):
            yield _blocking(
                "ITEM_UNCLASSIFIED",
                Section.ITEMS,
                f"{where}.eccn",
                f"{label}: enter its ECCN (such as 3A090) or EAR99.",
            )
        if value <= 0:
            yield _blocking(
                "ITEM_UNVALUED",
                Section.ITEMS,
                f"{where}.unit_value",
                f"{label}: enter a quantity and a unit value above zero.",
            )
        if dec(item["us_origin_value"]) > value:
            yield _blocking(
                "ITEM_US_ORIGIN_EXCEEDS_VALUE",
                Section.ITEMS,
                f"{where}.us_origin_value",
                f"{label}: the US-origin value cannot be more than the line's value ({value:,.2f}).",
            )
        if not item["site"]:
            yield _blocking(
                "ITEM_SITE_MISSING",
                Section.ITEMS,
                f"{where}.site",
                f"{label}: choose the destination site it goes to.",
            )
        if item["layer"] == Layer.APPLICATION and item["origin_country"] in rules.countries_of_concern:
            yield _blocking(
                "MODEL_FROM_COUNTRY_OF_CONCERN",
                Section.ITEMS,
                f"{where}.origin_country",
                f"{label}: models and software from a country of concern are not eligible; replace it.",
            )
        if item["layer"] in HARDWARE_LAYERS:
            hardware_total += value
            hardware_us += dec(item["us_origin_value"])
    if hardware_total > 0 and hardware_us / hardware_total < rules.hardware_us_content_min:
        share = (hardware_us / hardware_total).quantize(Decimal("0.001"))
        yield _blocking(
            "HARDWARE_US_CONTENT_BELOW_51",
            Section.ITEMS,
            "items.us_origin_value",
            f"US-origin content of the hardware layers is {_pct(share)}; it must be at least "
            f"{_pct(rules.hardware_us_content_min)}. Source more hardware from US suppliers "
            "or correct the US-origin values.",
        )


def _party_ownership_ties(p: dict, rules: CompletenessRules) -> Iterator[Finding]:
    """A party headquartered in, or whose ultimate parent is in, a country of concern is not eligible,
    wherever it takes delivery. Revisions frozen before parties had these fields have no such keys."""
    concern = rules.countries_of_concern
    for key, tie in (("headquarters_country", "headquartered in"), ("ultimate_parent_country", "owned from")):
        if key == "headquarters_country" and p.get(key) == p["country"]:
            continue  # headquartered where it is located: the location's finding says it
        if p.get(key) in concern:
            yield _blocking(
                "PARTY_OWNERSHIP_OF_CONCERN",
                Section.PARTIES,
                f"parties.{p['id']}.{key}",
                f"{p['name']} is {tie} a country of concern; such parties are not eligible. "
                "Name another party.",
            )


def _parties(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    roles = {p["role"] for p in s["parties"]}
    for role in REQUIRED_PARTY_ROLES:
        if role not in roles:
            yield _blocking(
                "PARTY_MISSING",
                Section.PARTIES,
                f"parties.{role.value}",
                f"Name the {PartyRole(role).label.lower()}, with an address and country.",
            )
    for p in s["parties"]:
        if not p["country"]:
            yield _blocking(
                "PARTY_COUNTRY_MISSING",
                Section.PARTIES,
                f"parties.{p['id']}.country",
                f"{p['name']}: give the party's country.",
            )
        elif p["country"] in rules.countries_of_concern:
            yield _blocking(
                "PARTY_COUNTRY_OF_CONCERN",
                Section.PARTIES,
                f"parties.{p['id']}.country",
                f"{p['name']} is in a country of concern; such parties are not eligible.",
            )
        yield from _party_ownership_ties(p, rules)
        if (share := _concern_share(p.get("owners"), rules)) is not None:
            yield _blocking(
                "PARTY_OWNED_FROM_CONCERN",
                Section.PARTIES,
                f"parties.{p['id']}.owners",
                f"{p['name']} is {_pct(share / 100)} owned from countries of concern; such parties are "
                "not eligible. Name another party.",
            )
    if not s["end_use"].strip():
        yield _blocking(
            "END_USE_MISSING",
            Section.PARTIES,
            "end_use",
            "State the specific end use of the items.",
        )


def _content(s: Snapshot, rules: CompletenessRules) -> fin.ContentRuling:
    """EXIM's content rule on the whole package (the one the deal's terms apply)."""
    contract, us_content = fin.contract_values(
        (dec(i["unit_value"]) * i["quantity"], dec(i["us_origin_value"])) for i in s["line_items"]
    )
    return fin.content_rule(contract_price=contract, us_content=us_content, rules=rules.financing)


def _financing(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    f = s["financing"]
    r = rules.financing
    missing = [name for name in ("product", "amount", "tenor_years") if not f[name]]
    if missing:
        yield _blocking(
            "FINANCING_REQUEST_MISSING",
            Section.FINANCING,
            missing[0],
            "Complete the financing request: EXIM product, amount in USD and repayment tenor.",
        )
        return
    amount, tenor, local = dec(f["amount"]), dec(f["tenor_years"]), dec(f["local_costs"])
    ruling = _content(s, rules)
    contract, eligible = ruling.contract_price, ruling.eligible_financed
    categories = {rules.oecd_category.get(code, OecdCategory.CATEGORY_II) for code in s["target_countries"]}
    # With several destinations the strictest category decides (Category I allows less).
    category = OecdCategory.CATEGORY_I if OecdCategory.CATEGORY_I in categories else OecdCategory.CATEGORY_II
    local_cap = fin.local_costs_cap(contract_price=contract, category=category, rules=r)
    if local > local_cap:
        yield _blocking(
            "LOCAL_COSTS_ABOVE_CAP",
            Section.FINANCING,
            "local_costs",
            f"Local costs of {local:,.2f} exceed the {category} cap of {local_cap:,.2f}; reduce them.",
        )
    if amount > eligible + min(local, local_cap):
        yield _blocking(
            "FINANCING_ABOVE_ELIGIBLE",
            Section.FINANCING,
            "amount",
            f"The amount requested ({amount:,.2f}) exceeds what EXIM can support: {eligible:,.2f} of the "
            f"contract plus eligible local costs ({min(local, local_cap):,.2f}). {ruling.explanation(r)} "
            f"The buyer pays at least {_pct(r.cash_payment_min)} in cash.",
        )
    term = fin.term_class(amount=amount, tenor_years=tenor, rules=r)
    if f["product"] not in fin.PRODUCTS_BY_TERM[term]:
        allowed = ", ".join(sorted(fin.PRODUCTS_BY_TERM[term]))
        yield _blocking(
            "FINANCING_PRODUCT_NOT_FOR_TERM",
            Section.FINANCING,
            "product",
            f"A {term.value}-term request cannot use {f['product'].replace('_', ' ')}; choose one of: "
            f"{allowed.replace('_', ' ')}.",
        )
    term_max = r.medium_term_max_tenor_years if term == fin.TermClass.MEDIUM else r.long_term_max_tenor_years
    standard, with_notice = fin.max_tenor_for_category(category=category, rules=r)
    if tenor > min(term_max, with_notice):
        yield _blocking(
            "TENOR_ABOVE_MAXIMUM",
            Section.FINANCING,
            "tenor_years",
            f"A repayment tenor of {tenor} years exceeds the maximum of {min(term_max, with_notice)} years "
            f"for a {term.value}-term deal in an OECD {category} market.",
        )
    elif tenor > standard:
        yield _warning(
            "TENOR_NEEDS_NOTICE",
            Section.FINANCING,
            "tenor_years",
            f"A tenor over {standard} years in a Category {category} market needs prior notice to the OECD.",
        )


def _documents(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    have = {d["category"] for d in s["documents"]}
    for category in rules.required_documents:
        if category not in have:
            yield _blocking(
                "DOCUMENT_MISSING",
                Section.DOCUMENTS,
                f"documents.{category}",
                f"Attach the {DocumentCategory(category).label.lower()}.",
            )


def _us_jobs_plan(s: Snapshot, rules: CompletenessRules) -> Iterator[Finding]:
    """Below the transformational threshold the standard content rule applies and EXIM needs a US
    jobs plan (the same `content_rule` the deal's terms read)."""
    ruling = _content(s, rules)
    if not ruling.jobs_plan_required:
        return
    if DocumentCategory.US_JOBS_PLAN in {d["category"] for d in s["documents"]}:
        return
    yield _blocking(
        "US_JOBS_PLAN_MISSING",
        Section.DOCUMENTS,
        f"documents.{DocumentCategory.US_JOBS_PLAN}",
        f"US content is {fin.pct(ruling.us_content_share)} of the contract, below the "
        f"{_pct(rules.financing.transformational_content_min)} threshold for a transformational-sector "
        f"({ExportSector(rules.financing.package_sector).label.lower()}) package: EXIM will support at most "
        f"the US content ({ruling.eligible_financed:,.2f}) and needs a US jobs plan. "
        "Attach one (category: US jobs plan), or raise the US content.",
    )


CHECKS = (_overview, _consortium, _sites, _items, _parties, _financing, _documents, _us_jobs_plan)


def evaluate(snapshot: Snapshot, *, rules: CompletenessRules) -> list[Finding]:
    """Every finding for a proposal snapshot, in the editor's section order."""
    rules = rules_for_call(snapshot, rules)
    return [finding for check in CHECKS for finding in check(snapshot, rules)]


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_blocking]
