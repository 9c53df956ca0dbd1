"""The kinds of background job: each a function, the queue it runs on and its name for people.

Domains register their kinds when imported (`@kind(...)` in publishing/tasks.py); create_app
imports them, so an app server that defers a job and a worker that runs it know the same kinds."""

from collections.abc import Callable
from dataclasses import dataclass

from workbench.auth.permissions import Action

# Documents are laid out and trials calculated by any worker; publications by the worker that
# holds the repository.
DOCUMENTS = "documents"
CALCULATIONS = "calculations"
PUBLICATION = "publication"
QUEUES = (DOCUMENTS, CALCULATIONS, PUBLICATION)


@dataclass(frozen=True)
class Outcome:
    """What a finished job leaves: where its result is and a sentence for the user (N_)."""

    url: str = ""
    message: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    function: Callable[..., Outcome]  # function(context, **arguments)
    label: str  # N_: what the job page calls it
    queue: str
    # N_ with %(count)d and %(limit)d: the refusal when an account has its limit of these open.
    too_many: str = ""
    # Who besides the account that asked may follow a job of this kind (and is sent to it rather
    # than starting a second one for the same key): anyone allowed this action.
    shared_with: Action | None = None


KINDS: dict[str, Kind] = {}


def kind(name: str, *, label: str, queue: str = DOCUMENTS, too_many: str = "", shared_with: Action | None = None):
    """Register the decorated function as the job kind `name`."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def register(function):
        KINDS[name] = Kind(name, function, label, queue, too_many, shared_with)
        return function

    return register
