"""The pages of background jobs: the ones an account asked for, and each job's progress, which
refreshes itself while the job is queued or running and links to the result when it is done.
/jobs/<id>.json gives the same for scripts and pages that poll."""

from flask import Blueprint, jsonify, render_template

from workbench.auth.access import authenticate_api_token, current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.error_pages import answer_in_json
from workbench.jobs import service
from workbench.jobs.models import Job
from workbench.jobs.registry import KINDS

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

REFRESH_SECONDS = 2


@bp.get("/")
def index():
    require(Action.EDIT_OWN_ACCOUNT)  # any signed-in account, for its own jobs
    return render_template("jobs/index.html", jobs=service.recent(db.session, current_principal()), kinds=KINDS)


def _followed(job_id: int) -> Job:
    require(Action.EDIT_OWN_ACCOUNT)
    found = service.visible(db.session, job_id, current_principal())
    if service.is_lost(found):  # its process ended (no runner has started since): say so, stop waiting
        service.fail_lost(db.session)
        db.session.commit()
        db.session.refresh(found)
    return found


@bp.get("/<id:job_id>")
def job(job_id: int):
    found = _followed(job_id)
    return render_template("jobs/job.html", job=found, kind=KINDS.get(found.kind), refresh=REFRESH_SECONDS)


@bp.get("/<id:job_id>.json")
def job_json(job_id: int):
    # For scripts: errors in JSON (a visitor gets 401, not the sign-in page), and the API's
    # personal tokens sign in here too, so a client of POST …/calculations can poll its job.
    answer_in_json()
    authenticate_api_token()
    return jsonify(service.status_of(_followed(job_id)))
