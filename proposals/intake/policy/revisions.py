"""What changed between two frozen revisions: field-level changes per section, for reviewers to read.

`revision_diff(old, new)` compares two snapshots (see `proposals.intake.policy.snapshot`): plain fields of the
overview and the financing request, and rows (line items, sites, parties, members, documents) matched
by their id, each added, removed or changed field by field. Pure: no database, no formatting beyond
labels; the web and the API render the result.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from proposals.commerce.policy.eccn import eccn_key
from proposals.core.enums import PartyRole, Section
from proposals.intake.policy.snapshot import Snapshot

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# Plain fields per section: (snapshot path, label). A path is a key, or "parent.key" for nested data.
OVERVIEW_FIELDS = (
    ("title", "Title"),
    ("summary", "Summary"),
    ("target_countries", "Target countries"),
    ("target_blocs", "Regional blocs"),
    ("use_cases", "Use cases"),
    ("security_measures", "Security measures"),
    ("end_use", "End-use statement"),
    ("confidential_sections", "Confidential sections"),
)
FINANCING_FIELDS = (
    ("financing.product", "EXIM product"),
    ("financing.amount", "Amount requested (USD)"),
    ("financing.local_costs", "Local costs (USD)"),
    ("financing.tenor_years", "Repayment tenor (years)"),
    ("financing.dfc", "DFC support requested"),
    ("financing.ustda", "USTDA support requested"),
)

# Amounts and tenors: compared as numbers, so "100" and "100.00" are no change.
NUMERIC_FIELDS = frozenset(
    {"financing.amount", "financing.local_costs", "financing.tenor_years", "unit_value", "us_origin_value"}
)


def _party_label(row: dict) -> str:
    role = row.get("role") or ""
    return f"{row.get('name') or ''} ({PartyRole(role).label if role in PartyRole.values else role})"


# Row sections: (section, snapshot key, compared fields with labels, how to name a row).
ROW_SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...], Callable[[dict], str]], ...] = (
    (
        Section.CONSORTIUM,
        "members",
        (
            ("company", "Company"),
            ("role", "Role"),
            ("layers", "Layers"),
            ("country_of_incorporation", "Country of incorporation"),
            ("principal_place_of_business", "Principal place of business"),
            ("ultimate_parent", "Ultimate parent"),
            ("ultimate_parent_country", "Ultimate parent's country"),
            ("owners", "Owners"),
        ),
        lambda row: row.get("company") or "",
    ),
    (
        Section.SITES,
        "sites",
        (
            ("name", "Name"),
            ("country", "Country"),
            ("city", "City"),
            ("builder", "Builder"),
            ("owner", "Owner"),
            ("operator", "Operator"),
        ),
        lambda row: row.get("name") or "",
    ),
    (
        Section.ITEMS,
        "line_items",
        (
            ("layer", "Layer"),
            ("description", "Description"),
            ("manufacturer", "Manufacturer"),
            ("origin_country", "Origin country"),
            ("eccn", "ECCN"),
            ("quantity", "Quantity"),
            ("unit_value", "Unit value (USD)"),
            ("us_origin_value", "US-origin value (USD)"),
            ("site", "Site"),
        ),
        lambda row: row.get("description") or "",
    ),
    (
        Section.PARTIES,
        "parties",
        (
            ("role", "Role"),
            ("name", "Name"),
            ("address", "Address"),
            ("country", "Country"),
            ("headquarters_country", "Headquarters country"),
            ("ultimate_parent", "Ultimate parent"),
            ("ultimate_parent_country", "Ultimate parent's country"),
            ("owners", "Owners"),
        ),
        _party_label,
    ),
    (
        Section.DOCUMENTS,
        "documents",
        (("category", "Category"), ("original_name", "File name"), ("sha256", "Content (SHA-256)")),
        lambda row: row.get("original_name") or "",
    ),
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class RowChange:
    """A row added (fields: its values), removed (fields: its old values) or changed (what differs)."""

    kind: str
    key: Any
    label: str
    fields: tuple[FieldChange, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "fields": [f.as_dict() for f in self.fields],
        }


@dataclass(frozen=True)
class SectionDiff:
    section: str
    label: str
    fields: tuple[FieldChange, ...] = ()
    rows: tuple[RowChange, ...] = ()

    def _rows(self, kind: str) -> tuple[RowChange, ...]:
        return tuple(r for r in self.rows if r.kind == kind)

    @property
    def added(self) -> tuple[RowChange, ...]:
        return self._rows(ADDED)

    @property
    def removed(self) -> tuple[RowChange, ...]:
        return self._rows(REMOVED)

    @property
    def changed(self) -> tuple[RowChange, ...]:
        return self._rows(CHANGED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "label": self.label,
            "fields": [f.as_dict() for f in self.fields],
            "rows": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True)
class RevisionDiff:
    sections: tuple[SectionDiff, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.sections

    def section(self, name: str) -> SectionDiff | None:
        return next((s for s in self.sections if s.section == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {"sections": [s.as_dict() for s in self.sections]}


def _get(snapshot: Snapshot, path: str) -> Any:
    value: Any = snapshot
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _same(path: str, old: Any, new: Any) -> bool:
    """Equal as values: amounts as numbers; lists of codes (countries, layers) in any order."""
    if old == new:
        return True
    if path == "eccn" and isinstance(old, str) and isinstance(new, str):
        # Revisions frozen before ECCNs were written the EAR's way (3A090.A, now 3A090.a) are no change.
        return eccn_key(old) == eccn_key(new)
    if isinstance(old, list) and isinstance(new, list):
        try:
            return sorted(old) == sorted(new)
        except TypeError:
            return False
    if path in NUMERIC_FIELDS and old is not None and new is not None:
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    return False


def _blank(value: Any) -> bool:
    return value in (None, "", [], {})


def _field_changes(old: dict, new: dict, fields: tuple[tuple[str, str], ...]) -> tuple[FieldChange, ...]:
    changes = []
    for path, label in fields:
        before, after = _get(old, path), _get(new, path)
        if not _same(path, before, after) and not (_blank(before) and _blank(after)):
            changes.append(FieldChange(path, label, before, after))
    return tuple(changes)


def _row_changes(
    old_rows: list[dict],
    new_rows: list[dict],
    fields: tuple[tuple[str, str], ...],
    label: Callable[[dict], str],
) -> tuple[RowChange, ...]:
    old_by_id = {row.get("id"): row for row in old_rows}
    new_by_id = {row.get("id"): row for row in new_rows}
    changes: list[RowChange] = []
    for key, row in old_by_id.items():
        if key not in new_by_id:
            values = _field_changes(row, {}, fields)
            changes.append(RowChange(REMOVED, key, label(row), values))
    for key, row in new_by_id.items():
        before = old_by_id.get(key)
        if before is None:
            changes.append(RowChange(ADDED, key, label(row), _field_changes({}, row, fields)))
        elif differences := _field_changes(before, row, fields):
            changes.append(RowChange(CHANGED, key, label(row), differences))
    return tuple(changes)


def revision_diff(old_snapshot: Snapshot, new_snapshot: Snapshot) -> RevisionDiff:
    """The changes from `old_snapshot` to `new_snapshot`, by section in the editor's order.

    Sections without changes are left out; rows are matched by id, so an edited line item is one
    change and a deleted-and-recreated one is a removal and an addition.
    """
    sections: dict[str, SectionDiff] = {}
    overview = _field_changes(old_snapshot, new_snapshot, OVERVIEW_FIELDS)
    if overview:
        sections[Section.OVERVIEW] = SectionDiff(Section.OVERVIEW, Section.OVERVIEW.label, fields=overview)
    for section, key, fields, label in ROW_SECTIONS:
        rows = _row_changes(old_snapshot.get(key) or [], new_snapshot.get(key) or [], fields, label)
        if rows:
            sections[section] = SectionDiff(section, Section(section).label, rows=rows)
    financing = _field_changes(old_snapshot, new_snapshot, FINANCING_FIELDS)
    if financing:
        sections[Section.FINANCING] = SectionDiff(
            Section.FINANCING, Section.FINANCING.label, fields=financing
        )
    order = list(Section.values)
    return RevisionDiff(tuple(sorted(sections.values(), key=lambda s: order.index(s.section))))
