"""The OpenAPI 3.1 document of the PACT host (/pact/openapi.json), written from what the views in
pact_api.py do and with their bounds, so the fuzzing of the document tests the real limits."""

from workbench.exchange import oauth
from workbench.exchange.models import FootprintStatus

# The bounds the views enforce (pact_api imports them from here).
MAX_LIMIT = 100
MAX_OFFSET = 100_000  # far beyond any enterprise's shared footprints; bounds a filtered scan
MAX_FILTER_VALUES = 50
MAX_FILTER_LENGTH = 500
MAX_EVENT_LIST = 100  # pfIds and every other list in an event's data
LIST_FILTERS = ("productId", "companyId", "geography", "classification")
DATE_FILTERS = ("validOn", "validAfter", "validBefore")
EVENT_PREFIX = "org.wbcsd.pact.ProductFootprint."
REQUEST_CREATED = EVENT_PREFIX + "RequestCreatedEvent.3"
EVENT_TYPES = {
    REQUEST_CREATED,
    EVENT_PREFIX + "RequestFulfilledEvent.3",
    EVENT_PREFIX + "RequestRejectedEvent.3",
    EVENT_PREFIX + "PublishedEvent.3",
}


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json_response(description: str, data: dict, **more) -> dict:
    schema = {"type": "object", "required": ["data"], "properties": {"data": data}}
    return {"description": description, "content": {"application/json": {"schema": schema}}, **more}


def openapi_document(token_url: str) -> dict:
    """The OpenAPI 3.1 document of this host: written here from what the views do."""
    strings = {
        "type": "array",
        "items": {"type": "string", "maxLength": MAX_FILTER_LENGTH},
        "maxItems": MAX_FILTER_VALUES,
    }
    list_parameters = [
        {"name": name, "in": "query", "explode": True, "schema": strings, "description": description}
        for name, description in (
            ("productId", "Footprints naming one of these product ids (URNs); case-insensitive."),
            ("companyId", "Footprints naming one of these company ids (URNs); case-insensitive."),
            (
                "geography",
                "Region, country (ISO 3166-1) or subdivision (ISO 3166-2); a country matches its subdivisions.",
            ),
            ("classification", "Footprints with one of these product classifications."),
        )
    ]
    date_parameters = [
        {
            "name": name,
            "in": "query",
            "schema": {"type": "string", "format": "date-time", "maxLength": 64},
            "description": text,
        }
        for name, text in (
            ("validOn", "Footprints whose validity period includes this moment."),
            ("validAfter", "Footprints whose validity starts after this moment."),
            ("validBefore", "Footprints whose validity ends before this moment."),
        )
    ]
    paging = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
        {
            "name": "offset",
            "in": "query",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            "description": "Where the page starts; the Link header of the previous page sets it.",
        },
        {
            "name": "status",
            "in": "query",
            "schema": {"type": "string", "enum": [member.value for member in FootprintStatus]},
        },
    ]
    errors = {
        "400": _error_response("The request is malformed."),
        "401": _error_response("No valid access token, or it has expired (code TokenExpired)."),
        "403": _error_response("The token lacks the scope."),
    }
    footprint = {
        "type": "object",
        "description": "A PACT v3 ProductFootprint.",
        "required": ["id"],
        "properties": {"id": {"type": "string", "format": "uuid"}},
    }
    security = [{"pactClientCredentials": ["footprint:list", "footprint:read"]}]
    event_list = {"type": "array", "maxItems": MAX_EVENT_LIST, "items": {"type": "string", "maxLength": 500}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CFP Standards Workbench: PACT host",
            "version": "3.0.0",
            "description": "An enterprise's shared product footprints, for its trading partners (PACT Technical Specifications v3).",
        },
        "paths": {
            "/pact/auth/token": {
                "post": {
                    "operationId": "pactToken",
                    "summary": "An access token for client credentials (HTTP Basic or form).",
                    "security": [],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["grant_type"],
                                    "properties": {
                                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                                        "scope": {"type": "string", "maxLength": 200},
                                        "client_id": {"type": "string", "maxLength": 64},
                                        "client_secret": {"type": "string", "maxLength": 200},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The token.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}},
                        },
                        "400": {"description": "RFC 6749 section 5.2 error (invalid_scope for an unknown scope)."},
                        "401": {"description": "Unknown or revoked client, or wrong secret."},
                        "429": {"description": "Too many token requests."},
                    },
                }
            },
            "/pact/3/footprints": {
                "get": {
                    "operationId": "pactListFootprints",
                    "summary": "The enterprise's shared footprints, filtered and paged.",
                    "security": security,
                    "parameters": list_parameters + date_parameters + paging,
                    "responses": {
                        "200": _json_response(
                            "One page; a Link header with rel=next while more remain.",
                            {"type": "array", "items": {"$ref": "#/components/schemas/ProductFootprint"}},
                            headers={"Link": {"schema": {"type": "string"}}},
                        ),
                        **errors,
                    },
                }
            },
            "/pact/3/footprints/{id}": {
                "get": {
                    "operationId": "pactGetFootprint",
                    "summary": "One shared footprint.",
                    "security": security,
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 36}}
                    ],
                    "responses": {
                        "200": _json_response("The footprint.", {"$ref": "#/components/schemas/ProductFootprint"}),
                        "404": _error_response(
                            "No such footprint among this enterprise's shared ones (code NoSuchFootprint)."
                        ),
                        **errors,
                    },
                }
            },
            "/pact/3/events": {
                "post": {
                    "operationId": "pactEvents",
                    "summary": "A CloudEvent: a request for footprints, or a notification.",
                    "security": [{"pactClientCredentials": [oauth.EVENTS_SCOPE]}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/cloudevents+json": {"schema": {"$ref": "#/components/schemas/Event"}}},
                    },
                    "responses": {
                        "200": {"description": "Accepted and stored; empty body."},
                        "413": _error_response("The event is too large."),
                        "429": _error_response("Too many events, or too many unanswered requests of this client."),
                        **errors,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "pactClientCredentials": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": token_url,
                            "scopes": {
                                "footprint:list": "List the shared footprints.",
                                "footprint:read": "Read one shared footprint.",
                                oauth.EVENTS_SCOPE: "Send events (requests for footprints, notifications).",
                            },
                        }
                    },
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": [
                                "BadRequest",
                                "AccessDenied",
                                "TokenExpired",
                                "NoSuchFootprint",
                                "NotImplemented",
                                "InternalError",
                            ],
                        },
                        "message": {"type": "string"},
                    },
                },
                "Token": {
                    "type": "object",
                    "required": ["access_token", "token_type", "expires_in"],
                    "properties": {
                        "access_token": {"type": "string"},
                        "token_type": {"type": "string", "enum": ["Bearer"]},
                        "expires_in": {"type": "integer"},
                        "scope": {"type": "string"},
                    },
                },
                "ProductFootprint": footprint,
                "Event": {
                    "type": "object",
                    "required": ["specversion", "id", "source", "type", "data"],
                    "properties": {
                        "specversion": {"const": "1.0"},
                        "id": {"type": "string", "maxLength": 200},
                        "source": {"type": "string", "maxLength": 500},
                        "time": {"type": "string", "maxLength": 64},
                        "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
                        "data": {
                            "type": "object",
                            "properties": {name: event_list for name in ("pfIds", *LIST_FILTERS)},
                        },
                    },
                },
            },
        },
    }
