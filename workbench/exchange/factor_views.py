"""Factors in openLCA JSON-LD and the national submission package: pages under /exchange/factors."""

from flask import Blueprint

bp = Blueprint("factor_exchange", __name__, url_prefix="/exchange/factors")
