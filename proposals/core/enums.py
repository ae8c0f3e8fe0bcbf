"""Choices used across the domain: states, layers, roles, products, and named groups of states."""

from django.db import models


class Layer(models.TextChoices):
    CHIPS = "chips", "Chips"
    SERVERS = "servers", "Servers"
    STORAGE = "storage", "Storage"
    CLOUD = "cloud", "Cloud services"
    NETWORKING = "networking", "Networking"
    APPLICATION = "application", "Application layer"


# Physical goods: the layers whose US-origin share the program presumes (51% by value).
HARDWARE_LAYERS = frozenset({Layer.CHIPS, Layer.SERVERS, Layer.STORAGE, Layer.NETWORKING})


class MemberRole(models.TextChoices):
    ANCHOR = "anchor", "Anchor (lead applicant)"
    PARTNER = "partner", "Consortium partner"


class ConsortiumUserRole(models.TextChoices):
    LEAD = "lead", "Lead (may submit)"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted (automated intake)"
    RETURNED = "returned", "Returned to consortium"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved (EXIM final commitment)"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


EDITABLE_STATUSES = frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED})
AUTOMATED_STATUSES = frozenset({ProposalStatus.SUBMITTED})
FINAL_STATUSES = frozenset({ProposalStatus.APPROVED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN})
ACTIVE_STATUSES = frozenset(set(ProposalStatus) - FINAL_STATUSES)


class PartyRole(models.TextChoices):
    PURCHASER = "purchaser", "Purchaser"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee", "Intermediate consignee"
    ULTIMATE_CONSIGNEE = "ultimate_consignee", "Ultimate consignee"
    END_USER = "end_user", "End user"


# Parties a BIS-748P-style application cannot do without; an intermediate consignee is optional.
REQUIRED_PARTY_ROLES = (PartyRole.PURCHASER, PartyRole.ULTIMATE_CONSIGNEE, PartyRole.END_USER)


class EximProduct(models.TextChoices):
    LOAN_GUARANTEE = "loan_guarantee", "Loan guarantee"
    DIRECT_LOAN = "direct_loan", "Direct loan"
    EXPORT_CREDIT_INSURANCE = "export_credit_insurance", "Export credit insurance"


class DocumentCategory(models.TextChoices):
    CORPORATE = "corporate", "Corporate and ownership documents"
    FINANCIAL = "financial", "Financial statements"
    SECURITY_PLAN = "security_plan", "Security and cybersecurity plan"
    TECHNICAL = "technical", "Technical architecture"
    END_USE = "end_use", "End-use and end-user statement"
    US_JOBS_PLAN = "us_jobs_plan", "US jobs plan"
    OTHER = "other", "Other"


class ExportSector(models.TextChoices):
    """The industry sector of the program's packages, as EXIM's content policy names sectors."""

    AI = "ai", "Artificial intelligence"
    SEMICONDUCTORS = "semiconductors", "Semiconductors"
    HPC = "hpc", "High-performance computing"
    OTHER = "other", "Other (not a transformational sector)"


# EXIM's "transformational" sectors (content policy, 2020): full support from 51% US content.
TRANSFORMATIONAL_SECTORS = frozenset({ExportSector.AI, ExportSector.SEMICONDUCTORS, ExportSector.HPC})


class Severity(models.TextChoices):
    BLOCKING = "blocking", "Must fix before submission"
    WARNING = "warning", "Advisory"


class OecdCategory(models.TextChoices):
    CATEGORY_I = "I", "Category I (high-income OECD)"
    CATEGORY_II = "II", "Category II (all other markets)"


# Sections of a proposal, in the editor's order; also what the consortium can mark confidential.
class Section(models.TextChoices):
    OVERVIEW = "overview", "Overview"
    CONSORTIUM = "consortium", "Consortium"
    SITES = "sites", "Sites"
    ITEMS = "items", "Line items"
    PARTIES = "parties", "Parties and end use"
    FINANCING = "financing", "Financing"
    DOCUMENTS = "documents", "Documents"
    SUBMIT = "submit", "Review and submit"


# --- Commerce track ------------------------------------------------------------------------------


class GateStatus(models.TextChoices):
    OPEN = "open", "Open (awaiting decision)"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    DENIED = "denied", "Denied"
    RETURNED_WITHOUT_ACTION = "returned_without_action", "Returned without action"
    NOT_REQUIRED = "not_required", "Closed (no longer required by policy)"


# Gates that stop EXIM's final commitment: no license is in place for the item and destination.
BLOCKING_GATE_STATUSES = frozenset({GateStatus.OPEN, GateStatus.DENIED, GateStatus.RETURNED_WITHOUT_ACTION})
DECIDED_GATE_STATUSES = frozenset(
    {
        GateStatus.APPROVED,
        GateStatus.APPROVED_WITH_CONDITIONS,
        GateStatus.DENIED,
        GateStatus.RETURNED_WITHOUT_ACTION,
    }
)


class HitStatus(models.TextChoices):
    UNRESOLVED = "unresolved", "Unresolved"
    FALSE_POSITIVE = "false_positive", "False positive"
    CONFIRMED = "confirmed", "Confirmed match"
    # The screened name has left the proposal (edited out and resubmitted): nothing left to decide.
    REMOVED = "removed", "Name no longer on the proposal"


BLOCKING_HIT_STATUSES = frozenset({HitStatus.UNRESOLVED, HitStatus.CONFIRMED})


class ScreenedSubject(models.TextChoices):
    MEMBER = "member", "Consortium member"
    PARENT = "parent", "Member's ultimate parent"
    PARTY = "party", "Party to the export"
    PARTY_PARENT = "party_parent", "Party's ultimate parent"
    OWNER = "owner", "Owner of a member or party"
    # Not a name on the proposal: a member or party owned 50%+ by listed owners (the affiliates rule).
    OWNED = "owned", "Owned 50% or more by listed parties"


class LicenseRequirement(models.TextChoices):
    LICENSE_REQUIRED = "license_required", "License required"
    NO_LICENSE = "no_license", "No license required"


class ReviewClockFlag(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    NEAR_DEADLINE = "near_deadline", "Near a deadline"
    OVERDUE = "overdue", "Overdue"
    PAUSED = "paused", "Paused (waiting on applicant)"


# --- EXIM track ----------------------------------------------------------------------------------


class DealStage(models.TextChoices):
    """An EXIM deal's stages (DOMAIN.md), in the order a deal moves through them, then its ends."""

    LETTER_OF_INTEREST = "letter_of_interest", "Letter of interest"
    APPLICATION_RECEIVED = "application_received", "Application received"
    DUE_DILIGENCE = "due_diligence", "Due diligence"
    PRELIMINARY_COMMITMENT = "preliminary_commitment", "Preliminary commitment"
    CREDIT_COMMITTEE = "credit_committee", "Credit committee"
    BOARD = "board", "Board"
    CONGRESSIONAL_NOTIFICATION = "congressional_notification", "Congressional notification"
    FINAL_COMMITMENT = "final_commitment", "Final commitment (authorized)"
    DOCUMENTATION_CLOSING = "documentation_closing", "Documentation and closing"
    DISBURSING = "disbursing", "Disbursing"
    REPAYMENT = "repayment", "Repayment"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CANCELLED = "cancelled", "Cancelled"


# Ends: nothing more happens to the deal.
DEAL_END_STAGES = frozenset({DealStage.DECLINED, DealStage.WITHDRAWN, DealStage.CANCELLED})
# Authorized deals: their amount counts against EXIM's exposure ceiling.
DEAL_COMMITTED_STAGES = frozenset(
    {DealStage.FINAL_COMMITMENT, DealStage.DOCUMENTATION_CLOSING, DealStage.DISBURSING, DealStage.REPAYMENT}
)
# Pending deals: the pipeline that would consume headroom if authorized.
DEAL_PIPELINE_STAGES = frozenset(set(DealStage) - DEAL_END_STAGES - DEAL_COMMITTED_STAGES)
# Stage order for sorting and for the dashboard, from the declaration order above.
DEAL_STAGE_ORDER = {stage: index for index, stage in enumerate(DealStage)}


# --- Documents and notifications -----------------------------------------------------------------


class GeneratedKind(models.TextChoices):
    """Papers the portal produces (proposals/pdf/); a kind without a registered renderer is inert."""

    DOSSIER = "dossier", "Proposal dossier"
    LICENSE_LETTER = "license_letter", "License determination letter"
    TERM_SHEET = "term_sheet", "EXIM term sheet"
    COMMITMENT_LETTER = "commitment_letter", "Final commitment letter"
    DESIGNATION_LETTER = "designation_letter", "Designation letter (priority AI export package)"


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately, one email per event"
    DAILY_DIGEST = "daily_digest", "Once a day, in a digest"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    HELD = "held", "Held for the daily digest"
    DIGESTED = "digested", "Sent inside a digest"
    SENT = "sent", "Sent"


class NotificationEvent(models.TextChoices):
    SUBMITTED = "submitted", "Proposal submitted"
    RETURNED = "returned", "Proposal returned with findings"
    INFORMATION_REQUESTED = "information_requested", "Request for information"
    GATE_DECIDED = "gate_decided", "License gate decided"
    DEAL_STAGE_CHANGED = "deal_stage_changed", "EXIM deal stage changed"
    DETERMINATION = "determination", "National-interest determination"
    DEADLINE_NEAR = "deadline_near", "Deadline approaching"
    DEADLINE_OVERDUE = "deadline_overdue", "Deadline passed"
    DIGEST = "digest", "Daily digest"
    MESSAGE = "message", "New message on a proposal"
    MENTIONED = "mentioned", "Mentioned in a message"
