"""Background jobs (workbench.jobs) and the documents they lay out: a job is handed over only when
the request that asked for it commits, the thread mode really runs it beside the requests, a
revision's PDF is laid out once and served from the store after that, and one account can have
only so many documents waiting."""

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.drafting_helpers import make_rule
from workbench.auth.permissions import Role
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.jobs import runner as runners
from workbench.jobs import service as jobs
from workbench.jobs.models import Job, JobStatus
from workbench.jobs.registry import Outcome, kind
from workbench.publishing import isolation
from workbench.publishing import service as publishing
from workbench.publishing.document import RenderError
from workbench.publishing.models import StoredDocument
from workbench.workflow import service as workflow

from .conftest import SECRETARIAT, Acting, in_parallel

STARTED, RELEASE = threading.Event(), threading.Event()


@kind("test.wait", label="测试任务")
def _wait_for_the_test(context, *, marker: str) -> Outcome:
    context.progress(50, "正在处理…")
    STARTED.set()
    if not RELEASE.wait(timeout=60):
        raise RuntimeError("the test never released the job")
    return Outcome(url=f"/done/{marker}", message="完成")


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_thread_mode_runs_a_job_beside_the_request_once_it_has_committed(app, database, monkeypatch):
    background = runners.Runner(app, "thread")
    monkeypatch.setitem(app.extensions, runners.EXTENSION, background)
    STARTED.clear()
    RELEASE.clear()
    try:
        with database() as session:
            job, created = jobs.enqueue(session, "test.wait", {"marker": "a"}, by=None)
            job_id = job.id
            assert created and not STARTED.is_set()  # nothing is handed over before the commit
            session.commit()
        # The job now runs in the app's worker thread while this thread goes on and looks at it.
        assert STARTED.wait(timeout=60)
        with database() as session:
            running = session.get(Job, job_id)
            assert (running.status, running.progress) == (JobStatus.RUNNING, 50)
    finally:
        RELEASE.set()
        background.wait()
    with database() as session:
        done = session.get(Job, job_id)
        assert (done.status, done.progress, done.result_url) == (JobStatus.DONE, 100, "/done/a")
        assert done.started_at is not None and done.finished_at >= done.started_at


def test_a_job_of_a_rolled_back_request_is_neither_kept_nor_run(app, database, monkeypatch):
    handed = []
    monkeypatch.setattr(runners.Runner, "dispatch", lambda self, pending: handed.extend(pending))
    with database() as session:
        jobs.enqueue(session, "test.wait", {"marker": "b"}, by=None)
        session.rollback()
        session.commit()
        assert _count(session, Job) == 0
    assert handed == []


def _rule(session, stage: str | None = None) -> int:
    rule = make_rule(session)
    if stage:
        workflow.move_stage(session, rule, stage, by=Acting(Role.SECRETARIAT), today=date.today())
    session.commit()
    return rule.id


def test_a_revisions_pdf_is_laid_out_once_by_a_job_and_then_served_from_the_store(login, database, monkeypatch):
    layouts = []
    lay_out = isolation.lay_out

    def counted(kind_name, doc):
        layouts.append(kind_name)
        return lay_out(kind_name, doc)

    monkeypatch.setattr(isolation, "lay_out", counted)
    with database() as session:
        rule_id = _rule(session)
    url = f"/drafting/{rule_id}/revisions/1/rule.pdf"
    drafter, evaluator = login(Role.DRAFTER), login(Role.EVALUATOR)

    pending = drafter.get(url)  # a request never lays a document out itself
    assert pending.status_code == 200 and "还没有生成" in pending.text and layouts == []
    asked = drafter.post_form(f"{url}/render")
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"]
    page = drafter.get(asked.headers["Location"])
    assert "已完成" in page.text and "PDF 已生成" in page.text and f'href="{url}"' in page.text
    status = drafter.get(asked.headers["Location"] + ".json").json
    assert status["status"] == "done" and status["result_url"] == url
    listed = drafter.get("/jobs/").text  # the owner's list names what each job worked on
    assert "生成文档" in listed and "-r1.pdf" in listed and "已完成" in listed

    first = drafter.get(url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF") and layouts == ["pdf"]
    again = evaluator.get(url)  # another account, another request: the stored bytes, no layout
    assert again.data == first.data and layouts == ["pdf"]
    evaluator.post_form(f"{url}/render")  # even a second job for it finds the document stored
    assert layouts == ["pdf"]
    with database() as session:
        assert _count(session, StoredDocument) == 1

    # What the PDF shows changes with the stage (the cover says 征求意见稿): a new document.
    with database() as session:
        rule = drafting.get_rule(session, rule_id)
        workflow.move_stage(session, rule, "30", by=SECRETARIAT, today=date.today())
        session.commit()
    assert "还没有生成" in drafter.get(url).text


def test_someone_elses_job_is_not_found(login, database, people):
    with database() as session:
        # A trial's calculation works on data confidential to its drafters: it is nobody else's.
        job = Job(kind="calculate", arguments={}, status=JobStatus.QUEUED, requested_by_id=people[Role.DRAFTER])
        session.add(job)
        session.commit()
        job_url = f"/jobs/{job.id}"
    assert login(Role.DRAFTER).get(job_url).status_code == 200
    assert login(Role.EVALUATOR).get(job_url).status_code == 404
    assert login(Role.EVALUATOR).get(job_url + ".json").status_code == 404
    assert login(Role.ADMINISTRATOR).get(job_url).status_code == 200
    assert "/login" in login(None).get(job_url).headers["Location"]
    # A script is answered in JSON, not sent to the sign-in page.
    visitor = login(None).get(job_url + ".json")
    assert visitor.status_code == 401 and visitor.json["error"]["code"] == "unauthenticated"


def test_a_second_reader_of_a_document_follows_the_job_already_laying_it_out(app, login, database, monkeypatch):
    monkeypatch.setitem(app.extensions, runners.EXTENSION, Idle(app, "thread"))
    with database() as session:
        rule_id = _rule(session)
    url = f"/drafting/{rule_id}/revisions/1/rule.pdf"
    job_url = login(Role.DRAFTER).post_form(f"{url}/render").headers["Location"]
    evaluator = login(Role.EVALUATOR)
    assert evaluator.get(url).headers["Location"] == job_url  # the download waits for that job…
    assert evaluator.post_form(f"{url}/render").headers["Location"] == job_url  # …and so does asking again
    page = evaluator.get(job_url)
    assert page.status_code == 200 and "-r1.pdf" in page.text
    assert evaluator.get(job_url + ".json").json["status"] == "queued"
    with database() as session:
        assert _count(session, Job) == 1


def test_a_job_whose_process_ended_is_marked_failed_and_no_longer_waited_for(app, login, database, people):
    with database() as session:
        long_ago = utcnow() - jobs.STALE_AFTER - timedelta(minutes=1)
        lost, recent = (
            Job(
                kind="calculate",
                arguments={},
                status=JobStatus.RUNNING,
                created_at=started,
                started_at=started,
                requested_by_id=people[Role.DRAFTER],
            )
            for started in (long_ago, utcnow())
        )
        session.add_all([lost, recent])
        session.commit()
        lost_id, recent_id = lost.id, recent.id
    # Its page says so and stops refreshing, even before any runner starts again…
    page = login(Role.DRAFTER).get(f"/jobs/{lost_id}")
    assert "处理中断" in page.text and 'http-equiv="refresh"' not in page.text
    with database() as session:
        session.get(Job, lost_id).status = JobStatus.RUNNING
        session.commit()
    # …and a runner that starts marks every such job failed; one running for a minute goes on.
    background = runners.Runner(app, "thread")
    background.executor()
    background.wait()
    with database() as session:
        assert session.get(Job, lost_id).status == JobStatus.FAILED
        assert session.get(Job, lost_id).message == jobs.LOST_MESSAGE
        assert session.get(Job, recent_id).status == JobStatus.RUNNING


def test_a_failed_layout_says_why_and_stores_nothing(login, database, monkeypatch):
    def broken(kind_name, doc):
        raise RenderError("PDF 生成失败：测试")

    monkeypatch.setattr(isolation, "lay_out", broken)
    with database() as session:
        rule_id = _rule(session)
    drafter = login(Role.DRAFTER)
    asked = drafter.post_form(f"/drafting/{rule_id}/revisions/1/rule.pdf/render")
    page = drafter.get(asked.headers["Location"])
    assert "失败" in page.text and "PDF 生成失败：测试" in page.text
    with database() as session:
        assert _count(session, StoredDocument) == 0


class Idle(runners.Runner):
    """A queue nobody works on: every job stays queued."""

    def dispatch(self, pending):
        pass


def test_an_account_has_at_most_three_documents_waiting_and_is_told_so(app, login, database, monkeypatch):
    monkeypatch.setitem(app.extensions, runners.EXTENSION, Idle(app, "thread"))
    with database() as session:
        rule_id = _rule(session)
        rule = drafting.get_rule(session, rule_id)
        document = drafting.revision(session, rule).document
        document["parameters"]["cut_off"]["per_item_percent"] = 0.5
        drafting.save_revision(session, rule, document, message="取舍", based_on=1, by=SECRETARIAT)
        session.commit()
    drafter = login(Role.DRAFTER)
    wanted = [f"/drafting/{rule_id}/revisions/{n}/{name}" for n in (1, 2) for name in ("rule.pdf", "rule.docx")]
    job_pages = [drafter.post_form(f"{url}/render").headers["Location"] for url in wanted[:3]]
    assert all("/jobs/" in page for page in job_pages)
    assert drafter.post_form(f"{wanted[0]}/render").headers["Location"] == job_pages[0]  # joins its own job
    refused = drafter.post_form(f"{wanted[3]}/render", follow_redirects=True)
    assert "最多同时 3 个" in refused.text and "生成 Word" in refused.text  # back on the document's page
    assert drafter.get(wanted[0]).headers["Location"] == job_pages[0]  # the download follows the waiting job
    with database() as session:
        assert _count(session, Job) == 3
    other = login(Role.EVALUATOR).post_form(f"{wanted[3]}/render")  # the limit is each account's own
    assert "/jobs/" in other.headers["Location"]


def test_the_render_limit_holds_when_requests_arrive_together(app, login, database, monkeypatch):
    monkeypatch.setitem(app.extensions, runners.EXTENSION, Idle(app, "thread"))
    with database() as session:
        rule_id = _rule(session)
        rule = drafting.get_rule(session, rule_id)
        for number, percent in ((1, 0.5), (2, 0.4)):
            document = drafting.revision(session, rule).document
            document["parameters"]["cut_off"]["per_item_percent"] = percent
            drafting.save_revision(session, rule, document, message="取舍", based_on=number, by=SECRETARIAT)
        session.commit()
    wanted = [f"/drafting/{rule_id}/revisions/{n}/{name}" for n in (1, 2, 3) for name in ("rule.pdf", "rule.docx")]
    clients = [login(Role.DRAFTER) for _ in range(12)]
    tokens = [client.csrf_token() for client in clients]

    def ask(index):
        return clients[index].post(f"{wanted[index % 6]}/render", data={"csrf_token": tokens[index]})

    responses = in_parallel(12, ask)
    assert all(response.status_code == 302 for response in responses)
    with database() as session:
        assert _count(session, Job) == 3


def test_an_account_has_at_most_two_monte_carlo_calculations_open(app, login, database, people, monkeypatch):
    from tests.trials_helpers import make_trial
    from workbench.auth.models import WorkingGroup

    monkeypatch.setitem(app.extensions, runners.EXTENSION, Idle(app, "thread"))
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        trial_id = make_trial(session, rule).id
        session.commit()
    clients = [login(Role.DRAFTER) for _ in range(6)]
    tokens = [client.csrf_token() for client in clients]
    form = {"electricity": "rule", "allocation": "rule", "iterations": "100000", "seed": "1"}

    def ask(index):
        return clients[index].post(f"/trials/{trial_id}/calculate", data={**form, "csrf_token": tokens[index]})

    responses = in_parallel(6, ask)
    assert sum("/jobs/" in response.headers["Location"] for response in responses) == 2
    with database() as session:
        assert _count(session, Job) == 2
    refused = clients[0].post_form(f"/trials/{trial_id}/calculate", form, follow_redirects=True)
    assert "最多同时 2 项" in refused.text
    assert "/jobs/" in login(Role.SECRETARIAT).post_form(f"/trials/{trial_id}/calculate", form).headers["Location"]


def test_the_publish_command_waits_for_its_job_in_the_thread_mode(app, database, cli_runner, monkeypatch):
    monkeypatch.setitem(app.extensions, runners.EXTENSION, runners.Runner(app, "thread"))
    with database() as session:
        code = drafting.get_rule(session, _rule(session, stage="30")).code
    result = cli_runner("publish", code, "--message", "公开征求意见")
    assert result.exit_code == 0 and "cement/30-r1" in result.output and "已发布 published" in result.output
    with database() as session:
        [job] = session.scalars(select(Job)).all()
        assert (job.kind, job.status, job.requested_by_label) == ("publish", JobStatus.DONE, "命令行操作员 (operator)")


def test_jobs_lost_with_their_process_neither_block_the_account_nor_are_waited_for(
    app, login, database, people, monkeypatch
):
    monkeypatch.setitem(app.extensions, runners.EXTENSION, Idle(app, "thread"))
    with database() as session:
        rule_id = _rule(session)
        rule = drafting.get_rule(session, rule_id)
        revision = drafting.revision(session, rule)
        key = publishing.document_key(revision.document, publishing.meta_for(rule, revision), "pdf")
        long_ago = utcnow() - jobs.STALE_AFTER - timedelta(minutes=1)
        for _ in range(3):  # "running" since long ago: their process died with them
            session.add(
                Job(
                    kind="render",
                    key=key,
                    arguments={},
                    status=JobStatus.RUNNING,
                    created_at=long_ago,
                    requested_by_id=people[Role.DRAFTER],
                )
            )
        session.commit()
    drafter = login(Role.DRAFTER)
    url = f"/drafting/{rule_id}/revisions/1/rule.pdf"
    assert "生成 PDF" in drafter.get(url).text  # not sent to wait for a lost job
    asked = drafter.post_form(f"{url}/render")
    assert "/jobs/" in asked.headers["Location"]  # not refused by the limit
    with database() as session:
        assert _count(session, Job) == 4


def test_a_recalculation_with_monte_carlo_runs_as_a_job_and_leads_to_its_result(login, database, people):
    from tests.trials_helpers import make_trial
    from workbench.auth.models import WorkingGroup
    from workbench.trials.models import Trial

    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        trial_id = make_trial(session, rule).id
        session.commit()
    drafter = login(Role.DRAFTER)
    options = {"electricity": "rule", "allocation": "rule", "seed": "7"}
    asked = drafter.post_form(f"/trials/{trial_id}/calculate", {**options, "iterations": "2000"})
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"]
    status = drafter.get(asked.headers["Location"] + ".json").json
    with database() as session:
        latest = session.get(Trial, trial_id).calculations[-1]
        assert (latest.options["iterations"], latest.options["electricity"]) == (2000, "rule")
        assert status["status"] == "done" and status["result_url"] == f"/trials/{trial_id}?calculation={latest.id}"
    # Without draws the calculation takes milliseconds and stays in the request.
    direct = drafter.post_form(f"/trials/{trial_id}/calculate", {**options, "iterations": "0"})
    assert direct.status_code == 302 and direct.headers["Location"].startswith(f"/trials/{trial_id}?calculation=")
