"""Writes to a consortium's membership: add, change, hand over the anchor role, remove.

The consortium's lead makes these changes; its other users only read. Each rule lives in one
function here, and the web and the API call the same four services:

- one anchor: `_check_anchor_free` (a second anchor is a field error on `role`),
  `_check_anchor_kept` (removing or demoting the anchor is refused with AnchorRequired, 409);
  handing the role over is `member_make_anchor`, which swaps both rows in one transaction;
- a company at most once per consortium: `_check_company_once`;
- a consortium reads and finds only the companies it entered: `_companies_entered_by` (adding a name
  another consortium entered creates this consortium's own record from the details given; another
  consortium's record, its ultimate parent included, is never returned, linked or frozen by it, and
  no message says whether one exists). Linking one record into several consortia needs proof of
  the relationship, which the program administrator checks (the admin), not the lead;
- layers only from enums.Layer: `_clean_layers`;
- every change is recorded: `_log` writes a django.contrib.admin LogEntry (there is no
  consortium-level audit trail; proposals' AuditEvent needs a proposal), so the change shows in the
  member's history in the admin.

The database's unique constraints stay the last word: a race that slips past the checks becomes the
same field error, never a server error.
"""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from proposals.commerce.services.screening import screening_owed
from proposals.core.enums import Layer, MemberRole, ProposalStatus
from proposals.core.errors import AnchorRequired, InvalidInput
from proposals.core.models.reference import Country
from proposals.core.services.concurrency import version_claim
from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.ownership import owners_clean, owners_differ, owners_replace
from proposals.search.services import search_refresh_consortia

COMPANY_FIELDS = (
    "legal_name",
    "country_of_incorporation",
    "principal_place_of_business",
    "ultimate_parent",
    "ultimate_parent_country",
)
MEMBER_FIELDS = ("role", "layers")
INVALID = "Please correct the errors below."


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(INVALID, extra={"fields": {field: [message]}})


def _locked_consortium(*, consortium_id: int, actor: Any) -> Consortium:
    """Lock the consortium for a membership change; 404 for outsiders, 403 for its non-leads."""
    consortium = Consortium.objects.select_for_update().get(pk=consortium_id)
    if not actor.has_perm("proposals.view_consortium_members", consortium):
        raise Consortium.DoesNotExist
    if not actor.has_perm("proposals.change_consortium_members", consortium):
        raise PermissionDenied("Only the consortium's lead can change its members.")
    return consortium


def _member(consortium: Consortium, member_id: int, *, lock: bool = False) -> ConsortiumMember:
    members = ConsortiumMember.objects.select_related("company")
    if lock:  # the member and its company: an edit writes both
        members = members.select_for_update()
    return members.get(pk=member_id, consortium=consortium)


# --- The rules ----------------------------------------------------------------------------------


def _clean_layers(layers: Any) -> list[str]:
    """Layers only from enums.Layer, each once, in the enum's order."""
    if not isinstance(layers, list | tuple) or not all(isinstance(v, str) for v in layers):
        raise _field_error("layers", "Give a list of layers.")
    unknown = sorted(set(layers) - set(Layer.values))
    if unknown:
        raise _field_error(
            "layers", f"Unknown layer: {', '.join(unknown)}. Choose from {', '.join(Layer.values)}."
        )
    return [value for value in Layer.values if value in layers]


def _check_role(role: Any) -> None:
    if role not in MemberRole.values:
        raise _field_error("role", f"Choose one of: {', '.join(MemberRole.values)}.")


def _check_anchor_free(consortium: Consortium, *, except_member: int | None = None) -> None:
    """A consortium has exactly one anchor: refuse a second one (hand the role over instead)."""
    anchor = (
        ConsortiumMember.objects.filter(consortium=consortium, role=MemberRole.ANCHOR)
        .exclude(pk=except_member)
        .select_related("company")
        .first()
    )
    if anchor is not None:
        raise _field_error(
            "role",
            f"{anchor.company.legal_name} is already the anchor member; a consortium has exactly one. "
            "Add this company as a partner, then make it the anchor.",
        )


def _check_anchor_kept(member: ConsortiumMember, *, action: str) -> None:
    """The anchor may not be removed or demoted: another member must become anchor first."""
    if member.role == MemberRole.ANCHOR:
        raise AnchorRequired(
            f"{member.company.legal_name} is the anchor member and cannot be {action}. Make another "
            "member the anchor first (the two swap in one step).",
            extra={"member": member.pk},
        )


def _check_company_once(
    consortium: Consortium, company: Company, *, except_member: int | None = None
) -> None:
    """A company is a member of a consortium at most once."""
    taken = (
        ConsortiumMember.objects.filter(consortium=consortium, company=company)
        .exclude(pk=except_member)
        .exists()
    )
    if taken:
        raise _field_error("legal_name", f"{company.legal_name} is already a member of this consortium.")


def _companies_entered_by(consortium: Consortium) -> models.QuerySet[Company]:
    """The companies a consortium may name: those it entered, and any linked into it by the program
    administrator. Never another consortium's entries, so a lookup reveals nothing about them."""
    return Company.objects.filter(
        models.Q(entered_by=consortium) | models.Q(memberships__consortium=consortium)
    ).distinct()


def _check_name_unused(consortium: Consortium, legal_name: str, *, except_company: int | None = None) -> None:
    """A new or renamed company may not take the legal name of another member of this consortium."""
    clash = (
        ConsortiumMember.objects.filter(consortium=consortium, company__legal_name__iexact=legal_name.strip())
        .exclude(company_id=except_company)
        .exists()
    )
    if clash:
        raise _field_error("legal_name", f"{legal_name.strip()} is already a member of this consortium.")


def _log(actor: Any, obj: models.Model, flag: int, message: str) -> None:
    LogEntry.objects.create(
        user_id=actor.pk,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=flag,
        change_message=message,
    )


# --- Helpers ------------------------------------------------------------------------------------


def _check_company_not_shared(member: ConsortiumMember) -> None:
    """A company that is also another consortium's member is not edited from here: its details are
    that consortium's too (its checklists, its screening). The program administrator changes them."""
    others = (
        ConsortiumMember.objects.filter(company_id=member.company_id)
        .exclude(consortium_id=member.consortium_id)
        .exists()
    )
    if others:
        raise _field_error(
            "legal_name",
            "This company is also a member of another consortium; ask the program administrator "
            "to change its details.",
        )


# A company's names are what screening reads (proposal_screened_names).
SCREENED_COMPANY_FIELDS = {"legal_name", "ultimate_parent", "ultimate_parent_country", "owners"}


def _rescreen_in_review(consortium_ids: list[int]) -> None:
    """Screen again, once committed, every proposal in review whose consortia gained a name.

    Commerce clearance holds while a current member name has not been screened
    (commerce.selectors.commerce_clearance); without this a member added during review would hold the
    proposal until the next screening list is loaded.
    """
    in_review = Proposal.objects.filter(
        consortium_id__in=consortium_ids, status__in=(ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW)
    )
    screening_owed(proposal_ids=list(in_review.values_list("pk", flat=True)))


def _apply_company(company: Company, data: dict[str, Any]) -> list[str]:
    """Set the company fields present in `data` (countries as Country or code); the names changed."""
    changed = []
    for name in COMPANY_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "ultimate_parent" and value is None:
            value = ""
        if name in ("country_of_incorporation", "principal_place_of_business", "ultimate_parent_country"):
            code = value.pk if isinstance(value, Country) else (value or None)
            if getattr(company, f"{name}_id") != code:
                changed.append(name)
            setattr(company, f"{name}_id", code)
        else:
            if getattr(company, name) != value:
                changed.append(name)
            setattr(company, name, value.strip() if isinstance(value, str) else value)
    return changed


def _validated(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        fields = {k.removesuffix("_id"): v for k, v in exc.message_dict.items()}
        raise InvalidInput(INVALID, extra={"fields": fields}) from exc


def _save_member(member: ConsortiumMember) -> None:
    """Save under a savepoint: the DB constraints (one anchor, company once) become field errors."""
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        text = str(exc)
        if "one_anchor_per_consortium" in text:
            raise _field_error("role", "This consortium already has an anchor member.") from exc
        if "member_once_per_consortium" in text:
            raise _field_error("legal_name", "This company is already a member of this consortium.") from exc
        raise


def _unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    if unknown := sorted(set(data) - set(allowed)):
        raise InvalidInput(INVALID, extra={"fields": {name: ["Unknown field."] for name in unknown}})


# --- Services -----------------------------------------------------------------------------------


def member_add(
    *,
    consortium_id: int,
    actor: Any,
    role: str = MemberRole.PARTNER,
    layers: Any = (),
    company: dict[str, Any] | None = None,
    existing_company: str | None = None,
) -> ConsortiumMember:
    """Add a member: a new company (`company`, its fields), or by legal name one this consortium
    entered before (a member it removed, say): `_companies_entered_by`."""
    with transaction.atomic():
        consortium = _locked_consortium(consortium_id=consortium_id, actor=actor)
        _check_role(role)
        clean_layers = _clean_layers(list(layers))
        if (company is None) == (existing_company is None):
            raise _field_error(
                "legal_name", "Give either a new company or the legal name of an existing one."
            )
        owners: list[dict[str, Any]] = []
        if existing_company is not None:
            name = existing_company.strip()
            matches = list(_companies_entered_by(consortium).filter(legal_name__iexact=name)[:2])
            if not matches:
                # The same answer whether or not another consortium has a company of that name.
                raise _field_error(
                    "existing_company",
                    f"{consortium.name} has not entered a company named “{name}”: add it as a new "
                    "company with its details.",
                )
            if len(matches) > 1:
                raise _field_error(
                    "existing_company",
                    f"{consortium.name} has entered several companies named “{name}”; add it as a "
                    "new company.",
                )
            target = matches[0]
            try:
                _check_company_once(consortium, target)
            except InvalidInput as exc:
                raise _field_error("existing_company", exc.extra["fields"]["legal_name"][0]) from exc
        else:
            company = dict(company or {})
            owners = owners_clean(company.pop("owners", None) or [])
            _unknown(company, COMPANY_FIELDS)
            target = Company(entered_by=consortium)
            _apply_company(target, company)
            _validated(target)
            _check_name_unused(consortium, target.legal_name)
        if role == MemberRole.ANCHOR:
            _check_anchor_free(consortium)
        if target.pk is None:
            target.save()
            owners_replace(owned=target, owners=owners)
        member = ConsortiumMember(consortium=consortium, company=target, role=role, layers=clean_layers)
        _validated(member, exclude=["consortium", "company"])
        _save_member(member)
        _log(actor, member, ADDITION, f"Added to {consortium.name} as {member.get_role_display()}.")
        _rescreen_in_review([consortium.pk])
        search_refresh_consortia(consortium_ids=[consortium.pk])
    return member


def member_update(
    *,
    consortium_id: int,
    member_id: int,
    actor: Any,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> ConsortiumMember:
    """Change a member's role, layers and its company's details (partial updates are fine).

    Setting `role` to anchor on a partner hands the anchor role over (`member_make_anchor`);
    setting the anchor to partner is refused: make another member the anchor instead.
    The member's version covers its company's details too (they are edited together, through the
    member): an edit from a stale `expected_version` is refused (core.services.concurrency).
    """
    _unknown(data, MEMBER_FIELDS + COMPANY_FIELDS + ("owners",))
    with transaction.atomic():
        consortium = _locked_consortium(consortium_id=consortium_id, actor=actor)
        member = _member(consortium, member_id, lock=True)
        version_claim(member, expected=expected_version, data=data, also=[member.company])
        # The company's owners (a list of {name, country, percent}) replace its list when given.
        owners = owners_clean(data["owners"]) if "owners" in data else None
        changed: list[str] = []
        if "role" in data:
            _check_role(data["role"])
            if data["role"] != member.role:
                if data["role"] == MemberRole.PARTNER:
                    _check_anchor_kept(member, action="demoted")
                _swap_anchor(consortium, member, actor)
                changed.append("role")
        if "layers" in data:
            clean_layers = _clean_layers(data["layers"])
            if clean_layers != member.layers:
                member.layers = clean_layers
                changed.append("layers")
        company_changed = _apply_company(member.company, data)
        if owners is not None and owners_differ(member.company, owners):
            company_changed.append("owners")
        if company_changed:
            _check_company_not_shared(member)
            _validated(member.company)
            if "legal_name" in company_changed:
                _check_name_unused(consortium, member.company.legal_name, except_company=member.company_id)
            member.company.save()
            if owners is not None:
                owners_replace(owned=member.company, owners=owners)
            every_consortium = list(member.company.memberships.values_list("consortium_id", flat=True))
            if SCREENED_COMPANY_FIELDS & set(company_changed):  # the company's every consortium
                _rescreen_in_review(every_consortium)
            if "legal_name" in company_changed:  # the name every consortium's proposals are found by
                search_refresh_consortia(consortium_ids=every_consortium)
            _log(
                actor,
                member.company,
                CHANGE,
                f"Changed {', '.join(company_changed)} (via {consortium.name}).",
            )
        if "layers" in changed:
            _validated(member, exclude=["consortium", "company"])
        member.save(update_fields=["layers", "version"])
        if changed or company_changed:
            _log(actor, member, CHANGE, f"Changed {', '.join(changed + company_changed)}.")
    return member


def _swap_anchor(consortium: Consortium, member: ConsortiumMember, actor: Any) -> None:
    """Make `member` the anchor; the current anchor (if any) becomes a partner, in the same transaction."""
    previous = (
        ConsortiumMember.objects.select_for_update()
        .select_related("company")
        .filter(consortium=consortium, role=MemberRole.ANCHOR)
        .exclude(pk=member.pk)
        .first()
    )
    if previous is not None:
        previous.role = MemberRole.PARTNER
        previous.version += 1  # its role changed: an edit opened before the handover is stale
        previous.save(update_fields=["role", "version"])  # first: the one-anchor constraint never sees two
        _log(actor, previous, CHANGE, f"Anchor role handed over to {member.company.legal_name}.")
    member.role = MemberRole.ANCHOR
    try:
        with transaction.atomic():
            member.save(update_fields=["role"])
    except IntegrityError as exc:
        raise _field_error("role", "This consortium already has an anchor member.") from exc


def member_make_anchor(*, consortium_id: int, member_id: int, actor: Any) -> ConsortiumMember:
    """Hand the anchor role to this member; the previous anchor becomes a partner, atomically."""
    return member_update(
        consortium_id=consortium_id, member_id=member_id, actor=actor, data={"role": MemberRole.ANCHOR}
    )


def member_remove(
    *, consortium_id: int, member_id: int, actor: Any, expected_version: int | None = None
) -> None:
    """Remove a member (the company stays on file); never the anchor, nor one changed since
    `expected_version`."""
    with transaction.atomic():
        consortium = _locked_consortium(consortium_id=consortium_id, actor=actor)
        member = _member(consortium, member_id, lock=True)
        version_claim(member, expected=expected_version)
        _check_anchor_kept(member, action="removed")
        _log(actor, member, DELETION, f"Removed from {consortium.name}.")
        member.delete()
        search_refresh_consortia(consortium_ids=[consortium.pk])
