"""Domain models, one module per aggregate, re-exported here."""

from .audit import AuditEvent
from .consortium import Company, Consortium, ConsortiumMember, ConsortiumUser
from .deal import Deal
from .generated import GeneratedDocument
from .outbox import NotificationPreference, OutboxMessage
from .proposal import Document, LineItem, Party, Proposal, Revision, Site
from .reference import Country, CountryGroup, ProgramSettings
from .review import (
    CommerceReview,
    CommerceSettings,
    InformationRequest,
    LicenseGate,
    LicensingPolicyVersion,
    LicensingRule,
    ScreeningEntry,
    ScreeningHit,
    ScreeningListVersion,
)

__all__ = [
    "AuditEvent",
    "CommerceReview",
    "CommerceSettings",
    "Company",
    "Consortium",
    "ConsortiumMember",
    "ConsortiumUser",
    "Country",
    "CountryGroup",
    "Deal",
    "Document",
    "GeneratedDocument",
    "InformationRequest",
    "LicenseGate",
    "LicensingPolicyVersion",
    "LicensingRule",
    "LineItem",
    "NotificationPreference",
    "OutboxMessage",
    "Party",
    "ProgramSettings",
    "Proposal",
    "Revision",
    "ScreeningEntry",
    "ScreeningHit",
    "ScreeningListVersion",
    "Site",
]
