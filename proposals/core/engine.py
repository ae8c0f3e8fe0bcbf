"""The one write path for every track's state: `apply` reads a track's workflow table and moves a row.

`apply` validates the reason, locks the row, checks the actor's role, the state and the track's own
guards, writes the new state with the track's fields, appends the audit event, lets the track store
its notifications (notify's outbox, same transaction), and enqueues the follow-up tasks once the
transaction commits. Nothing else assigns a tracked state.

A repeated move, to the state the row is already in, is refused like any other move the state does not
allow (TransitionNotAllowed: 409 in the API, a message on the page), on every track: a double-clicked
decision or a retried request learns that the first one took effect, and no second audit event, e-mail
or follow-up is written. Workers that may race a person re-read the state under the lock first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from celery.utils.saferepr import saferepr
from django.db import DatabaseError, models, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.module_loading import import_string

from exportai.celery import app
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.core.permissions import actor_roles
from proposals.core.workflow import Transition

if TYPE_CHECKING:  # the audit trail is per proposal; the engine only passes it through
    from proposals.intake.models.proposal import Proposal


def enqueue_on_commit(task_name: str, *more_task_names: str, **kwargs: Any) -> None:
    """Send the task(s) named by dotted path, with the same keyword arguments, once the surrounding
    transaction has committed.

    They are published as one batch: a single round trip to a Redis broker however many there are
    (a move's follow-ups fan out to several queues), on transports that batch; one by one on others.
    """

    def send() -> None:
        # The arguments as the messages' headers show them (for monitoring), written once for the
        # batch exactly as Celery writes them for each message: about 0.1 ms of CPU a message.
        shown = _arguments_shown(kwargs)
        with app.producer_or_acquire() as producer, producer.batch():
            for name in (task_name, *more_task_names):
                import_string(name).apply_async(kwargs=kwargs, producer=producer, **shown)

    # robust: the change is already committed when this runs, so a broker that is down must not turn
    # it into an error for the user; Django logs the failure and the sweeper re-enqueues the work.
    transaction.on_commit(send, robust=True)


def _arguments_shown(kwargs: dict[str, Any]) -> dict[str, str]:
    """`argsrepr` and `kwargsrepr` of a message with these keyword arguments, as Celery makes them."""
    amqp, maxlevels = app.amqp, app.conf.task_repr_maxlevels
    return {
        "argsrepr": saferepr((), amqp.argsrepr_maxsize, maxlevels=maxlevels),
        "kwargsrepr": saferepr(kwargs, amqp.kwargsrepr_maxsize, maxlevels=maxlevels),
    }


def commit_without_waiting_for_disk() -> None:
    """Let the current transaction commit without waiting for its WAL to reach the disk (PostgreSQL's
    asynchronous commit): the commit then costs a round trip instead of a disk flush (about 5 ms on a
    busy machine, most of an automated move's time).

    Only for a system's move that the sweeper redoes when it is lost (OWED_WORK): a PostgreSQL crash
    can lose the last fraction of a second of such commits (never corrupt them), which leaves the row
    in the state that owes the work. Other sessions see the commit at once; the next durable commit
    flushes it. Call it first thing in the outermost atomic block; anywhere else it does nothing.
    SQLite (the embedded runtime) has no such setting and is left alone.
    """
    if may_commit_without_waiting_for_disk():
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def may_commit_without_waiting_for_disk() -> bool:
    """Whether commit_without_waiting_for_disk asks for it here: on PostgreSQL, in the outermost atomic
    block. The setting holds for the whole database transaction, so only when the caller's block is
    that transaction (never inside someone else's, whose other writes must stay durable)."""
    connection = transaction.get_connection()
    return connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1


# The same request as a value in a query's select list (PostgreSQL's set_config with is_local: SET
# LOCAL as a function), for a caller whose first statement carries it instead of sending its own:
# a round trip less, which on a busy machine costs a worker more than the statement itself. Only
# where may_commit_without_waiting_for_disk() says so, and only in a query that returns a row.
COMMIT_WITHOUT_WAITING_FOR_DISK_SQL = "set_config('synchronous_commit', 'off', true)"


def audit_record(
    *,
    proposal: "Proposal",
    action: str,
    actor: Any,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    subject: str = "proposal",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction that makes the change it records."""
    return AuditEvent.objects.create(
        proposal=proposal,
        subject=subject,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        revision=proposal.revision_number,
        data=data or {},
    )


def save_with_audit(row: models.Model, update_fields: list[str], event: AuditEvent) -> None:
    """`row.save(update_fields=...)` and `event.save()` in one statement: one round trip to the
    database instead of two, for every move of every track (a worker's intake is mostly round trips).

    Signals are sent as `save()` sends them (the page cache listens). A value that is an SQL
    expression, a model with parents, or a database other than PostgreSQL (the embedded SQLite has
    no UPDATE or INSERT inside WITH) takes the ordinary two statements.
    """
    meta = row._meta
    fields = [meta.get_field(name) for name in update_fields]
    connection = transaction.get_connection()
    if (
        connection.vendor != "postgresql"
        or meta.parents
        or any(hasattr(getattr(row, f.attname), "resolve_expression") for f in fields)
    ):
        row.save(update_fields=update_fields)
        event.save()
        return
    signal_args = {"sender": type(row), "instance": row, "raw": False, "using": connection.alias}
    pre_save.send(**signal_args, update_fields=frozenset(update_fields))
    quote = connection.ops.quote_name
    event_fields = [f for f in AuditEvent._meta.local_concrete_fields if f is not AuditEvent._meta.pk]
    params = [
        *(f.get_db_prep_save(f.pre_save(row, False), connection) for f in fields),
        meta.pk.get_db_prep_value(row.pk, connection),
        *(f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields),
    ]
    sql = (
        f"WITH moved AS (UPDATE {quote(meta.db_table)} SET "
        + ", ".join(f"{quote(f.column)} = %s" for f in fields)
        + f" WHERE {quote(meta.pk.column)} = %s RETURNING 1), "
        f"logged AS (INSERT INTO {quote(AuditEvent._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in event_fields)}) "
        f"VALUES ({', '.join(['%s'] * len(event_fields))}) RETURNING {quote(AuditEvent._meta.pk.column)}) "
        "SELECT (SELECT count(*) FROM moved), (SELECT * FROM logged)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        moved, event.pk = cursor.fetchone()
    if not moved:  # what save(update_fields=...) says when the row has gone
        raise DatabaseError("Save with update_fields did not affect any rows.")
    event._state.adding = False
    event._state.db = connection.alias
    post_save.send(**signal_args, created=False, update_fields=frozenset(update_fields))


@dataclass
class Move:
    """One move in progress: what the track's hooks read and add to."""

    row: Any
    proposal: "Proposal"
    transition: Transition
    actor: Any
    reason: str
    conditions: str
    from_state: str
    now: datetime
    # Kept on the audit event; hooks add to it.
    data: dict[str, Any] = field(default_factory=dict)
    # Fields the hooks changed, saved with the state.
    fields: list[str] = field(default_factory=list)
    # Anything the caller passes through to the hooks (`notify=False` for a bulk decision, ...).
    options: dict[str, Any] = field(default_factory=dict)


Hook = Callable[[Move], None]


def _nothing(move: Move) -> None:
    return None


@dataclass(frozen=True)
class Track:
    """A kind of row that moves through a workflow table, and what its moves do besides the state."""

    name: str  # in messages: "proposal", "license gate", ...
    model: type[models.Model]
    transitions: dict[str, Transition]
    proposal_of: Callable[[Any], "Proposal"]
    subject: Callable[[Any], str]  # the audit event's subject ("proposal", "gate:12", "deal")
    state_label: Callable[[str], str]  # a state in words, for messages
    state_field: str = "status"
    related: tuple[str, ...] = ()  # read with the row under the lock
    audit_action: Callable[[Transition], str] = lambda t: t.action
    follow_up_kwargs: Callable[[Any], dict[str, Any]] = lambda row: {"proposal_id": row.proposal_id}
    # Refusals beyond state and role, under the lock (raise ApplicationError).
    guard: Hook = _nothing
    # Work before the state is written (freeze a revision), and the track's own fields.
    prepare: Hook = _nothing
    # After the state and its audit event: notifications, letters, dependent moves.
    then: Hook = _nothing

    def get(self, action: str) -> Transition:
        transition = self.transitions.get(action)
        if transition is None:
            raise TransitionNotAllowed(f"Unknown action {action!r} for a {self.name}.")
        return transition


def check_input(transition: Transition, *, reason: str, conditions: str = "") -> None:
    """Refuse a move whose required reason (or conditions) is missing, as field errors."""
    fields: dict[str, list[str]] = {}
    if transition.reason_required and not reason.strip():
        fields["reason"] = ["A reason is required."]
    if transition.conditions_required and not conditions.strip():
        fields["conditions"] = ["State the conditions (provisos) of the approval."]
    if fields:
        raise InvalidInput(
            "Give a reason." if "reason" in fields else "Please correct the errors.", extra={"fields": fields}
        )


def check_move(track: Track, row: Any, transition: Transition, actor: Any, proposal: "Proposal") -> None:
    """Raise TransitionNotAllowed unless the actor's role and the row's state permit the move."""
    state = getattr(row, track.state_field)
    extra = {"status": state, "action": transition.action}
    if not actor_roles(actor, proposal) & transition.actors:
        raise TransitionNotAllowed(
            f"Your role may not {transition.label.lower()} this {track.name}.", extra=extra
        )
    if state == transition.target:
        raise TransitionNotAllowed(
            f'"{transition.label}" is not possible: the {track.name} is already {track.state_label(state)}.',
            extra=extra,
        )
    if state not in transition.sources:
        raise TransitionNotAllowed(
            f'"{transition.label}" is not possible while the {track.name} is {track.state_label(state)}.',
            extra=extra,
        )


def apply(
    track: Track,
    *,
    action: str,
    actor: Any,
    pk: int | None = None,
    row: Any = None,
    reason: str = "",
    conditions: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
    also_save: tuple[str, ...] = (),
    **options: Any,
) -> Any:
    """Take `action` on the row `pk` (or on `row`, already locked by the caller inside its transaction)
    as `actor` (None: the system). Returns the row; raises ApplicationError.

    `also_save`: fields the caller changed on `row` before the move, saved with it (one write).
    """
    transition = track.get(action)
    check_input(transition, reason=reason, conditions=conditions)
    if row is not None:  # the caller's transaction and lock
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("apply(row=...) needs the caller's transaction and row lock")
        return _move(track, transition, row, actor, reason, conditions, data, now, also_save, options)
    with transaction.atomic():
        row = track.model.objects.select_for_update(of=("self",)).select_related(*track.related).get(pk=pk)
        return _move(track, transition, row, actor, reason, conditions, data, now, also_save, options)


def _move(
    track: Track,
    transition: Transition,
    row: Any,
    actor: Any,
    reason: str,
    conditions: str,
    data: dict[str, Any] | None,
    now: datetime | None,
    also_save: tuple[str, ...],
    options: dict[str, Any],
) -> Any:
    proposal = track.proposal_of(row)
    check_move(track, row, transition, actor, proposal)
    move = Move(
        row=row,
        proposal=proposal,
        transition=transition,
        actor=actor,
        reason=reason.strip(),
        conditions=conditions.strip(),
        from_state=getattr(row, track.state_field),
        now=now or timezone.now(),
        data=dict(data or {}),
        options=options,
    )
    track.guard(move)
    track.prepare(move)
    setattr(row, track.state_field, transition.target)
    update_fields = [track.state_field, *move.fields, *also_save]
    if any(f.name == "updated_at" for f in row._meta.concrete_fields):
        update_fields.append("updated_at")
    event = AuditEvent(
        proposal=proposal,
        subject=track.subject(row),
        action=track.audit_action(transition),
        from_state=move.from_state,
        to_state=transition.target,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=move.reason,
        revision=proposal.revision_number,
        data=move.data,
    )
    save_with_audit(row, list(dict.fromkeys(update_fields)), event)
    track.then(move)
    if transition.then:
        enqueue_on_commit(*transition.then, **track.follow_up_kwargs(row))
    return row
