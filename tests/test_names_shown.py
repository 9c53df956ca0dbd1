"""People are shown by their names, and the names and quotations inside the system's sentences are
marked as Chinese on an English page (workbench.i18n)."""

from flask_babel import force_locale

from workbench.guideline.findings import Finding, Severity
from workbench.i18n import content_lang, finding_html, is_person, person_name, person_username


def test_a_person_is_shown_by_name_not_username(app):
    with app.test_request_context(), force_locale("en"):
        assert person_name("演示起草人（铝业企业） (smelter)") == "演示起草人（铝业企业）"
        assert person_username("演示起草人（铝业企业） (smelter)") == "smelter"
        assert person_name("Wang Fang (wangf)") == "Wang Fang"
        assert person_name("system") == "System"
        assert person_name("anonymous (127.0.0.1)") == "Anonymous visitor"
        assert not is_person("system") and is_person("Wang Fang (wangf)")


def test_names_inside_a_translated_finding_are_marked_chinese_and_escaped(app):
    found = Finding(
        code="level_duplicate",
        severity=Severity.WARNING,
        article="指引（七）",
        path="/",
        template="“%(product)s”在同一级别已有有效的碳足迹标准或项目（%(standards)s），可能重复制定。",
        params={"product": "锂电池", "standards": "<b>GB/T 1</b>"},
    )
    with app.test_request_context(), force_locale("en"):
        html = str(finding_html(found))
    assert '<span lang="zh-CN">锂电池</span>' in html
    assert "&lt;b&gt;GB/T 1&lt;/b&gt;" in html  # escaped, and not marked: no Chinese in it
    assert html.startswith("“<span") and "already has" in html  # the sentence itself is translated


def test_only_chinese_values_are_marked():
    assert content_lang("企业C") == ' lang="zh-CN"'
    assert content_lang("CFP-R-0001-r3.pdf") == ""
    assert content_lang(None) == ""
