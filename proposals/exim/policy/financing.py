"""EXIM financing rules: cash, financed amount, content, term class, products, tenor, cover, approvals.

Pure functions over plain values; the numbers come in a FinancingRules built from ProgramSettings.
`content_rule` decides how much of a contract EXIM can support (completeness and the terms both call
it); `compute_terms` puts the rules together into a deal's terms, each finding saying why.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from proposals.core.enums import (
    TRANSFORMATIONAL_SECTORS,
    DealStage,
    DocumentCategory,
    EximProduct,
    ExportSector,
    OecdCategory,
)

CENT = Decimal("0.01")


class TermClass(StrEnum):
    MEDIUM = "medium"
    LONG = "long"


# Which EXIM products each term class allows (DOMAIN.md: insurance or guarantee for medium-term;
# direct loan or guarantee for long-term).
PRODUCTS_BY_TERM: dict[TermClass, frozenset[str]] = {
    TermClass.MEDIUM: frozenset({EximProduct.EXPORT_CREDIT_INSURANCE, EximProduct.LOAN_GUARANTEE}),
    TermClass.LONG: frozenset({EximProduct.DIRECT_LOAN, EximProduct.LOAN_GUARANTEE}),
}


@dataclass(frozen=True)
class FinancingRules:
    cash_payment_min: Decimal = Decimal("0.15")
    financed_share_max: Decimal = Decimal("0.85")
    local_costs_max_category_i: Decimal = Decimal("0.40")
    local_costs_max_category_ii: Decimal = Decimal("0.50")
    transformational_content_min: Decimal = Decimal("0.51")
    medium_term_max_amount: Decimal = Decimal("10000000")
    medium_term_max_tenor_years: Decimal = Decimal("7")
    long_term_max_tenor_years: Decimal = Decimal("12")
    max_tenor_category_i_years: Decimal = Decimal("5")
    max_tenor_category_i_with_notice_years: Decimal = Decimal("8.5")
    max_tenor_category_ii_years: Decimal = Decimal("10")
    board_approval_threshold: Decimal = Decimal("10000000")
    congressional_threshold: Decimal = Decimal("100000000")
    congressional_notification_days: int = 35
    # The program's packages are full-stack AI exports, so the sector is the program's (ProgramSettings),
    # not something each consortium declares.
    package_sector: str = ExportSector.AI

    @property
    def transformational(self) -> bool:
        """AI, semiconductors and high-performance computing are EXIM's transformational sectors."""
        return self.package_sector in TRANSFORMATIONAL_SECTORS

    @classmethod
    def from_program(cls, program: object) -> "FinancingRules":
        """Build the rules from a ProgramSettings row (any object with the same attribute names)."""
        return cls(**{name: getattr(program, name) for name in cls.__dataclass_fields__})


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def us_content_share(*, contract_price: Decimal, us_content: Decimal) -> Decimal:
    """US content as a share of the contract, to 0.01% and rounded down, so that a share just under a
    threshold never reads as the threshold (the rules compare the exact amounts, never this figure)."""
    if contract_price <= 0:
        return Decimal("0")
    return (us_content / contract_price).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class ContentRuling:
    """What EXIM's content rule decides for one contract, and why."""

    contract_price: Decimal
    us_content: Decimal
    us_content_share: Decimal
    transformational: bool
    # At or above the transformational threshold in a transformational sector: 85% of the contract,
    # whatever the US content.
    full_support: bool
    eligible_financed: Decimal
    cash_payment: Decimal
    limited_by_us_content: bool
    jobs_plan_required: bool

    def explanation(self, rules: FinancingRules) -> str:
        share, minimum, top = (
            pct(self.us_content_share),
            pct(rules.transformational_content_min),
            pct(rules.financed_share_max),
        )
        if self.full_support:
            return (
                f"US content is {share} of the {usd(self.contract_price)} net contract price, at or above "
                f"the {minimum} threshold for a transformational-sector package: EXIM supports up to {top} "
                f"of the contract price, not capped at the US content: {usd(self.eligible_financed)}."
            )
        why = (
            f"US content is {share}, below the {minimum} threshold for a transformational-sector package, "
            "so the standard rule applies: "
            if self.transformational
            else f"US content is {share}; not a transformational-sector package, so the standard rule "
            "applies: "
        )
        limiter = "100% of the US content" if self.limited_by_us_content else f"{top} of the contract price"
        return (
            f"{why}EXIM supports the lesser of {top} of the contract price and 100% of the US content: "
            f"{usd(self.eligible_financed)} (limited by {limiter})."
        )


def content_rule(*, contract_price: Decimal, us_content: Decimal, rules: FinancingRules) -> ContentRuling:
    """EXIM's content rule: how much of the net contract price EXIM can support.

    Transformational sector (AI, semiconductors, HPC) with US content at or above the threshold (51%):
    up to the financed share (85%) of the contract price, not capped at the US content. Otherwise the
    standard rule: the lesser of the financed share and 100% of the US content; a transformational
    package below the threshold also needs a US jobs plan. The threshold is compared exactly (50.995%
    is below 51%).

    Worked examples: $80M, all US (DOMAIN.md) -> $68M financed, $12M cash; $50M AI package with 70% US
    content -> $42.5M financed, $7.5M cash; the same outside a transformational sector -> $35M.
    """
    share_cap = contract_price * rules.financed_share_max
    transformational = rules.transformational
    full_support = (
        transformational
        and contract_price > 0
        and us_content >= contract_price * rules.transformational_content_min
    )
    limited = not full_support and us_content < share_cap
    eligible = money(share_cap if full_support else min(share_cap, us_content))
    return ContentRuling(
        contract_price=money(contract_price),
        us_content=money(us_content),
        us_content_share=us_content_share(contract_price=contract_price, us_content=us_content),
        transformational=transformational,
        full_support=full_support,
        eligible_financed=eligible,
        cash_payment=money(contract_price - eligible),
        limited_by_us_content=limited,
        jobs_plan_required=transformational and contract_price > 0 and not full_support,
    )


def eligible_financed_amount(
    *, contract_price: Decimal, us_content: Decimal, rules: FinancingRules
) -> Decimal:
    """The most EXIM supports on the export contract, by `content_rule`."""
    return content_rule(contract_price=contract_price, us_content=us_content, rules=rules).eligible_financed


def minimum_cash_payment(*, contract_price: Decimal, rules: FinancingRules) -> Decimal:
    return money(contract_price * rules.cash_payment_min)


def local_costs_cap(*, contract_price: Decimal, category: str, rules: FinancingRules) -> Decimal:
    share = (
        rules.local_costs_max_category_i
        if category == OecdCategory.CATEGORY_I
        else rules.local_costs_max_category_ii
    )
    return money(contract_price * share)


def term_class(*, amount: Decimal, tenor_years: Decimal, rules: FinancingRules) -> TermClass:
    """Medium-term up to the amount limit and tenor limit; over either is long-term."""
    if amount > rules.medium_term_max_amount or tenor_years > rules.medium_term_max_tenor_years:
        return TermClass.LONG
    return TermClass.MEDIUM


def max_tenor_for_category(*, category: str, rules: FinancingRules) -> tuple[Decimal, Decimal]:
    """(standard maximum, maximum with notice) repayment years for an OECD category."""
    if category == OecdCategory.CATEGORY_I:
        return rules.max_tenor_category_i_years, rules.max_tenor_category_i_with_notice_years
    return rules.max_tenor_category_ii_years, rules.max_tenor_category_ii_years


class Status(StrEnum):
    """How a term finding stands: satisfied, needs attention (a condition), or refused as requested."""

    OK = "ok"
    ATTENTION = "attention"
    BLOCKING = "blocking"


@dataclass(frozen=True)
class TermFinding:
    code: str
    status: str
    message: str

    @property
    def is_blocking(self) -> bool:
        return self.status == Status.BLOCKING


@dataclass(frozen=True)
class Destination:
    """What the terms need of a destination country (the Country reference row, as plain data)."""

    code: str
    name: str
    oecd_category: str = OecdCategory.CATEGORY_II
    risk_class: int | None = None
    cover_medium_term: bool = True
    cover_long_term: bool = True


@dataclass(frozen=True)
class Terms:
    net_contract_price: Decimal
    us_content: Decimal
    us_content_share: Decimal
    transformational: bool
    cash_payment_min: Decimal
    cash_payment: Decimal
    eligible_financed: Decimal
    local_costs: Decimal
    local_costs_cap: Decimal
    local_costs_financed: Decimal
    financed_amount: Decimal
    amount_requested: Decimal
    product: str
    tenor_years: Decimal
    term_class: str
    products_allowed: tuple[str, ...]
    oecd_category: str
    max_tenor_years: Decimal
    max_tenor_with_notice_years: Decimal
    board_required: bool
    congress_required: bool
    findings: tuple[TermFinding, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> list[TermFinding]:
        return [f for f in self.findings if f.is_blocking]

    def as_json(self) -> dict[str, Any]:
        """JSON-safe form for storage on the deal: amounts as strings, exactly."""

        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return plain(asdict(self))


def pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.01')).normalize():f}%"


def usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def usd_words(amount: Decimal) -> str:
    """A dollar amount as people say it ($135 billion, $42.5 million) when that is exact, else usd()."""
    for size, word in (
        (Decimal(10) ** 12, "trillion"),
        (Decimal(10) ** 9, "billion"),
        (Decimal(10) ** 6, "million"),
    ):
        if abs(amount) >= size:
            scaled = amount / size
            if scaled == scaled.quantize(Decimal("0.001")):
                return f"${scaled.quantize(Decimal('0.001')).normalize():,f} {word}"
            break
    return usd(amount)


def contract_values(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """(net contract price, US content) from (line value, US-origin value) rows."""
    contract, us = Decimal("0"), Decimal("0")
    for value, us_value in lines:
        contract += value
        us += us_value
    return money(contract), money(us)


def strictest_category(categories: Iterable[str]) -> str:
    """With several destinations the strictest OECD category decides (Category I allows less)."""
    found = set(categories)
    return OecdCategory.CATEGORY_I if OecdCategory.CATEGORY_I in found else OecdCategory.CATEGORY_II


def content_findings(
    *, ruling: ContentRuling, document_categories: frozenset[str], rules: FinancingRules
) -> list[TermFinding]:
    """The content rule's standing; below the threshold a US jobs plan is required (blocking if absent)."""
    share, minimum = pct(ruling.us_content_share), pct(rules.transformational_content_min)
    if not ruling.transformational:
        return [
            TermFinding(
                "CONTENT_STANDARD",
                Status.OK,
                f"US content is {share}; not a transformational-sector package, so the standard content "
                "rule applies.",
            )
        ]
    if ruling.full_support:
        return [
            TermFinding(
                "CONTENT_FULL_SUPPORT",
                Status.OK,
                f"US content is {share}, at or above the {minimum} transformational-sector threshold: "
                f"full support, up to {pct(rules.financed_share_max)} of the net contract price.",
            )
        ]
    findings = [
        TermFinding(
            "CONTENT_BELOW_TRANSFORMATIONAL_MIN",
            Status.ATTENTION,
            f"US content is {share}, below the {minimum} transformational-sector threshold: the standard "
            "rule applies and a US jobs plan is required.",
        )
    ]
    if DocumentCategory.US_JOBS_PLAN in document_categories:
        findings.append(
            TermFinding("US_JOBS_PLAN_ATTACHED", Status.ATTENTION, "A US jobs plan is attached: review it.")
        )
    else:
        findings.append(
            TermFinding(
                "US_JOBS_PLAN_MISSING",
                Status.BLOCKING,
                f"US content is below {minimum}, so EXIM needs a US jobs plan; none is attached.",
            )
        )
    return findings


def board_required(*, amount: Decimal, rules: FinancingRules) -> bool:
    """Board approval is required above the threshold (strictly above)."""
    return amount > rules.board_approval_threshold


def congress_required(*, amount: Decimal, rules: FinancingRules) -> bool:
    """Congressional notification at the threshold or more."""
    return amount >= rules.congressional_threshold


def approval_route(*, amount: Decimal, rules: FinancingRules) -> tuple[str, ...]:
    """The approval stages after credit committee, ending at final commitment."""
    route: list[str] = []
    if board_required(amount=amount, rules=rules):
        route.append(DealStage.BOARD)
    if congress_required(amount=amount, rules=rules):
        route.append(DealStage.CONGRESSIONAL_NOTIFICATION)
    route.append(DealStage.FINAL_COMMITMENT)
    return tuple(route)


def next_approval_stage(*, stage: str, amount: Decimal, rules: FinancingRules) -> str | None:
    """Where the deal goes next from an approval stage (credit committee, board, notification)."""
    route = (DealStage.CREDIT_COMMITTEE, *approval_route(amount=amount, rules=rules))
    if stage not in route or stage == DealStage.FINAL_COMMITMENT:
        return None
    return route[route.index(stage) + 1]


def cover_available(*, destination: Destination, term: TermClass) -> bool:
    """EXIM Country Limitation Schedule: an "X" for the term means no cover."""
    return destination.cover_long_term if term == TermClass.LONG else destination.cover_medium_term


def compute_terms(
    *,
    lines: Iterable[tuple[Decimal, Decimal]],
    local_costs: Decimal,
    amount_requested: Decimal,
    product: str,
    tenor_years: Decimal,
    destinations: list[Destination],
    rules: FinancingRules,
    document_categories: frozenset[str] = frozenset(),
) -> Terms:
    """A deal's terms from the frozen proposal: every figure, and a finding for each rule saying why.

    `lines`: (line value, US-origin value) per line item; `document_categories`: those attached.
    """
    contract, us_content = contract_values(lines)
    ruling = content_rule(contract_price=contract, us_content=us_content, rules=rules)
    category = strictest_category(d.oecd_category for d in destinations)
    eligible = ruling.eligible_financed
    cap = local_costs_cap(contract_price=contract, category=category, rules=rules)
    local_financed = money(min(local_costs, cap))
    financed = money(eligible + local_financed)
    cash_min = minimum_cash_payment(contract_price=contract, rules=rules)
    term = term_class(amount=amount_requested, tenor_years=tenor_years, rules=rules)
    allowed = tuple(sorted(PRODUCTS_BY_TERM[term]))
    standard, with_notice = max_tenor_for_category(category=category, rules=rules)
    term_max = (
        rules.medium_term_max_tenor_years if term == TermClass.MEDIUM else rules.long_term_max_tenor_years
    )
    findings: list[TermFinding] = []

    findings.append(
        TermFinding(
            "CASH_PAYMENT",
            Status.OK,
            f"The buyer pays at least {pct(rules.cash_payment_min)} of the {usd(contract)} net contract "
            f"price in cash: {usd(cash_min)}; with EXIM supporting {usd(eligible)} of the contract, the "
            f"buyer's cash and other funding come to {usd(money(contract - eligible))}.",
        )
    )
    findings.append(TermFinding("ELIGIBLE_FINANCED", Status.OK, ruling.explanation(rules)))
    findings.extend(content_findings(ruling=ruling, document_categories=document_categories, rules=rules))
    if local_costs > cap:
        findings.append(
            TermFinding(
                "LOCAL_COSTS_ABOVE_CAP",
                Status.ATTENTION,
                f"Local costs of {usd(local_costs)} exceed the OECD Category {category} cap of "
                f"{usd(cap)}; only {usd(cap)} can be financed.",
            )
        )
    elif local_costs > 0:
        findings.append(
            TermFinding(
                "LOCAL_COSTS",
                Status.OK,
                f"Local costs of {usd(local_costs)} are within the OECD Category {category} cap of "
                f"{usd(cap)}.",
            )
        )
    if amount_requested > financed:
        findings.append(
            TermFinding(
                "AMOUNT_ABOVE_FINANCED_MAX",
                Status.BLOCKING,
                f"The {usd(amount_requested)} requested exceeds the {usd(financed)} EXIM can finance "
                "(eligible contract value plus eligible local costs).",
            )
        )
    else:
        findings.append(
            TermFinding(
                "AMOUNT_WITHIN_FINANCED_MAX",
                Status.OK,
                f"The {usd(amount_requested)} requested is within the {usd(financed)} EXIM can finance.",
            )
        )
    findings.append(
        TermFinding(
            "TERM_CLASS",
            Status.OK,
            f"{term.value.capitalize()}-term: "
            + (
                f"at most {usd(rules.medium_term_max_amount)} and {rules.medium_term_max_tenor_years} years."
                if term == TermClass.MEDIUM
                else f"over {usd(rules.medium_term_max_amount)} or over "
                f"{rules.medium_term_max_tenor_years} years."
            ),
        )
    )
    if product not in allowed:
        findings.append(
            TermFinding(
                "PRODUCT_NOT_FOR_TERM",
                Status.BLOCKING,
                f"A {term.value}-term deal cannot use {EximProduct(product).label.lower()}; it allows "
                f"{', '.join(EximProduct(p).label.lower() for p in allowed)}.",
            )
        )
    else:
        findings.append(
            TermFinding(
                "PRODUCT_FOR_TERM",
                Status.OK,
                f"{EximProduct(product).label} is available for {term.value}-term deals.",
            )
        )
    hard_max = min(term_max, with_notice)
    if tenor_years > hard_max:
        findings.append(
            TermFinding(
                "TENOR_ABOVE_MAXIMUM",
                Status.BLOCKING,
                f"A {tenor_years}-year tenor exceeds the {hard_max}-year maximum for a {term.value}-term "
                f"deal in an OECD Category {category} market.",
            )
        )
    elif tenor_years > standard:
        findings.append(
            TermFinding(
                "TENOR_NEEDS_NOTICE",
                Status.ATTENTION,
                f"A {tenor_years}-year tenor is over the {standard}-year standard for OECD Category "
                f"{category}: allowed up to {with_notice} years with prior notice to the OECD.",
            )
        )
    else:
        findings.append(
            TermFinding(
                "TENOR_WITHIN_MAXIMUM",
                Status.OK,
                f"A {tenor_years}-year tenor is within the {standard}-year maximum for OECD Category "
                f"{category}.",
            )
        )
    for destination in destinations:
        if cover_available(destination=destination, term=term):
            findings.append(
                TermFinding(
                    "COVER_AVAILABLE",
                    Status.OK,
                    f"EXIM's Country Limitation Schedule shows {term.value}-term cover for "
                    f"{destination.name}.",
                )
            )
        else:
            findings.append(
                TermFinding(
                    "COVER_NOT_AVAILABLE",
                    Status.BLOCKING,
                    f"EXIM's Country Limitation Schedule shows no {term.value}-term cover for "
                    f"{destination.name}.",
                )
            )
    route = approval_route(amount=amount_requested, rules=rules)
    labels = ", then ".join(DealStage(s).label.lower() for s in (DealStage.CREDIT_COMMITTEE, *route))
    findings.append(
        TermFinding(
            "APPROVAL_ROUTE",
            Status.OK,
            f"Approval route for {usd(amount_requested)}: {labels} (board above "
            f"{usd(rules.board_approval_threshold)}; Congress notified at "
            f"{usd(rules.congressional_threshold)} or more).",
        )
    )
    return Terms(
        net_contract_price=contract,
        us_content=us_content,
        us_content_share=ruling.us_content_share,
        transformational=ruling.transformational,
        cash_payment_min=cash_min,
        cash_payment=ruling.cash_payment,
        eligible_financed=eligible,
        local_costs=money(local_costs),
        local_costs_cap=cap,
        local_costs_financed=local_financed,
        financed_amount=financed,
        amount_requested=money(amount_requested),
        product=product,
        tenor_years=tenor_years,
        term_class=term.value,
        products_allowed=allowed,
        oecd_category=category,
        max_tenor_years=standard,
        max_tenor_with_notice_years=with_notice,
        board_required=board_required(amount=amount_requested, rules=rules),
        congress_required=congress_required(amount=amount_requested, rules=rules),
        findings=tuple(findings),
    )
