"""The API fuzzed against its own OpenAPI document (schemathesis): whatever a client sends, valid
or not, signed in with a token or anonymous, the answer is never a 5xx, its status is one the
document declares, its body matches the declared schema, invalid input is refused and methods the
document does not list answer 405.

Bounded for CI: schemathesis's examples, coverage (boundary values, nulls, wrong types,
undocumented methods) and fuzzing phases with a fixed number of examples per operation, the same
cases on every run (a fixed seed, derandomised), no shrinking, and a limit on the CPU time spent.
"""

import time

import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.pytest.lazy import get_all_tests

from workbench.auth import service as auth_service
from workbench.auth.models import User, WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting.models import Rule

from .drafting_helpers import make_rule
from .trials_helpers import make_trial

EXAMPLES = 10  # fuzzing examples per operation and principal (coverage cases come on top)
# CPU seconds of this process per principal (about 25–45 s are used since the exchange's
# operations joined, more on a loaded machine): a bound on the work done that holds on a busy CI
# machine, where wall-clock time depends on the neighbours.
TIME_LIMIT = 90
CONFIG = {
    "seed": 13,
    "generation": {"max-examples": EXAMPLES, "mode": "all", "no-shrink": True, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]


@pytest.fixture
def token(people, database):
    """A secretariat's personal token, and something for the fuzzer's small ids to find: a rule of
    the drafting group with a trial."""
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        make_trial(session, session.get(Rule, rule.id))
        owner = session.get(User, people[Role.SECRETARIAT])
        _token, plain = auth_service.create_api_token(session, owner, name="fuzz")
        session.commit()
    return plain


@pytest.mark.parametrize("principal", ["token", "anonymous"])
def test_the_api_keeps_its_document_under_fuzzing(app, token, principal):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=SchemathesisConfig.from_dict(CONFIG))
    headers = {"Authorization": f"Bearer {token}"} if principal == "token" else {}
    deadline = time.process_time() + TIME_LIMIT
    failures = []

    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    for result in get_all_tests(schema=schema, test_func=call, settings=None, given_kwargs=None):
        operation, run = result.ok()
        if time.process_time() > deadline:
            pytest.fail(f"fuzzing took over {TIME_LIMIT} CPU seconds; lower EXAMPLES")
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failures, reported together
            failures.append(f"{operation.method.upper()} {operation.path}:\n{error}")
    assert not failures, "\n\n".join(failures)
