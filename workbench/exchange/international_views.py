"""The international comparison (指引（十八）): pages under /international."""

from flask import Blueprint

bp = Blueprint("international", __name__, url_prefix="/international")
