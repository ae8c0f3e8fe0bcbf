"""The one application error type (and its kinds) that services raise and web/API translate."""

from typing import Any


class ApplicationError(Exception):
    """A refusal the user can act on. The API renders it as {"message": ..., "code": ..., "extra": ...}."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class TransitionNotAllowed(ApplicationError):
    """The state or the actor's role does not permit this transition (HTTP 409)."""

    status_code = 409
    code = "transition_not_allowed"


class SubmissionIncomplete(ApplicationError):
    """Blocking completeness findings remain; `extra["findings"]` lists them (HTTP 409)."""

    status_code = 409
    code = "incomplete"


class NotEditable(ApplicationError):
    """The proposal is frozen in its current state (HTTP 409)."""

    status_code = 409
    code = "not_editable"


class InvalidInput(ApplicationError):
    """Input failed validation; `extra["fields"]` maps field names to messages (HTTP 400)."""

    status_code = 400
    code = "invalid"


class CommitmentRefused(ApplicationError):
    """EXIM final commitment refused; `extra["reasons"]` says each reason (HTTP 409)."""

    status_code = 409
    code = "commitment_refused"


class AnchorRequired(ApplicationError):
    """The change would leave the consortium without its anchor member (HTTP 409)."""

    status_code = 409
    code = "anchor_required"


class StaleVersion(ApplicationError):
    """Someone saved the object after the version the edit started from; nothing was saved, and
    `extra["changes"]` sets your value beside the saved one, field by field (HTTP 412).

    `extra["version"]` is the saved version: read the object again (or resend with that version to
    keep your values on purpose).
    """

    status_code = 412
    code = "stale_version"
