"""Live checking: what POST /drafting/<id>/check (views.check) reads from the page and answers.

The parameters page and the clause editor send their unsaved form as the user types
(static/js/livecheck.js); the view builds the document a save would store, service.check_draft
checks it, and the answer carries the findings, the schema problems, the counts, a status line
and the findings panel as HTML, rendered by the same macro as the page's own panel.

Decisions worth knowing:
- The body is the page's own form (form-encoded, its CSRF token in it or in X-CSRFToken), or a
  JSON object of the same fields for scripts; `clause_id` makes it the clause editor's
  {clause_id, title, text}. The clause is held to the limits a save holds it to (ClauseForm).
- The largest body read is MAX_CHECK_BYTES, refused (413) before the CSRF check reads the form.
- A live panel has no forms to suppress a finding: a finding of an unsaved text cannot be
  suppressed (service.suppress looks for it in the saved revision), and the suppress form would
  leave the page and lose what was typed. Suppressions already made apply.
- Each finding names the form field it is shown under (`field`): a field's JSON pointer on the
  parameters page, "title" or "text" in the clause editor, None elsewhere.
"""

from collections.abc import Callable

from flask import get_template_attribute, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from workbench import json_input
from workbench.drafting import schema_forms
from workbench.drafting.forms import MAX_CLAUSE_LENGTH, ClauseForm
from workbench.drafting.models import Rule, RuleRevision
from workbench.drafting.service import DraftCheck
from workbench.errors import WorkbenchError
from workbench.guideline.findings import counts as count_findings
from workbench.i18n import article_text, finding_text, say

# The largest body a live check reads: a clause at its length limit however it is encoded (a
# character percent-encoded, or escaped in JSON, takes up to 12 bytes), and the rest of the form.
MAX_CHECK_BYTES = 12 * MAX_CLAUSE_LENGTH + 64 * 1024

FieldOf = Callable[[str], str | None]  # a finding's path → the form field it is shown under


def submitted() -> MultiDict:
    """The submitted fields: the page's form, or a JSON object of strings (or lists of strings)."""
    if not request.is_json:
        return request.form
    try:
        body = json_input.loads(request.get_data(cache=True).decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON, too deeply nested
        raise WorkbenchError(_("请求体须是 JSON 对象，或表单。")) from None
    if not isinstance(body, dict):
        raise WorkbenchError(_("请求体须是 JSON 对象，或表单。"))
    data = MultiDict()
    for name, value in body.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in values):
            raise WorkbenchError(_("字段“%(name)s”的值须是文字，或文字的列表。", name=name[:100]))
        data.setlist(name, values)
    return data


def clause_draft(document: dict, data: MultiDict) -> tuple[dict, FieldOf]:
    """The document with the clause editor's title and text in place (held to the form and the
    limits of a save), and how a finding's path maps to the editor's fields."""
    clauses = document.get("clauses", [])
    clause_id = data.get("clause_id", "")
    index = next((i for i, item in enumerate(clauses) if item.get("id") == clause_id), None)
    if index is None:
        raise WorkbenchError(_("当前修订中没有条款“%(id)s”。", id=clause_id[:100]))
    form = ClauseForm(formdata=data, meta={"csrf": False})
    if not (form.title.validate(form) and form.text.validate(form)):
        refused = [field for field in (form.title, form.text) if field.errors]
        errors = {field.name: [str(error) for error in field.errors] for field in refused}
        raise WorkbenchError(f"{refused[0].label.text}：{refused[0].errors[0]}", details={"errors": errors})
    # A new document of the stored one's parts: nothing downstream changes a document in place.
    draft = {**document, "clauses": list(clauses)}
    draft["clauses"][index] = {
        **clauses[index],
        "title": form.title.data.strip(),
        "text": (form.text.data or "").replace("\r\n", "\n"),
    }
    prefix = f"/clauses/{index}"

    def field_of(path: str) -> str | None:
        if path == f"{prefix}/title":
            return "title"
        return "text" if path == prefix or path.startswith(prefix + "/") else None

    return draft, field_of


def parameter_fields(fields: list[schema_forms.Field], field_path: Callable[[str], str]) -> FieldOf:
    """How a finding's path maps to the parameters form: the field it is shown under, if any."""
    shown = set()
    stack = list(fields)
    while stack:
        item = stack.pop()
        shown.add(item.path)
        stack.extend(item.children)

    def field_of(path: str) -> str | None:
        name = field_path(path)
        return name if name in shown else None

    return field_of


def answer(
    rule: Rule, current: RuleRevision, checked: DraftCheck, field_of: FieldOf, url_of: Callable[..., str]
) -> dict:
    """The JSON answer: findings and problems in the reader's language with their fields, the
    counts, a status line and the findings panel. `unchanged`: a save would write nothing."""
    counts = count_findings(checked.findings)
    unchanged = checked.document == current.document
    if unchanged:
        summary = _("已检查：与已保存的第 %(number)d 版相同。", number=current.number)
    else:
        summary = _(
            "已检查（未保存）：错误 %(errors)d 项，警告 %(warnings)d 项，提示 %(info)d 项。",
            errors=counts["errors"],
            warnings=counts["warnings"],
            info=counts["info"],
        )
    panel = get_template_attribute("drafting/_drafting.html", "findings_panel")
    return {
        "revision": current.number,
        "unchanged": unchanged,
        "counts": counts,
        "summary": summary,
        "findings": [
            {
                "code": finding.code,
                "severity": finding.severity,
                "article": article_text(finding.article),
                "message": finding_text(finding),
                "path": finding.path,
                "field": field_of(finding.path),
                "suppressed": finding.suppressed,
                "url": url_of(rule, checked.document, finding.path),
            }
            for finding in checked.findings
        ],
        "problems": [
            {"path": problem.path, "field": field_of(problem.path), "message": say(problem.sentence)}
            for problem in checked.problems
        ],
        "panel_html": str(panel(rule, checked.document, checked.findings, counts, False, None, None, live=True)),
    }
