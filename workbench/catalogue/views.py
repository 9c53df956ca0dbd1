"""The lists (重点产品清单, 团体标准推荐清单) and the calls for proposals: pages under /catalogue."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
