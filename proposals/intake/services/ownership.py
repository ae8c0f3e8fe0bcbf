"""Writes of owners: the shareholders a member's company or a party lists, checked as a whole.

Members' and parties' services call `owners_replace` inside their own transaction, after they have
checked everything else: the owners are checked together (each share more than 0 and at most 100%,
at most 100% together, every country known) and replace the entity's list only if all are fine; a
refusal is a field error on `owners` and changes nothing.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from proposals.commerce.policy.ownership import ownership_share_errors
from proposals.core.errors import InvalidInput
from proposals.core.models.reference import Country
from proposals.intake.models.consortium import Company, Owner
from proposals.intake.models.proposal import Party

INVALID = "Please correct the errors below."
NAME_MAX = 200
# More owners than anyone lists (each holding at least 1%, say): a bound, so input cannot grow without end.
OWNERS_MAX = 100


def _refuse(errors: list[str]) -> InvalidInput:
    return InvalidInput(INVALID, extra={"fields": {"owners": errors}})


def owners_clean(owners: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The owners as {name, country (code), percent (Decimal)}, or InvalidInput on `owners` naming
    every problem: a missing or long name, an unknown country, a share out of range, a total over 100%."""
    rows = list(owners)
    if len(rows) > OWNERS_MAX:
        raise _refuse([f"List at most {OWNERS_MAX} owners; give the largest ones."])
    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            errors.append(f"Owner {position}: give a name, a country and a percentage.")
            continue
        name = str(row.get("name") or "").strip()
        if not name:
            errors.append(f"Owner {position}: give the owner's name.")
        elif len(name) > NAME_MAX:
            errors.append(f"Owner {position}: the name is longer than {NAME_MAX} characters.")
        country = row.get("country")
        code = country.pk if isinstance(country, Country) else str(country or "").strip().upper()
        clean.append({"name": name, "country": code, "percent": row.get("percent")})
    known = set(Country.objects.filter(pk__in=[r["country"] for r in clean]).values_list("pk", flat=True))
    for position, row in enumerate(clean, start=1):
        if not row["country"]:
            errors.append(f"Owner {position}: give the owner's country.")
        elif row["country"] not in known:
            errors.append(f"Owner {position}: no country has the code “{row['country']}”.")
    share_errors = ownership_share_errors([r["percent"] for r in clean])
    errors.extend(share_errors)
    if errors:
        raise _refuse(errors)
    for row in clean:
        row["percent"] = Decimal(str(row["percent"]).strip().removesuffix("%")).quantize(Decimal("0.01"))
    # Rounding to cents may push a total just over 100 (33.333 x 3): check what is stored.
    if total_errors := ownership_share_errors([r["percent"] for r in clean]):
        raise _refuse(total_errors)
    return clean


def _key(owned: Company | Party) -> str:
    return "company" if isinstance(owned, Company) else "party"


def owners_differ(owned: Company | Party, clean: list[dict[str, Any]]) -> bool:
    """Would `clean` (from `owners_clean`) change the entity's owners? False for an unsaved entity
    given none."""
    if owned.pk is None:
        return bool(clean)
    current = (
        Owner.objects.filter(**{_key(owned): owned})
        .order_by("pk")
        .values_list("name", "country_id", "percent")
    )
    return list(current) != [(r["name"], r["country"], r["percent"]) for r in clean]


def owners_replace(*, owned: Company | Party, owners: Iterable[Mapping[str, Any]]) -> bool:
    """Replace the entity's owners with `owners` (checked by `owners_clean`); True if they changed."""
    clean = owners_clean(owners)
    key = _key(owned)
    if not owners_differ(owned, clean):
        return False
    Owner.objects.filter(**{key: owned}).delete()
    Owner.objects.bulk_create(
        Owner(**{key: owned}, name=r["name"], country_id=r["country"], percent=r["percent"]) for r in clean
    )
    return True


def owners_as_data(owned: Company | Party) -> list[dict[str, Any]]:
    """The entity's owners as plain data (snapshots, forms), in the order they were given."""
    return [
        {"name": o.name, "country": o.country_id, "percent": str(o.percent)}
        for o in sorted(owned.owners.all(), key=lambda o: o.pk)
    ]
