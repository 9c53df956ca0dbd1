"""The exchange's pages under /exchange: shared footprints, PACT clients, partners' requests,
supplier footprints into the library, factors as JSON-LD and the national submission package."""

from flask import Blueprint

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
