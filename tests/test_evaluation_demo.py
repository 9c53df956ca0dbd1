"""`workbench demo` gives every evaluation page something real to show: feedback on GB/T 44905—2024,
its concluded evaluation, a group standard's evaluation in progress, an adoption application under
review with its panel's scores and a draft one refused by the two-year rule; loaded once."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.models import User
from workbench.dates import today
from workbench.evaluation import adoption, eligibility
from workbench.evaluation.models import (
    AdoptionApplication,
    AdoptionAttachment,
    AdoptionScore,
    ApplicationStatus,
    Conclusion,
    Evaluation,
    EvaluationPlan,
    EvaluationStatus,
    Feedback,
    FeedbackStatus,
    PanelStatus,
    PlanStatus,
)
from workbench.factors.models import Factor
from workbench.registry import service as registry
from workbench.registry.models import Standard, Status

DEMO_PASSWORD = "workbench-demo"


@pytest.fixture
def attachments(app, tmp_path, monkeypatch):
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(folder))
    return folder


def counts(session) -> dict:
    models = (
        User,
        AuditEvent,
        Feedback,
        EvaluationPlan,
        Evaluation,
        Factor,
        AdoptionApplication,
        AdoptionAttachment,
        AdoptionScore,
        Standard,
    )
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in models}


def test_the_demo_loads_feedback_evaluations_and_adoption_once(cli_runner, database, attachments):
    first = cli_runner("demo")
    assert first.exit_code == 0, first.output
    assert "评估与采信 evaluation: 新建实施反馈 2 条、评估 2 项、演示因子 3 个、采信申请 2 项" in first.output
    assert "cstm" in first.output and "evaluator2" in first.output
    with database() as session:
        national = registry.find_standard(session, "GB/T 44905-2024")
        # Two feedback items: one answered by the secretariat, one open; invented text says so.
        items = session.scalars(select(Feedback).where(Feedback.standard_id == national.id).order_by(Feedback.id)).all()
        assert [item.status for item in items] == [FeedbackStatus.ANSWERED, FeedbackStatus.OPEN]
        assert all("演示" in item.text for item in items) and "演示" in items[0].answer
        assert items[0].answered_by.username == "secretariat"

        # CNIS's evaluation, planned and concluded 提升: no project, the standard stays as it was.
        (evaluation,) = session.scalars(select(Evaluation).where(Evaluation.standard_id == national.id)).all()
        assert evaluation.organisation.name == "中国标准化研究院"
        assert (evaluation.status, evaluation.conclusion) == (EvaluationStatus.CONCLUDED, Conclusion.IMPROVE)
        assert len(evaluation.scores) == 5 and all("演示" in score.evidence for score in evaluation.scores)
        assert evaluation.follow_up is None and national.status == Status.PUBLISHED
        assert evaluation.plan.status == PlanStatus.DONE and "演示" in evaluation.summary
        assert evaluation.facts["facts"]  # the facts as they stood, kept with the conclusion

        # CNIA's evaluation of its own group standard, in progress under an open plan.
        group = registry.find_standard(session, "T/CNIA 0295-2025")
        (in_progress,) = session.scalars(select(Evaluation).where(Evaluation.standard_id == group.id)).all()
        assert in_progress.status == EvaluationStatus.DRAFT and in_progress.organisation.name == "中国有色金属工业协会"
        assert in_progress.plan.status == PlanStatus.PLANNED and len(in_progress.scores) == 3

        # The application under review: it passed eligibility at submission, two evaluators scored.
        adopted = registry.find_standard(session, "T/CSTM 01088-2023")
        (application,) = session.scalars(
            select(AdoptionApplication).where(AdoptionApplication.standard_id == adopted.id)
        ).all()
        assert application.status == ApplicationStatus.SUBMITTED and application.decided_on is None
        assert application.organisation.name == "中关村材料试验技术联盟"
        assert all(found["severity"] != "error" for found in application.eligibility)
        assert [factor.code for factor in adoption.citing_factors(session, adopted)] == [
            "DEMO-GGBS-01",
            "DEMO-GGBS-02",
            "DEMO-GGBS-03",
        ]
        assert all(
            "演示" in factor.name and "演示" in factor.note
            for factor in session.scalars(select(Factor).where(Factor.code.like("DEMO-GGBS-%")))
        )
        members = sorted(member.user.username for member in application.panel if member.status == PanelStatus.MEMBER)
        assert members == ["evaluator", "evaluator2"]
        assert len(adoption.complete_scorers(application)) == 2
        assert all(score.remarks.startswith("演示评分") for score in application.scores)
        (proof,) = application.attachments
        stored = Path(attachments) / proof.stored_name
        assert stored.read_bytes().startswith(b"%PDF-") and "演示" in proof.filename
        # The audit trail names who did each step.
        actors = set(
            session.scalars(
                select(AuditEvent.actor_label).where(
                    AuditEvent.record_type == "adoption_application", AuditEvent.record_id == str(application.id)
                )
            )
        )
        assert actors == {"材料试验技术联盟演示代表 (cstm)"}

        # CNIA's draft application for a standard in force less than two full years shows that finding.
        (draft,) = session.scalars(select(AdoptionApplication).where(AdoptionApplication.standard_id == group.id)).all()
        assert draft.status == ApplicationStatus.DRAFT and draft.created_by_id is not None
        codes = {found.code for found in adoption.check(session, group, draft, today=today()).findings}
        if today() < eligibility.eligible_on(group.implemented_on):
            assert "adoption_years_in_force" in codes
        before = counts(session)
    files = sorted(Path(attachments).iterdir())

    second = cli_runner("demo")
    assert second.exit_code == 0, second.output
    assert "新建实施反馈 0 条、评估 0 项、演示因子 0 个、采信申请 0 项" in second.output
    with database() as session:
        assert counts(session) == before
    assert sorted(Path(attachments).iterdir()) == files


def sign_in(app, username: str):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_the_evaluation_pages_show_the_demo(app, cli_runner, database, attachments, client):
    assert cli_runner("demo").exit_code == 0
    with database() as session:
        national = registry.find_standard(session, "GB/T 44905-2024")
        evaluations = {e.standard.designation: e.id for e in session.scalars(select(Evaluation))}
        applications = {a.standard.designation: a.id for a in session.scalars(select(AdoptionApplication))}
        national_id, concluded = national.id, evaluations[national.designation]
        two_years = eligibility.eligible_on(registry.find_standard(session, "T/CNIA 0295-2025").implemented_on)
    in_progress, under_review, draft = (
        evaluations["T/CNIA 0295—2025"],
        applications["T/CSTM 01088—2023"],
        applications["T/CNIA 0295—2025"],
    )

    # Anyone: the landing page, the concluded evaluation, the standard's history, the decided list.
    landing = client.get("/evaluation/")
    assert landing.status_code == 200 and "GB/T 44905—2024" in landing.text and "提升" in landing.text
    page = client.get(f"/evaluation/{concluded}")
    assert page.status_code == 200 and "中国标准化研究院" in page.text and "【演示】" in page.text
    standard = client.get(f"/standards/{national_id}")
    assert standard.status_code == 200 and "评估历史" in standard.text and "中国标准化研究院" in standard.text
    assert "待答复 1 条" in standard.text
    assert client.get("/adoption/decided").status_code == 200

    admin = sign_in(app, "admin")
    assert "T/CNIA 0295—2025" in admin.get("/evaluation/").text  # the evaluation in progress
    review = admin.get(f"/adoption/{under_review}")
    assert review.status_code == 200 and "评审中" in review.text and "演示评分" in review.text
    assert "4.50" in review.text  # the panel's mean on 需求紧迫性
    assert admin.get(f"/evaluation/{in_progress}").status_code == 200

    association = sign_in(app, "association")
    refused = association.get(f"/adoption/{draft}")
    assert refused.status_code == 200 and "草稿" in refused.text
    if today() < two_years:
        assert "不足两年" in refused.text and "不符合" in refused.text
    panel = sign_in(app, "evaluator2")
    assert "T/CSTM 01088—2023" in panel.get("/adoption/").text
