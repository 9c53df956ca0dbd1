"""The PACT host endpoint (Technical Specifications v3): /pact/auth/token, /pact/3/footprints,
/pact/3/events, behind OAuth2 client credentials (Authlib)."""

from flask import Blueprint

bp = Blueprint("pact", __name__, url_prefix="/pact")
