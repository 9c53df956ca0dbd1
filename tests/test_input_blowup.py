"""Input that is small but costs far more than its size: a JSON body whose strings the depth scan
read again and again (quadratic), and a clause whose Markdown expands to hundreds of megabytes of
HTML (issue 13, security review)."""

import copy
import json

import pytest
from cachetools import LRUCache
from sqlalchemy import select, update

from workbench import json_input
from workbench import markdown as markdown_module
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting.models import Rule, RuleRevision

from .drafting_helpers import make_rule
from .trials_helpers import make_trial

# 64 KB of this took 11 s to measure: every escaped quote started a string that ran to the end.
ESCAPED_QUOTES = '"' + '\\"' * 2_000_000  # 4 MB

# One link target of 20,000 characters used by reference 20,000 times: 80 KB, 200 MB of HTML.
BLOWUP = "[a]: https://example.com/" + "x" * 20_000 + "\n\n" + "[a]" * 20_000


# --- the JSON depth scan ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"' + '\\"' * 50,  # never closed
        '"' + '\\"' * 50 + "\\",  # never closed, and a lone backslash at the end
        '{"a": "b", "c": "d' + '\\"' * 20,
        '"' * 7,
        '["x\\\\", "y\\n',
    ],
)
def test_every_quote_starts_a_string_so_the_depth_scan_never_reads_the_text_twice(text):
    """The scan is linear when a string match can never fail: a failed attempt at one quote reads
    to the end and is tried again from the next quote, once per quote."""
    for position, character in enumerate(text):
        if character == '"':
            assert json_input._STRING.match(text, position) is not None, (text, position)


def test_four_megabytes_of_escaped_quotes_are_measured_and_strings_still_hide_their_brackets():
    assert json_input.nesting_depth(ESCAPED_QUOTES) == 0
    assert json_input.nesting_depth("[[" + ESCAPED_QUOTES + "]]") == 2  # the brackets are in the string
    assert json_input.nesting_depth('[{"a": "]]}\\"["}, ["' + '\\"' * 10) == 2
    with pytest.raises(ValueError):
        json_input.loads("[" + ESCAPED_QUOTES)


def test_a_pathological_json_body_to_the_api_is_a_clear_400(app, people, login, database):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        trial_id = make_trial(session, rule).id
        session.commit()
    client = login(Role.SECRETARIAT)
    response = client.open(
        f"/api/v1/trials/{trial_id}/dataset",
        method="PUT",
        data='{"dataset": "' + '\\"' * 500_000,  # 1 MB
        headers={"X-CSRFToken": client.csrf_token(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json["error"]["code"] == "malformed_request"


# --- Markdown that expands ----------------------------------------------------------------------------


def test_an_entry_larger_than_the_whole_cache_is_rendered_and_not_cached(monkeypatch):
    monkeypatch.setattr(markdown_module, "_cache", LRUCache(maxsize=1_000, getsizeof=lambda entry: entry[0]))
    text = "**" + "字" * 600 + "**"  # under CACHED_TEXT_LIMIT, but source and HTML exceed 1,000
    assert "<strong>" in markdown_module.render(text)  # cachetools raised "value too large" here
    assert markdown_module.cached_characters() == 0
    assert markdown_module.render("短") == "<p>短</p>\n"
    assert markdown_module.cached_characters() > 0


def test_a_text_that_would_expand_past_its_budget_is_shown_as_plain_text():
    assert markdown_module.expands_too_far(BLOWUP)
    html = markdown_module.render(BLOWUP)
    assert html.startswith('<pre class="unrendered">[a]: https://example.com/xxx')
    assert len(html) < 2 * len(BLOWUP)
    assert markdown_module.render("<b>[a]</b>\n\n[a]: javascript:x" * 3).count("&lt;b&gt;") == 3  # still escaped
    ordinary = "# 范围\n\n本文件规定了 **水泥** 的碳足迹。见 [GB/T 24067](https://example.com/24067)。\n\n|a|b|\n|-|-|\n|1|2|\n"
    assert not markdown_module.expands_too_far(ordinary)
    assert "<table>" in markdown_module.render(ordinary)


def test_a_sparse_table_padded_to_its_header_is_still_rendered():
    table = "|" + "列|" * 20 + "\n|" + ":-|" * 20 + "\n" + "|1|\n" * 100  # 500 characters, 70,000 of HTML
    assert not markdown_module.expands_too_far(table)


@pytest.fixture
def rule_id(people, database):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def test_previewing_or_saving_a_clause_that_expands_too_far_is_refused_with_what_to_fix(login, database, rule_id):
    client = login(Role.DRAFTER)
    for extra in ({"preview": "1"}, {}):
        response = client.post_form(
            f"/drafting/{rule_id}/clauses/scope", {"based_on": "1", "title": "范围", "text": BLOWUP, **extra}
        )
        assert response.status_code == 422, extra
        assert "很长的链接地址被引用式链接" in response.text
        assert len(response.text) < 4 * len(BLOWUP)
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1


def test_the_json_document_page_refuses_a_clause_that_expands_too_far(login, database, rule_id):
    client = login(Role.DRAFTER)
    with database() as session:
        rule = session.get(Rule, rule_id)
        document = copy.deepcopy(session.scalar(select(RuleRevision.document).where(RuleRevision.rule_id == rule_id)))
        document["clauses"][0]["text"] = BLOWUP
        text = json.dumps(document, ensure_ascii=False)
        number = rule.current_revision
    response = client.post_form(f"/drafting/{rule_id}/document", {"based_on": str(number), "document": text})
    assert response.status_code == 422
    assert "/clauses/0/text" in response.text and "很长的链接地址被引用式链接" in response.text
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == number


def test_a_clause_stored_before_the_limit_is_shown_as_plain_text_and_the_rule_page_works(login, database, rule_id):
    with database() as session:
        document = copy.deepcopy(session.scalar(select(RuleRevision.document).where(RuleRevision.rule_id == rule_id)))
        document["clauses"][0]["text"] = BLOWUP
        revisions = RuleRevision.__table__  # a stored text as it was before the limit: no service, no audit
        session.execute(update(revisions).where(revisions.c.rule_id == rule_id).values(document=document))
        session.commit()
    response = login(Role.DRAFTER).get(f"/drafting/{rule_id}")
    assert response.status_code == 200
    assert '<pre class="unrendered">[a]: https://example.com/xxx' in response.text
    assert len(response.text) < 4 * len(BLOWUP) + 200_000
