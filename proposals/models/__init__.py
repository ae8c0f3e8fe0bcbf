"""Domain models, one module per aggregate, re-exported here."""

from .audit import AuditEvent
from .consortium import Company, Consortium, ConsortiumMember, ConsortiumUser
from .proposal import Document, LineItem, Party, Proposal, Revision, Site
from .reference import Country, CountryGroup, ProgramSettings

__all__ = [
    "AuditEvent",
    "Company",
    "Consortium",
    "ConsortiumMember",
    "ConsortiumUser",
    "Country",
    "CountryGroup",
    "Document",
    "LineItem",
    "Party",
    "ProgramSettings",
    "Proposal",
    "Revision",
    "Site",
]
