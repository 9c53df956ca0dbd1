"""Declarations (信息披露) and labels (碳标识) in the JSON API: the same services as the pages
(declarations.py, declaration_reading.py), in the OpenAPI document.

- The list answers what the pages list: the public declarations (verified, suspended, withdrawn)
  for anyone, an enterprise's own of every status, a certifier's queue (those naming its body), all
  for the secretariat and SAMR/MEE; filtered by rule id and status, paged.
- A declaration is created from a calculation of record of the enterprise's own trial
  (`calculation_id`) or from a PACT ProductFootprint sent in the body (`pact`, read by
  pact_reading: 422 with the JSON path of each problem). Fields left out are taken from the file.
- Every change takes the `version` the client read (409 stale_version if changed since), as the
  pages' forms do; the record's shape answers.
- The PACT document in a body is bounded by its properties at the top, by the request's size
  (MAX_CONTENT_LENGTH, then pact_reading.MAX_BYTES) and by the JSON depth every API body is measured for;
  its own fields are checked by pact_reading, not by this schema, so the two cannot drift.
"""

import json
from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from workbench.api.spec import PAGING, created, page_of, paginated, query_choice, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.models import Organisation
from workbench.auth.permissions import Action, Role, can
from workbench.dates import iso, today
from workbench.db import db
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput, NotFound
from workbench.exchange import declaration_reading as reading
from workbench.exchange import declarations as service
from workbench.exchange.models import Declaration, DeclarationSource, DeclarationStatus
from workbench.trials.models import Calculation
from workbench.web import LARGEST_ID, external_url

_id = {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
_date = {"type": "string", "maxLength": 10, "description": "YYYY-MM-DD"}
_nullable_date = {"type": ["string", "null"], "format": "date"}
_version = {
    "type": "integer",
    "minimum": 0,
    "maximum": LARGEST_ID,
    "description": "The version the change was made against; 409 stale_version if changed since",
}
_reason = {"type": "string", "maxLength": service.MAX_TEXT}
_STATUSES = [status.value for status in DeclarationStatus]
_fields = {
    "product": {"type": "string", "maxLength": service.MAX_PRODUCT},
    "period_start": _date,
    "period_end": _date,
    "geography_kind": {"enum": list(service.GEOGRAPHY_KINDS)},
    "geography": {
        "type": "string",
        "maxLength": 40,
        "description": "ISO 3166-1 alpha-2 (country), ISO 3166-2 (subdivision, e.g. CN-ZJ) or a UN M49 region name",
    },
}
_named = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}

spec.add_components(
    {
        "Declaration": {
            "type": "object",
            "required": [
                "id",
                "public_id",
                "status",
                "organisation",
                "product",
                "rule",
                "declared_unit",
                "value",
                "value_unit",
                "period",
                "geography",
                "performance_class",
                "source",
                "certification_body",
                "certificate",
                "status_reason",
                "links",
                "version",
            ],
            "properties": {
                "id": {"type": "integer"},
                "public_id": {"type": "string"},
                "status": {
                    "enum": [*_STATUSES, "expired"],
                    "description": "expired: verified, past valid_until (not stored)",
                },
                "organisation": _named,
                "product": {"type": "string"},
                "rule": {
                    "type": "object",
                    "required": ["id", "code", "number", "title", "revision"],
                    "properties": {
                        "id": {"type": "integer"},
                        "code": {"type": "string"},
                        "number": {"type": "string"},
                        "title": {"type": "string"},
                        "revision": {"type": "integer"},
                    },
                },
                "declared_unit": {"type": "string"},
                "value": {"type": "number", "description": "kg CO2e per declared unit"},
                "value_unit": {"const": "kg CO2e"},
                "period": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {"start": _nullable_date, "end": _nullable_date},
                },
                "geography": {
                    "type": "object",
                    "required": ["kind", "code"],
                    "properties": {"kind": {"type": "string"}, "code": {"type": "string"}},
                },
                "performance_class": {
                    "type": ["string", "null"],
                    "description": "The rule's class; null above the last limit or when the rule has none",
                },
                "source": {"enum": [source.value for source in DeclarationSource]},
                "calculation_id": {
                    "type": ["integer", "null"],
                    "description": "The calculation of record declared from (its enterprise and the secretariat only)",
                },
                "certification_body": {"anyOf": [_named, {"type": "null"}]},
                "submitted_at": {"type": ["string", "null"], "format": "date-time"},
                "certificate": {
                    "type": "object",
                    "required": ["number", "verified_on", "scope", "valid_until", "surveillance_dates"],
                    "properties": {
                        "number": {"type": "string"},
                        "verified_on": _nullable_date,
                        "scope": {"type": "string"},
                        "valid_until": _nullable_date,
                        "surveillance_dates": {"type": "array", "items": {"type": "string", "format": "date"}},
                    },
                },
                "status_reason": {"type": "string"},
                "links": {
                    "type": "object",
                    "description": "The public page, its JSON and its PACT form (readable by anyone once verified)",
                    "required": ["page", "json", "pact"],
                    "properties": {
                        "page": {"type": "string"},
                        "json": {"type": "string"},
                        "pact": {"type": "string"},
                    },
                },
                "version": {"type": "integer"},
            },
        },
        "DeclarationCreate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rule_id"],
            "properties": {
                "rule_id": {**_id, "description": "A rule published on the portal"},
                "calculation_id": {
                    **_id,
                    "description": "The newest usable calculation of record of the enterprise's own trial of the rule",
                },
                "pact": {
                    "type": "object",
                    "maxProperties": 64,
                    "description": "A PACT v3 ProductFootprint instead of a calculation (checked by the "
                    "project's reader: 422 with the JSON path of each problem); its declared unit must be the rule's",
                },
                **_fields,
            },
            "description": "Exactly one of calculation_id and pact. From a calculation, product and period are "
            "required; from a PACT document, fields left out are taken from it.",
        },
        "DeclarationUpdate": {
            "type": "object",
            "additionalProperties": False,
            "description": "A draft or rejected declaration; fields left out keep their values",
            "properties": {**_fields, "version": _version},
        },
        "DeclarationSubmit": {
            "type": "object",
            "additionalProperties": False,
            "required": ["certification_body_id"],
            "properties": {
                "certification_body_id": {**_id, "description": "An organisation of the kind certification body"},
                "version": _version,
            },
        },
        "DeclarationVerify": {
            "type": "object",
            "additionalProperties": False,
            "required": ["certificate_number", "verified_on", "scope"],
            "properties": {
                "certificate_number": {"type": "string", "maxLength": 100},
                "verified_on": {**_date, "description": "YYYY-MM-DD, not after today nor before the submission"},
                "scope": _reason,
                "version": _version,
            },
        },
        "DeclarationReason": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reason"],
            "properties": {"reason": _reason, "version": _version},
        },
        "DeclarationReinstate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"version": _version},
        },
        "DeclarationTerms": {
            "type": "object",
            "required": ["rule_id", "validity_months", "surveillance_months"],
            "properties": {
                "rule_id": {"type": "integer"},
                "validity_months": {"type": "integer"},
                "surveillance_months": {"type": "integer"},
            },
        },
        "DeclarationTermsUpdate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["validity_months", "surveillance_months"],
            "properties": {
                "validity_months": {"type": "integer", "minimum": 1, "maximum": service.MAX_MONTHS},
                "surveillance_months": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": service.MAX_MONTHS,
                    "description": "Not longer than the validity",
                },
            },
        },
    }
)


def _sees_source(user, declaration: Declaration) -> bool:
    return can(user, Action.DECLARE, declaration) or getattr(user, "role", None) in (
        Role.ADMINISTRATOR,
        Role.SECRETARIAT,
    )


def declaration_json(declaration: Declaration) -> dict:
    public_id = declaration.public_id
    body = declaration.certification_body
    return {
        "id": declaration.id,
        "public_id": public_id,
        "status": reading.status_key(declaration, today()),
        "organisation": {"id": declaration.organisation_id, "name": declaration.organisation.name},
        "product": declaration.product,
        "rule": {
            "id": declaration.rule_id,
            "code": declaration.rule.code,
            "number": declaration.rule_number,
            "title": declaration.rule.title,
            "revision": declaration.revision.number,
        },
        "declared_unit": declaration.declared_unit,
        "value": declaration.value,
        "value_unit": "kg CO2e",
        "period": {"start": iso(declaration.period_start), "end": iso(declaration.period_end)},
        "geography": {"kind": declaration.geography_kind, "code": declaration.geography},
        "performance_class": declaration.performance_class,
        "source": declaration.source.value,
        "calculation_id": declaration.calculation_id if _sees_source(current_principal(), declaration) else None,
        "certification_body": {"id": body.id, "name": body.name} if body is not None else None,
        "submitted_at": declaration.submitted_at.isoformat() if declaration.submitted_at else None,
        "certificate": {
            "number": declaration.certificate_number or "",
            "verified_on": iso(declaration.verified_on),
            "scope": declaration.verification_scope or "",
            "valid_until": iso(declaration.valid_until),
            "surveillance_dates": list(declaration.surveillance_dates or []),
        },
        "status_reason": declaration.status_reason or "",
        "links": {
            "page": external_url("declarations.public", public_id=public_id),
            "json": external_url("declarations.public_document", public_id=public_id),
            "pact": external_url("declarations.pact_document", public_id=public_id),
        },
        "version": declaration.version,
    }


def _day(body: dict, key: str) -> date | None:
    text = body.get(key)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("%(field)s 不是日期（YYYY-MM-DD）。", field=key), details={key: text}) from None


def _input(body: dict, current: Declaration | None = None, default_geography: str = "CN") -> service.DeclarationInput:
    """The fields of the body; those left out from `current` (an update) or empty (a new one)."""

    return service.DeclarationInput(
        product=body.get("product", current.product if current else ""),
        period_start=_day(body, "period_start") if "period_start" in body else (current and current.period_start),
        period_end=_day(body, "period_end") if "period_end" in body else (current and current.period_end),
        geography_kind=body.get("geography_kind", current.geography_kind if current else "country"),
        geography=body.get("geography", current.geography if current else default_geography),
    )


def _declaration(declaration_id: int) -> Declaration:
    return reading.get(db.session, declaration_id, by=current_principal())


def _rule(rule_id: int) -> Rule:
    rule = db.session.get(Rule, rule_id)
    if rule is None:
        raise NotFound(_("没有这项规则。"))
    return rule


def _changed(declaration_id: int, operation):
    declaration = _declaration(declaration_id)
    operation(declaration, current_principal())
    return jsonify(declaration_json(declaration))


def _declarer(declaration_id: int) -> None:
    require(Action.DECLARE, _declaration(declaration_id))


def _certifier(declaration_id: int) -> None:
    require(Action.VERIFY_DECLARATION, _declaration(declaration_id))


def _withdrawer(declaration_id: int) -> None:
    declaration = _declaration(declaration_id)
    if not can(current_principal(), Action.DECLARE, declaration):
        require(Action.VERIFY_DECLARATION, declaration)


@spec.operation(
    "/declarations",
    "GET",
    summary="Declarations: the public ones for anyone, an enterprise's own, a certifier's queue; newest first",
    tag="declarations",
    public=True,
    parameters=[
        *PAGING,
        {"name": "rule", "in": "query", "schema": {**_id, "description": "A rule's id"}},
        {"name": "status", "in": "query", "schema": {"enum": _STATUSES}},
    ],
    responses={200: ("A page of declarations", page_of("Declaration"))},
)
def list_declarations():
    status = query_choice("status", set(_STATUSES))
    rule_id = request.args.get("rule", type=int)  # its range checked against the schema already
    query = reading.visible(db.session, current_principal(), rule_id=rule_id, status=status)
    return paginated(query, declaration_json)


@spec.operation(
    "/declarations/<id:declaration_id>",
    "GET",
    summary="One declaration (public once verified; a draft to its enterprise, its certification body, the secretariat)",
    tag="declarations",
    public=True,
    authorise=lambda declaration_id: _declaration(declaration_id),
    responses={200: ("The declaration", ref("Declaration"))},
)
def get_declaration(declaration_id: int):
    return jsonify(declaration_json(_declaration(declaration_id)))


@spec.operation(
    "/declarations",
    "POST",
    summary="A draft declaration under a published rule, from a calculation of record or a PACT ProductFootprint",
    tag="declarations",
    body=ref("DeclarationCreate"),
    authorise=lambda: require(Action.DECLARE),
    responses={201: ("The draft declaration", ref("Declaration"))},
)
def create_declaration(body: dict):
    user = current_principal()
    rule = _rule(body["rule_id"])
    if ("pact" in body) == ("calculation_id" in body):
        raise InvalidInput(
            _("请给出 calculation_id（本企业试算的按规则计算结果）或 pact（PACT ProductFootprint）之一。"),
            details={"calculation_id": _("二者选一。"), "pact": _("二者选一。")},
        )
    if "pact" in body:
        service.refuse_pact_size(len(json.dumps(body["pact"], ensure_ascii=False).encode("utf-8")))
        declaration = service.create_from_pact(db.session, rule, body["pact"], _input(body, None, ""), by=user)
    else:
        calculation = db.session.get(Calculation, body["calculation_id"])
        declaration = service.create_from_calculation(db.session, rule, calculation, _input(body), by=user)
    return created(declaration_json(declaration), url_for(".get_declaration", declaration_id=declaration.id))


@spec.operation(
    "/declarations/<id:declaration_id>",
    "PATCH",
    summary="Edit a draft or rejected declaration (its enterprise)",
    tag="declarations",
    body=ref("DeclarationUpdate"),
    authorise=_declarer,
    responses={200: ("The declaration", ref("Declaration"))},
)
def update_declaration(declaration_id: int, body: dict):
    return _changed(
        declaration_id,
        lambda item, by: service.update(
            db.session, item, _input(body, item), by=by, expected_version=body.get("version")
        ),
    )


@spec.operation(
    "/declarations/<id:declaration_id>/submit",
    "POST",
    summary="Submit to a certification body for verification (its enterprise)",
    tag="declarations",
    body=ref("DeclarationSubmit"),
    authorise=_declarer,
    responses={200: ("The submitted declaration", ref("Declaration"))},
)
def submit_declaration(declaration_id: int, body: dict):
    body_organisation = db.session.get(Organisation, body["certification_body_id"])
    return _changed(
        declaration_id,
        lambda item, by: service.submit(
            db.session, item, body_organisation, by=by, expected_version=body.get("version")
        ),
    )


@spec.operation(
    "/declarations/<id:declaration_id>/verify",
    "POST",
    summary="Verify (the certification body named): certificate number, date and scope; validity follows the rule's terms",
    tag="declarations",
    body=ref("DeclarationVerify"),
    authorise=_certifier,
    responses={200: ("The verified declaration", ref("Declaration"))},
)
def verify_declaration(declaration_id: int, body: dict):
    return _changed(
        declaration_id,
        lambda item, by: service.verify(
            db.session,
            item,
            certificate_number=body["certificate_number"],
            verified_on=_day(body, "verified_on"),
            scope=body["scope"],
            by=by,
            today=today(),
            expected_version=body.get("version"),
        ),
    )


def _reasoned(name: str, summary: str, authorise):
    operation = getattr(service, name)

    def view(declaration_id: int, body: dict):
        return _changed(
            declaration_id,
            lambda item, by: operation(db.session, item, body["reason"], by=by, expected_version=body.get("version")),
        )

    view.__name__ = f"{name}_declaration"
    spec.operation(
        f"/declarations/<id:declaration_id>/{name}",
        "POST",
        summary=summary,
        tag="declarations",
        body=ref("DeclarationReason"),
        authorise=authorise,
        responses={200: ("The declaration", ref("Declaration"))},
    )(view)


_reasoned("reject", "Reject a submitted declaration with reasons: back to the enterprise to edit", _certifier)
_reasoned("suspend", "Suspend a verified declaration with reasons (the certification body)", _certifier)
_reasoned("withdraw", "Withdraw with reasons, finally (the enterprise or its certification body)", _withdrawer)


@spec.operation(
    "/declarations/<id:declaration_id>/reinstate",
    "POST",
    summary="Reinstate a suspended declaration, its validity as it was (the certification body)",
    tag="declarations",
    body=ref("DeclarationReinstate"),
    authorise=_certifier,
    responses={200: ("The declaration", ref("Declaration"))},
)
def reinstate_declaration(declaration_id: int, body: dict):
    return _changed(
        declaration_id,
        lambda item, by: service.reinstate(db.session, item, by=by, expected_version=body.get("version")),
    )


def _terms_json(terms) -> dict:
    return {
        "rule_id": terms.rule_id,
        "validity_months": terms.validity_months,
        "surveillance_months": terms.surveillance_months,
    }


@spec.operation(
    "/rules/<id:rule_id>/declaration-terms",
    "GET",
    summary="How long a declaration verified under the rule stays valid, and its surveillance interval",
    tag="declarations",
    public=True,
    responses={200: ("The rule's terms (the defaults when none are set)", ref("DeclarationTerms"))},
)
def get_declaration_terms(rule_id: int):
    return jsonify(_terms_json(reading.terms_of(db.session, _rule(rule_id).id)))


@spec.operation(
    "/rules/<id:rule_id>/declaration-terms",
    "PUT",
    summary="Set the rule's terms (the secretariat); declarations already verified keep their dates",
    tag="declarations",
    body=ref("DeclarationTermsUpdate"),
    authorise=lambda rule_id: require(Action.SET_DECLARATION_TERMS, _rule(rule_id)),
    responses={200: ("The rule's terms", ref("DeclarationTerms"))},
)
def set_declaration_terms(rule_id: int, body: dict):
    terms = service.set_terms(
        db.session, _rule(rule_id), body["validity_months"], body["surveillance_months"], by=current_principal()
    )
    return jsonify(_terms_json(terms))
