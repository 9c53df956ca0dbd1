"""Project proposals (立项建议) and the inbox of what awaits each user: pages under /proposals and /inbox."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)
