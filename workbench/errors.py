"""Errors a user can meet: refusals that say what to fix, and refusals of access.

PURE: services (and pure modules such as the permission table) raise these; workbench.error_pages
turns whatever escapes a view into a page or a JSON body in the user's language. A message is a
sentence that says what to do; `details` carries per-field or per-row specifics.
"""


class WorkbenchError(Exception):
    """A refusal the user can act on. `details` carries per-field or per-row specifics."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, details=None):
        super().__init__(str(message))
        self.message = message
        self.details = details or {}


class InvalidInput(WorkbenchError):
    status = 422
    code = "invalid_input"


class Conflict(WorkbenchError):
    status = 409
    code = "conflict"


class StaleVersion(Conflict):
    """The record changed since the user loaded it; `current_version` is what it is now."""

    code = "stale_version"

    def __init__(self, message, *, current_version: int):
        super().__init__(message, details={"current_version": current_version})
        self.current_version = current_version


class WriteFailed(WorkbenchError):
    """The database refused to keep a change that passed the services' checks (workbench.db.write):
    nothing of it was saved, and a form page shows the user's input again."""


class WriteConflict(WriteFailed):
    """Another request changed the same rows in the same instant, twice in a row."""

    status = 409
    code = "write_conflict"


class DatabaseUnavailable(WriteFailed):
    """The database could not write at all (disk full, connection lost): trying again later helps."""

    status = 503
    code = "database_unavailable"


class TooManyAttempts(WorkbenchError):
    """A rate limit refused this (workbench.throttle); `retry_at` (aware, UTC) is when it lifts."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message, *, retry_at):
        super().__init__(message)
        self.retry_at = retry_at


class NotFound(WorkbenchError):
    status = 404
    code = "not_found"


class AccessDenied(Exception):
    """The acting user may not do this (workbench.auth.permissions.require). Not a WorkbenchError
    on purpose: a view that shows a service's refusals beside its form must never show this one
    there; it always becomes 403 (or the sign-in page, 401 on the API, for a visitor)."""

    status = 403
    code = "forbidden"

    def __init__(self, action: str):
        super().__init__(action)
        self.action = action


class SignInRequired(AccessDenied):
    status = 401
    code = "unauthenticated"


def refuse(field_name: str, message) -> None:
    """Refuse input with a sentence a form shows beside the field that caused it."""
    raise InvalidInput(message, details={field_name: message})
