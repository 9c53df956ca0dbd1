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
