"""Coverage against the 2027 and 2030 targets: /coverage (SAMR/MEE and the secretariat in detail,
the public in summary)."""

from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
