"""The models of every area, imported here because Django loads an app's models from `<app>.models`.

Code imports a model from its area (`proposals.commerce.models`); this module only registers them.
"""

from proposals.commerce.models import (
    CommerceReview,
    CommerceSettings,
    InformationRequest,
    LicenseGate,
    LicensingPolicyVersion,
    LicensingRule,
    OwnershipPolicyVersion,
    ScreeningEntry,
    ScreeningHit,
    ScreeningListKeys,
    ScreeningListVersion,
)
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import Country, CountryGroup, ProgramSettings
from proposals.documents.models import GeneratedDocument, PaperRender
from proposals.evaluation.models import Panel, PanelMember, Score
from proposals.exim.models import Deal
from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.models.call import Call, Criterion, Rubric
from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember, ConsortiumUser, Owner
from proposals.intake.models.proposal import (
    Document,
    LineItem,
    Party,
    Proposal,
    ProposalTally,
    Revision,
    Site,
)
from proposals.notify.models import (
    InboxItem,
    Message,
    MessageAttachment,
    NotificationPreference,
    OutboxMessage,
)
from proposals.search.models import ProposalSearch, SavedFilter

__all__ = [
    "AuditEvent",
    "BomImportJob",
    "Call",
    "CommerceReview",
    "CommerceSettings",
    "Company",
    "Consortium",
    "ConsortiumMember",
    "ConsortiumUser",
    "Country",
    "CountryGroup",
    "Criterion",
    "Deal",
    "Document",
    "GeneratedDocument",
    "InboxItem",
    "InformationRequest",
    "LicenseGate",
    "LicensingPolicyVersion",
    "LicensingRule",
    "LineItem",
    "Message",
    "MessageAttachment",
    "NotificationPreference",
    "OutboxMessage",
    "Owner",
    "OwnershipPolicyVersion",
    "Panel",
    "PanelMember",
    "PaperRender",
    "Party",
    "ProgramSettings",
    "Proposal",
    "ProposalSearch",
    "ProposalTally",
    "Revision",
    "Rubric",
    "SavedFilter",
    "Score",
    "ScreeningEntry",
    "ScreeningHit",
    "ScreeningListKeys",
    "ScreeningListVersion",
    "Site",
]
