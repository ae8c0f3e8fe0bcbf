"""On PostgreSQL a trigger keeps the audit trail append-only: UPDATE and DELETE are refused."""

import pytest
from django.db import ProgrammingError, connection, transaction

from proposals.core.engine import audit_record
from proposals.core.models.audit import AuditEvent
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(consortium, lead) -> AuditEvent:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only (migration 0002); SQLite has none")
    proposal = ProposalFactory(consortium=consortium)
    return audit_record(proposal=proposal, action="note", actor=lead, reason="Original reason.")


def test_audit_event_update_is_refused_by_the_database(event):
    refused = pytest.raises(ProgrammingError, match=r"audit events are append-only \(UPDATE refused\)")
    with refused, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="Rewritten.")
    assert AuditEvent.objects.get(pk=event.pk).reason == "Original reason."


def test_audit_event_save_after_change_is_refused_by_the_database(event):
    event.reason = "Rewritten."
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == "Original reason."


def test_audit_event_delete_is_refused_by_the_database(event):
    refused = pytest.raises(ProgrammingError, match=r"audit events are append-only \(DELETE refused\)")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM proposals_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_insert_is_allowed(event):
    audit_record(proposal=event.proposal, action="note", actor=None, reason="A second entry.")
    assert AuditEvent.objects.filter(proposal=event.proposal).count() == 2
