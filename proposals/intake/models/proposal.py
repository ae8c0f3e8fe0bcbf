"""The proposal aggregate: the package by layer, its sites, parties, documents and frozen revisions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models.query import ModelIterable
from django.urls import reverse

from proposals.core.enums import (
    EDITABLE_STATUSES,
    DocumentCategory,
    EximProduct,
    Layer,
    PartyRole,
    ProposalStatus,
)
from proposals.core.models.text import multiline_text, one_line_text
from proposals.core.models.versioned import Versioned
from proposals.core.policy.text import LINE_MAX_CHARS, NAME_MAX_CHARS, SECTION_MAX_CHARS
from proposals.intake.policy.amounts import line_item_amount_errors

MONEY = {"max_digits": 18, "decimal_places": 2}


class ProposalQuerySet(models.QuerySet):
    """Proposals, optionally with per-row reads set on each fetched row: `item_count` (number of line
    items) and `target_country_codes` (codes, in country-name order).

    Each is read for the fetched rows only, after LIMIT/OFFSET: a SQL annotation (join or correlated
    subquery) is computed for every row a page skips, which made deep pages of a 100,000-proposal
    list cost seconds (bench/, issue 8). By default each costs one extra query for the fetched rows;
    a page whose keys are already chosen (`for_page`, called by DeferredJoinPaginator) reads them in
    its own query instead. `.iterator()` sets neither.
    """

    _with_item_counts = False
    _with_country_codes = False

    def with_item_counts(self) -> "ProposalQuerySet":
        clone = self._chain()
        clone._with_item_counts = True
        return clone

    def with_target_country_codes(self) -> "ProposalQuerySet":
        clone = self._chain()
        clone._with_country_codes = True
        return clone

    def for_page(self) -> "ProposalQuerySet":
        """The rows of one page, already narrowed to its keys: the per-row reads as subqueries.

        The page's rows are all this query reads, so nothing is computed for skipped rows, and the
        extra queries (a round trip and an ORM compile each, per page) go away.
        """
        clone = self._chain()
        if clone._with_item_counts:
            items = (
                LineItem.objects.filter(proposal_id=models.OuterRef("pk"))
                .order_by()
                .annotate(n=models.Func(template="COUNT(*)", output_field=models.IntegerField()))
                .values("n")
            )
            clone = clone.annotate(item_count=models.Subquery(items, output_field=models.IntegerField()))
            clone._with_item_counts = False
        if clone._with_country_codes and connection.vendor == "postgresql":
            from django.contrib.postgres.expressions import ArraySubquery  # noqa: PLC0415 (PostgreSQL only)

            # Ordered by a lookup of each code's name, not a join: the join hashed the whole country
            # table once per page row (25 rows: 0.5 ms of the API list's 1 ms query, issue 16).
            country = Proposal.target_countries.field.related_model
            name = country.objects.filter(pk=models.OuterRef("country_id")).order_by().values("name")
            codes = (
                Proposal.target_countries.through.objects.filter(proposal_id=models.OuterRef("pk"))
                .order_by(models.Subquery(name))
                .values("country_id")
            )
            clone = clone.annotate(target_country_codes=ArraySubquery(codes))
            clone._with_country_codes = False
        return clone

    def _clone(self) -> "ProposalQuerySet":
        clone = super()._clone()
        clone._with_item_counts = self._with_item_counts
        clone._with_country_codes = self._with_country_codes
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is not None
        super()._fetch_all()
        if fetched or self._iterable_class is not ModelIterable:
            return
        self.fill_page_reads(
            self._result_cache, item_counts=self._with_item_counts, country_codes=self._with_country_codes
        )

    @classmethod
    def fill_page_reads(
        cls, rows: list["Proposal"], *, item_counts: bool = True, country_codes: bool = True
    ) -> None:
        """Read the item counts and target countries' codes of the rows that lack them (rows read
        without `for_page`, or on a database where it cannot read the codes), one query each."""
        if item_counts:
            cls._set_item_counts([r for r in rows if not hasattr(r, "item_count")])
        if country_codes:
            cls._set_country_codes([r for r in rows if not hasattr(r, "target_country_codes")])

    @staticmethod
    def _set_item_counts(rows: list["Proposal"]) -> None:
        if not rows:
            return
        counts = dict(
            LineItem.objects.filter(proposal_id__in=[row.pk for row in rows])
            .order_by()
            .values_list("proposal_id")
            .annotate(n=models.Count("pk"))
        )
        for row in rows:
            row.item_count = counts.get(row.pk, 0)

    @staticmethod
    def _set_country_codes(rows: list["Proposal"]) -> None:
        if not rows:
            return
        codes: dict[int, list[str]] = {row.pk: [] for row in rows}
        pairs = (
            Proposal.target_countries.through.objects.filter(proposal_id__in=list(codes))
            .order_by("country__name")
            .values_list("proposal_id", "country_id")
        )
        for proposal_id, code in pairs:
            codes[proposal_id].append(code)
        for row in rows:
            row.target_country_codes = codes[row.pk]


class Proposal(Versioned):
    consortium = models.ForeignKey("Consortium", on_delete=models.PROTECT, related_name="proposals")
    call = models.ForeignKey(
        "Call",
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text="The call for proposals this proposal answers.",
    )
    title = one_line_text(NAME_MAX_CHARS)
    summary = multiline_text(SECTION_MAX_CHARS, blank=True)
    target_countries = models.ManyToManyField("Country", related_name="targeted_by", blank=True)
    target_blocs = one_line_text(
        NAME_MAX_CHARS, "regional blocs", blank=True, help_text="For example: GCC, ASEAN."
    )
    use_cases = multiline_text(
        SECTION_MAX_CHARS, blank=True, help_text="Named use cases: healthcare, education, ..."
    )
    security_measures = multiline_text(SECTION_MAX_CHARS, blank=True)
    end_use = multiline_text(SECTION_MAX_CHARS, "end-use statement", blank=True)
    # Federal support requested.
    exim_product = models.CharField(max_length=32, choices=EximProduct.choices, blank=True)
    financing_amount = models.DecimalField(
        "amount requested (USD)",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    local_costs = models.DecimalField(
        "local costs (USD)", **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    tenor_years = models.DecimalField(
        "repayment tenor (years)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    dfc_support_requested = models.BooleanField("DFC support requested", default=False)
    ustda_support_requested = models.BooleanField("USTDA support requested", default=False)
    confidential_sections = models.JSONField(
        default=list, blank=True, help_text="Sections the consortium marks business confidential."
    )
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    revision_number = models.PositiveIntegerField(
        default=0, help_text="Latest frozen revision; 0 = never submitted."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["consortium", "-updated_at"], name="proposal_consortium_recent"),
            models.Index(fields=["status", "status_changed_at"], name="proposal_status_age"),
            # Agency lists (every submitted proposal, newest first): page 1 reads 25 index entries
            # instead of sorting the whole table (bench/, issue 8).
            models.Index(fields=["-updated_at", "-id"], name="proposal_recent"),
            # Every pager counts its rows: agency lists and the Commerce queue filter on these two, and
            # this index answers the COUNT without reading the wide rows (175 ms -> 37 ms at 100,000).
            models.Index(fields=["status", "revision_number"], name="proposal_status_revision"),
            # Lists filtered by status, newest first (EXIM's approved list, the API's ?status=): a page
            # at any depth walks this index instead of sorting every row in the state; revision_number
            # rides along so agency visibility (submitted once) needs no heap read (PostgreSQL).
            models.Index(
                fields=["status", "-updated_at", "-id"],
                name="proposal_status_recent",
                include=["revision_number"],
            ),
            # A consortium's own: the dashboard's counts by status and its open requests (returned
            # proposals) read this index alone; by consortium only, they read each of a large
            # consortium's 5,000 rows (10 and 23 ms at 100,000 proposals; issue 16).
            models.Index(fields=["consortium", "status"], name="proposal_consortium_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposal-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Site(Versioned):
    """A destination data-center site and who builds, owns and operates it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sites")
    name = one_line_text(NAME_MAX_CHARS)
    country = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="+")
    city = one_line_text(100)
    builder = one_line_text(NAME_MAX_CHARS, blank=True)
    owner = one_line_text(NAME_MAX_CHARS, blank=True)
    operator = one_line_text(NAME_MAX_CHARS, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.country_id})"


class LineItem(Versioned):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="line_items")
    layer = models.CharField(max_length=16, choices=Layer.choices)
    description = one_line_text(LINE_MAX_CHARS)
    manufacturer = one_line_text(NAME_MAX_CHARS)
    origin_country = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Where the item (or, for AI models, its developer) comes from.",
    )
    eccn = models.CharField(
        "ECCN", max_length=16, blank=True, help_text="Export Control Classification Number, or EAR99."
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_value = models.DecimalField(
        "unit value (USD)", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    us_origin_value = models.DecimalField(
        "US-origin value (USD, whole line)", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="line_items"
    )

    class Meta:
        ordering = ["layer", "pk"]
        indexes = [models.Index(fields=["proposal", "layer"], name="lineitem_proposal_layer")]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        numbers = (self.quantity, self.unit_value, self.us_origin_value)
        errors = line_item_amount_errors(*(n if isinstance(n, int | Decimal) else None for n in numbers))
        if errors:
            raise ValidationError(errors)

    @property
    def total_value(self) -> Decimal:
        return self.unit_value * self.quantity


class Party(Versioned):
    """A party to the export, as Commerce's license application names them."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=32, choices=PartyRole.choices)
    name = one_line_text(NAME_MAX_CHARS)
    address = one_line_text(LINE_MAX_CHARS, blank=True)
    country = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Where the party is located (the delivery address).",
    )
    # Who is behind the party: the licensing rule on parties headquartered in, or whose ultimate
    # parent is in, D:5 or Macau reads these, never the location above.
    headquarters_country = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="headquarters country",
        help_text="Where the party is headquartered; the location country if left blank.",
    )
    ultimate_parent = one_line_text(NAME_MAX_CHARS, blank=True, help_text="Leave blank if none.")
    ultimate_parent_country = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="ultimate parent's country",
    )

    class Meta:
        ordering = ["role", "pk"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


def document_upload_to(instance: "Document", filename: str) -> str:
    # The stored name never comes from the user: only the checksum and a safe extension.
    return f"proposals/{instance.proposal_id}/{instance.sha256[:32]}.{instance.extension}"


class Document(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(max_length=32, choices=DocumentCategory.choices)
    file = models.FileField(upload_to=document_upload_to)
    original_name = models.CharField(max_length=200)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set when the file came with an answer to a reviewer's request for information.
    information_request = models.ForeignKey(
        "InformationRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )

    class Meta:
        ordering = ["category", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Revision(models.Model):
    """A numbered, frozen snapshot of a proposal, taken at each submission."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.proposal} r{self.number}"


# Proposals spread over this many rows per state (by id), so that two transactions moving different
# proposals rarely wait on the same row of the tally.
TALLY_SHARDS = 8


class ProposalTally(models.Model):
    """How many proposals are in each state, kept by the database in the same transaction as every
    insert, move and delete of a proposal (triggers of migration 0033, on PostgreSQL and SQLite), so a
    list's total need not count tens of thousands of rows (issue 16; docs/decisions/0011).

    Read, never written, by Django: the table and its triggers are the migration's (`managed =
    False`, so a test flush leaves it to the triggers too). A state's count is the sum of its shards;
    `submitted` tells proposals submitted at least once (revision_number > 0) from never-submitted
    drafts. Seeds that skip triggers (the bench's COPY in replica mode) recount it with
    `proposal_tally_rebuild` (proposals.intake.services.tally).
    """

    pk = models.CompositePrimaryKey("status", "submitted", "shard")
    status = models.CharField(max_length=16, choices=ProposalStatus.choices)
    submitted = models.BooleanField()
    shard = models.PositiveSmallIntegerField()
    proposals = models.IntegerField()

    class Meta:
        managed = False
        db_table = "proposals_proposaltally"

    def __str__(self) -> str:
        kind = "submitted" if self.submitted else "never submitted"
        return f"{self.status} ({kind}, shard {self.shard}): {self.proposals}"
