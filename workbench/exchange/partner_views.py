"""An enterprise's PACT partners: the clients that pull its shared footprints, and the requests
and notifications they send (pages under /exchange/partners)."""

from flask import Blueprint

bp = Blueprint("partners", __name__, url_prefix="/exchange/partners")
