"""Writes program staff make to calls for proposals and their rubrics.

Only program staff (`proposals.manage_calls`) write. A call's settings are checked as a whole
(`policy.calls.call_errors`) and by the model; a rubric is edited only while it is a draft, and is
published only when `policy.calls.rubric_publish_refusals` finds nothing. A published rubric is never
edited: a change is a new draft version, which starts as a copy of the latest version's criteria.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from proposals.core.errors import InvalidInput, NotEditable
from proposals.core.models.reference import Country
from proposals.core.services.concurrency import version_claim
from proposals.intake.models.call import Call, Criterion, Rubric
from proposals.intake.policy.calls import call_errors, rubric_publish_refusals

CALL_FIELDS = (
    "name",
    "slug",
    "federal_register_citation",
    "opens_on",
    "closes_on",
    "rolling",
    "required_layers",
    "required_document_categories",
    "eligibility",
    "public_summary",
)
CRITERION_FIELDS = ("code", "title", "description", "weight", "scale_min", "scale_max", "order")


def _require_program_staff(actor: Any) -> None:
    if not actor.has_perm("proposals.manage_calls"):
        raise PermissionDenied("Only program staff manage calls for proposals.")


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput("Please correct the errors below.", extra={"fields": errors})


def _model_errors(instance: models.Model, *, exclude: list[str] | None = None) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _apply(instance: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    if unknown := sorted(set(data) - set(allowed)):
        raise _invalid({name: ["Unknown field."] for name in unknown})
    for name, value in data.items():
        setattr(instance, name, value)


def _save_call(call: Call) -> Call:
    errors = _model_errors(call)
    known = frozenset(Country.objects.values_list("code", flat=True))
    for name, messages in call_errors(
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        rolling=call.rolling,
        required_layers=call.required_layers if isinstance(call.required_layers, list) else [],
        required_document_categories=(
            call.required_document_categories if isinstance(call.required_document_categories, list) else []
        ),
        eligibility=call.eligibility,
        known_countries=known,
    ).items():
        errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise _invalid(errors)
    call.save()
    return call


def call_create(*, actor: Any, data: dict[str, Any]) -> Call:
    _require_program_staff(actor)
    call = Call()
    _apply(call, data, CALL_FIELDS)
    with transaction.atomic():
        return _save_call(call)


def call_update(
    *, call_id: int, actor: Any, data: dict[str, Any], expected_version: int | None = None
) -> Call:
    """Change a call's settings (partial). Proposals already frozen keep the requirements they froze.
    An edit from a stale `expected_version` is refused (core.services.concurrency)."""
    _require_program_staff(actor)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        version_claim(call, expected=expected_version, data=data)
        _apply(call, data, CALL_FIELDS)
        return _save_call(call)


def _locked_draft(rubric_id: int, call_id: int | None = None) -> Rubric:
    rubric = Rubric.objects.select_for_update().get(pk=rubric_id, **({"call_id": call_id} if call_id else {}))
    if rubric.is_published:
        raise NotEditable(
            f"Rubric version {rubric.version} is published and is never edited; start a new version."
        )
    return rubric


def rubric_draft_create(*, call_id: int, actor: Any, notes: str = "") -> Rubric:
    """The next version of the call's rubric, as a draft copying the latest version's criteria.
    One draft at a time: while one exists, it is the place for changes."""
    _require_program_staff(actor)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        draft = call.rubrics.filter(published_at__isnull=True).first()
        if draft is not None:
            raise InvalidInput(
                f"Version {draft.version} is still a draft: change or publish it first.",
                extra={"fields": {"version": [f"Version {draft.version} is still a draft."]}},
            )
        latest = call.rubrics.order_by("-version").first()
        version = (call.rubrics.aggregate(n=Max("version"))["n"] or 0) + 1
        rubric = Rubric.objects.create(call=call, version=version, notes=notes)
        if latest is not None:
            Criterion.objects.bulk_create(
                Criterion(rubric=rubric, **{name: getattr(c, name) for name in CRITERION_FIELDS})
                for c in latest.criteria.all()
            )
        return rubric


def rubric_update(*, rubric_id: int, actor: Any, notes: str) -> Rubric:
    _require_program_staff(actor)
    with transaction.atomic():
        rubric = _locked_draft(rubric_id)
        rubric.notes = notes
        rubric.save(update_fields=["notes"])
        return rubric


def criterion_save(
    *,
    rubric_id: int,
    actor: Any,
    data: dict[str, Any],
    pk: int | None = None,
    expected_version: int | None = None,
) -> Criterion:
    """Add a criterion to a draft rubric, or change one (partial when `pk` is given; refused when it
    changed since `expected_version`)."""
    _require_program_staff(actor)
    with transaction.atomic():
        rubric = _locked_draft(rubric_id)
        if pk is None:
            criterion = Criterion(rubric=rubric)
        else:
            criterion = rubric.criteria.select_for_update().get(pk=pk)
            version_claim(criterion, expected=expected_version, data=data)
        _apply(criterion, data, CRITERION_FIELDS)
        if criterion.weight is not None:
            criterion.weight = Decimal(str(criterion.weight))
        errors = _model_errors(criterion)
        if (
            isinstance(criterion.scale_min, int)
            and isinstance(criterion.scale_max, int)
            and criterion.scale_max <= criterion.scale_min
        ):
            errors.setdefault("scale_max", []).append("The maximum must be above the minimum.")
        if errors:
            raise _invalid(errors)
        criterion.save()
        return criterion


def criterion_delete(*, rubric_id: int, actor: Any, pk: int, expected_version: int | None = None) -> None:
    _require_program_staff(actor)
    with transaction.atomic():
        rubric = _locked_draft(rubric_id)
        criterion = rubric.criteria.select_for_update().get(pk=pk)
        version_claim(criterion, expected=expected_version)
        criterion.delete()


def rubric_publish(*, rubric_id: int, actor: Any, now: datetime.datetime | None = None) -> Rubric:
    """Publish a draft: from now on it is the call's current rubric and is never edited."""
    _require_program_staff(actor)
    with transaction.atomic():
        rubric = _locked_draft(rubric_id)
        refusals = rubric_publish_refusals(
            rubric.criteria.values_list("code", "weight", "scale_min", "scale_max")
        )
        if refusals:
            raise InvalidInput(
                f"Version {rubric.version} cannot be published yet.", extra={"fields": {"criteria": refusals}}
            )
        rubric.published_at = now or timezone.now()
        rubric.save(update_fields=["published_at"])
        return rubric


# --- The first call ------------------------------------------------------------------------------
# Its facts are data (data/first_call.json), read when seeding: the demo, `make run` and a database
# emptied by a test's flush get the call from there. Migration 0017 created the same call from its own
# frozen copy and never reads this file, so editing the file cannot change what the migration did.

FIRST_CALL_FILE = Path(settings.BASE_DIR) / "data" / "first_call.json"


def _first_call_data() -> dict[str, Any]:
    with FIRST_CALL_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    call = dict(data["call"])
    call["opens_on"] = datetime.date.fromisoformat(call["opens_on"])
    call["closes_on"] = datetime.date.fromisoformat(call["closes_on"]) if call.get("closes_on") else None
    return {"call": call, "rubric": data["rubric"]}


def first_call_seed() -> Call:
    """The program's first call with its published rubric v1 (once; the existing one otherwise)."""
    data = _first_call_data()
    fields = dict(data["call"])
    slug = fields.pop("slug")
    rubric_data = data["rubric"]
    with transaction.atomic():
        call, _ = Call.objects.get_or_create(slug=slug, defaults=fields)
        rubric, created = Rubric.objects.get_or_create(
            call=call,
            version=rubric_data["version"],
            defaults={"published_at": timezone.now(), "notes": rubric_data["notes"]},
        )
        if created:
            Criterion.objects.bulk_create(
                Criterion(
                    rubric=rubric,
                    code=row["code"],
                    title=row["title"],
                    description=row["description"],
                    weight=Decimal(row["weight"]),
                    order=n,
                )
                for n, row in enumerate(rubric_data["criteria"], start=1)
            )
    return call
