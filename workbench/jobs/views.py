"""The pages of background jobs: the ones an account asked for, and each job's progress, which
refreshes itself while the job is queued or running and links to the result when it is done.
/jobs/<id>.json gives the same for scripts and pages that poll."""

from flask import Blueprint, jsonify, render_template, request

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.i18n import translate
from workbench.jobs import service
from workbench.jobs.registry import KINDS

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

REFRESH_SECONDS = 2


@bp.get("/")
def index():
    require(Action.EDIT_OWN_ACCOUNT)  # any signed-in account, for its own jobs
    return render_template("jobs/index.html", jobs=service.recent(db.session, current_principal()), kinds=KINDS)


@bp.get("/<id:job_id>")
def job(job_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    found = service.visible(db.session, job_id, current_principal())
    return render_template("jobs/job.html", job=found, kind=KINDS.get(found.kind), refresh=REFRESH_SECONDS)


@bp.get("/<id:job_id>.json")
def job_json(job_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    found = service.visible(db.session, job_id, current_principal())
    return jsonify(
        {
            "id": found.id,
            "kind": found.kind,
            "status": found.status.value,
            "progress": found.progress,
            "message": translate(found.message),
            "result_url": request.script_root + found.result_url if found.result_url else None,
        }
    )
