"""`workbench pact …` and `workbench declarations …`: PACT footprints out and in, and the
declarations under published rules, from the command line."""

import click
from flask.cli import with_appcontext


@click.group("pact")
def pact():
    """PACT (WBCSD Partnership for Carbon Transparency) ProductFootprints, v3."""


@click.group("declarations")
def declarations():
    """Declared product carbon footprints under published rules (信息披露, 碳标识)."""


@click.group("jsonld")
def jsonld():
    """The factor library as openLCA JSON-LD, and the submission package for the national factor database."""


# --- pact (owner A) -------------------------------------------------------------------------------


def _act_as(as_user: str | None):
    """The acting account: --as here, else the root option --as, else the built-in operator."""
    from workbench.commands import META_KEY, acting

    if as_user is not None:
        click.get_current_context().meta[META_KEY] = as_user
    return acting()


@pact.command("export")
@click.argument("calculation_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--as", "as_user", help="Act as this account (as the root option --as).")
@with_appcontext
def pact_export(calculation_id: int, as_user: str | None):
    """Print a calculation of record as a PACT v3 ProductFootprint (JSON; the same id every time)."""
    from workbench.commands import echo_json
    from workbench.db import db
    from workbench.errors import NotFound
    from workbench.exchange import footprints
    from workbench.trials.models import Calculation

    by = _act_as(as_user)
    calculation = db.session.get(Calculation, calculation_id)
    if calculation is None:
        raise NotFound(f"没有编号为 {calculation_id} 的计算 (no such calculation)")
    echo_json(footprints.calculation_document(db.session, calculation, by=by))


@pact.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "as_user", help="Act as this account (as the root option --as).")
@with_appcontext
def pact_import(file, as_user: str | None):
    """Import a supplier's PACT v3 ProductFootprint (a JSON file) into the factor library as the
    factor PACT-<id>; the same footprint again is a new version of that factor."""
    from pathlib import Path

    from workbench.commands import echo_json, read_json_object, refuse
    from workbench.db import db
    from workbench.errors import InvalidInput
    from workbench.exchange import footprints
    from workbench.i18n import say

    by = _act_as(as_user)
    document = read_json_object(Path(file))
    try:
        factor = footprints.import_as_factor(db.session, document, by=by)
    except InvalidInput as error:
        db.session.rollback()
        problems = (error.details or {}).get("problems") or []
        if not problems:
            refuse(f"{file}: {say(error.message)}")
        listed = "; ".join(f"{item['path']}: {say(item['message'])}" for item in problems)
        refuse(f"{file}: {len(problems)} 处问题 (problems): {listed}")
    db.session.commit()
    echo_json({"id": factor.id, "code": factor.code, "version": factor.version, **factor.snapshot()})


# --- declarations (owner C) -----------------------------------------------------------------------


@declarations.command("list")
@click.option("--rule", "rule_code", help="Only the declarations under this rule (its code, e.g. CFP-R-0002).")
@click.option("--status", type=click.Choice(["draft", "submitted", "verified", "rejected", "suspended", "withdrawn"]))
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@with_appcontext
def list_declarations(rule_code, status, output):
    """The declarations (the public ones: verified, suspended, withdrawn; all for the operator
    account), newest first; JSON in the shape of /declarations/p/<id>.json."""
    import json

    from sqlalchemy import select

    from workbench.db import db
    from workbench.drafting.models import Rule
    from workbench.exchange import declaration_reading as reading

    session = db.session
    rule_id = None
    if rule_code:
        rule_id = session.scalar(select(Rule.id).where(Rule.code == rule_code))
        if rule_id is None:
            raise click.ClickException(f"没有规则 {rule_code} (no such rule)")
    rows = list(session.scalars(reading.visible(session, _Public(), rule_id=rule_id, status=status)))
    if output == "json":
        with _request_context():
            documents = [reading.public_json(row, today=_today()) for row in rows]
        click.echo(json.dumps(documents, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row.public_id}\t{reading.status_key(row, _today())}\t{row.rule_number}\t{row.product}\t"
            f"{row.value:.6g} kg CO2e/{row.declared_unit}\t{row.performance_class or '-'}\t{row.organisation.name}"
        )


class _Public:
    is_authenticated = False
    role = None
    organisation_id = None


def _today():
    from workbench.dates import today

    return today()


def _request_context():
    """url_for outside a request: the address SERVER_NAME (or localhost) gives."""
    from flask import current_app

    return current_app.test_request_context()


# --- jsonld (owner E) -----------------------------------------------------------------------------
# Imported here, inside the section, so that the owners' sections stay apart.
from pathlib import Path as _Path  # noqa: E402

from flask.cli import with_appcontext as _with_appcontext  # noqa: E402


def _write_or_echo(content: bytes, output: _Path | None, default_name: str) -> None:
    target = output or _Path(default_name)
    try:
        target.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"{target}: 无法写入 (cannot write): {error.strerror or error}") from None
    click.echo(f"{target}")


@jsonld.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=_Path), help="File [default: factors-jsonld.zip].")
@click.option("--code", "codes", multiple=True, help="Only the factor with this code (repeatable).")
@_with_appcontext
def jsonld_export(output: _Path | None, codes: tuple[str, ...]):
    """Write the factor library (not archived) as an openLCA JSON-LD zip."""
    from workbench.commands import acting
    from workbench.db import db
    from workbench.exchange import factor_exchange

    content = factor_exchange.export_jsonld(db.session, list(codes) or None, by=acting())
    db.session.commit()  # the zip is kept for the next export of the same library (factor_exchange)
    _write_or_echo(content, output, "factors-jsonld.zip")


@jsonld.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=_Path))
@click.option("--as", "as_user", help="Act as this account (as the root option --as).")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_with_appcontext
def jsonld_import(file: _Path, as_user: str | None, output: str):
    """Import factors from an openLCA JSON-LD zip: all or none. A factor whose code exists is
    updated (a new version when something changed)."""
    from workbench.commands import META_KEY, acting, echo_json
    from workbench.db import db
    from workbench.errors import InvalidInput
    from workbench.exchange import factor_exchange

    if as_user is not None:
        click.get_current_context().meta[META_KEY] = as_user
    by = acting()
    try:
        created, updated = factor_exchange.import_jsonld(db.session, file.read_bytes(), by=by)
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    if output == "json":
        echo_json({"created": [f.code for f in created], "updated": [f.code for f in updated]})
        return
    click.echo(f"新增 created {len(created)}，更新 updated {len(updated)}")


@jsonld.command("submission")
@click.option("--output", type=click.Path(dir_okay=False, path_type=_Path), help="Write the package to this file.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_with_appcontext
def jsonld_submission(output: _Path | None, output_format: str):
    """Assess every factor for the national factor database; with --output, write the package
    (JSON-LD of the factors that pass, the report, a README)."""
    from workbench.commands import acting, echo_json
    from workbench.dates import today
    from workbench.db import db
    from workbench.exchange import factor_exchange
    from workbench.i18n import say

    by, day = acting(), today()
    assessed = factor_exchange.assessments(db.session, day, by=by)
    if output is not None:
        content = factor_exchange.submission_package(db.session, day, by=by)
        db.session.commit()  # kept for the rest of the day (factor_exchange)
        _write_or_echo(content, output, "")
    if output_format == "json":
        echo_json(
            {
                "passed": sum(1 for item in assessed if item.assessment.passed),
                "total": len(assessed),
                "factors": [
                    {
                        "code": item.factor.code,
                        "passed": item.assessment.passed,
                        "reasons": [say(reason) for reason in item.assessment.reasons],
                    }
                    for item in assessed
                ],
            }
        )
        return
    passed = sum(1 for item in assessed if item.assessment.passed)
    click.echo(f"通过 passed {passed} / {len(assessed)}")
    for item in assessed:
        if not item.assessment.passed:
            click.echo(f"{item.factor.code}\t" + "；".join(say(reason) for reason in item.assessment.reasons))
