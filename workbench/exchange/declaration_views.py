"""Declarations (信息披露) and labels (碳标识) under published rules: pages under /declarations."""

from flask import Blueprint

bp = Blueprint("declarations", __name__, url_prefix="/declarations")
