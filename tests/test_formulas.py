"""Formulas in the LaTeX subset (workbench.formulas): the HTML the pages and the PDF show, the
Office Math that Word gets, and LaTeX outside the subset refused with a sentence that says what
to fix, never a crash. The cement rule's formula (2) is the case the issue names."""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from workbench import formulas
from workbench.markdown import render

CEMENT_2 = (
    r"E_{\mathrm{cl}} = Q_{\mathrm{cl}} \times [(w_{\mathrm{CaO}} − w_{\mathrm{CaO,nc}}) \times \frac{44}{56}"
    r" + (w_{\mathrm{MgO}} − w_{\mathrm{MgO,nc}}) \times \frac{44}{40}] \times 1000"
)
SUM = (
    r"C = \frac{\sum_{i} \left( A_{i} \times F_{i} \right) + \sum_{j} \left( m_{j} \times \mathrm{GWP}_{j} \right)}{Q}"
)
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"


def omml(tex: str, display: bool = True) -> ElementTree.Element:
    return ElementTree.fromstring(formulas.to_omml(tex, display))


def runs(element: ElementTree.Element) -> list[tuple[str, str]]:
    """(style, text) of each math run: "" italic, "p" upright, "nor" normal text."""
    found = []
    for run in element.iter(f"{M}r"):
        style = (
            "nor" if run.find(f"{M}rPr/{M}nor") is not None else "p" if run.find(f"{M}rPr/{M}sty") is not None else ""
        )
        found.append((style, run.find(f"{M}t").text))
    return found


def test_cement_formula_2_in_html_has_italic_variables_upright_subscripts_and_stacked_fractions():
    html = str(formulas.to_html(CEMENT_2, display=True))
    assert html.startswith('<span class="math display">')
    assert re.findall(r"<var>(\w)</var>", html) == ["E", "Q", "w", "w", "w", "w"]
    assert re.findall(r"<sub>([^<]*)</sub>", html) == ["cl", "cl", "CaO", "CaO,nc", "MgO", "MgO,nc"]
    assert html.count('<span class="frac"><span class="num">44</span>') == 2
    assert '<span class="den">56</span>' in html and '<span class="den">40</span>' in html
    assert re.findall(r'<span class="op">(.)</span>', html) == ["=", "×", "−", "×", "+", "−", "×", "×"]
    assert "1000</span>" in html  # digits upright, as plain text
    assert formulas.plain(CEMENT_2) == (
        "E_cl = Q_cl × [(w_CaO − w_CaO,nc) × 44/56 + (w_MgO − w_MgO,nc) × 44/40] × 1000"
    )


def test_cement_formula_2_in_word_is_an_equation_with_subscripts_and_fractions():
    equation = omml(CEMENT_2)
    assert equation.tag == f"{M}oMath"
    subscripts = equation.findall(f".//{M}sSub")
    assert [runs(sub.find(f"{M}e")) for sub in subscripts] == [[("", "E")], [("", "Q")]] + [[("", "w")]] * 4
    assert [runs(sub.find(f"{M}sub")) for sub in subscripts] == [
        [("nor", "cl")],
        [("nor", "cl")],
        [("nor", "CaO")],
        [("nor", "CaO,nc")],  # the comma belongs to the name, in one upright run
        [("nor", "MgO")],
        [("nor", "MgO,nc")],
    ]
    fractions = equation.findall(f".//{M}f")
    assert [(runs(f.find(f"{M}num")), runs(f.find(f"{M}den"))) for f in fractions] == [
        ([("p", "44")], [("p", "56")]),
        ([("p", "44")], [("p", "40")]),
    ]


def test_sums_become_n_ary_objects_over_their_operand_and_left_right_a_growing_delimiter():
    equation = omml(SUM)
    numerator = equation.find(f".//{M}f/{M}num")
    sums = numerator.findall(f"{M}nary")
    assert len(sums) == 2
    first = sums[0]
    assert first.find(f"{M}naryPr/{M}chr").get(f"{M}val") == "∑"
    # In a fraction the sum is set as in text, its limits beside it (TeX's \\textstyle numerator);
    # a sum of its own on the formula's line has them below and above.
    assert first.find(f"{M}naryPr/{M}limLoc").get(f"{M}val") == "subSup"
    displayed = omml(r"E = \sum_{i=1}^{n} E_{i}").find(f"{M}nary/{M}naryPr/{M}limLoc")
    assert displayed.get(f"{M}val") == "undOvr"
    assert first.find(f"{M}naryPr/{M}supHide").get(f"{M}val") == "1"
    assert runs(first.find(f"{M}sub")) == [("", "i")]
    operand = first.find(f"{M}e/{M}d")  # the sum runs over the bracket, not over what follows "+"
    assert operand is not None and operand.find(f"{M}dPr/{M}begChr").get(f"{M}val") == "("
    assert [child.tag for child in numerator] == [f"{M}nary", f"{M}r", f"{M}nary"]
    assert runs(numerator)[sum(1 for _ in first.iter(f"{M}r"))] == ("p", "+")
    inline = omml(r"\sum_{i}^{n} x_i", display=False)
    assert inline.find(f".//{M}limLoc").get(f"{M}val") == "subSup"


def test_greek_letters_text_and_spaces():
    html = str(formulas.to_html(r"\Delta \alpha \cdot \text{总量}\, x"))
    assert "Δ<var>α</var>" in html  # upright capital Δ (ISO 80000-2), italic small α
    assert '<span class="op">·</span>' in html
    assert '<span class="text">总量</span>\u2009<var>x</var>' in html
    assert ("nor", "Δ") in runs(omml(r"\Delta E"))


@pytest.mark.parametrize(
    ("tex", "says"),
    [
        (r"\foo{x} + 1", r"不支持的命令 \foo"),
        (r"E_{\mathrm{cl} = 1", "少了一个 }"),
        (r"E_{cl}} = 1", "多了一个 }"),
        (r"E = \frac{44}", r"\frac 需要分子和分母"),
        (r"\left( x", r"\left 与 \right 不配对"),
        (r"\left x \right)", "之后应是括号"),
        (r"_{2} = x", "缺少底数"),
        (r"x^", "无法识别"),
        ("a & b", "不能出现字符 &"),
        (r"a \\ b", "不能换行"),
        ("{" * 13 + "x" + "}" * 13, "嵌套过深"),
        ("x" * (formulas.MAX_LENGTH + 1), "公式过长"),
        ("", "公式为空"),
    ],
)
def test_latex_outside_the_subset_is_refused_with_what_to_fix_and_shown_as_its_source(tex, says):
    problem = formulas.problem(tex)
    assert problem is not None and says in str(problem)
    html = str(formulas.to_html(tex, display=True))
    assert html.startswith('<code class="formula-unreadable"')
    with pytest.raises(formulas.FormulaError):
        formulas.to_omml(tex)


def test_nothing_in_a_formula_becomes_markup():
    tex = r"\text{<script>alert(1)</script>} + x_{\text{<b>}} + \text{\" onmouseover=x}"
    assert formulas.problem(tex) is None
    html = str(formulas.to_html(tex))
    assert "<script" not in html and "<b>" not in html and '" onmouseover' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    refused = str(formulas.to_html('<img src=x onerror=alert(1)> & "'))
    assert "<img" not in refused and "&lt;img" in refused
    assert "<script" not in formulas.to_omml(tex).replace("&lt;script&gt;", "")


def test_rule_text_renders_inline_and_displayed_formulas_and_keeps_dollars_that_are_money():
    html = str(
        render("其中 $w_{\\mathrm{CaO}}$ 为质量分数，价格 5 $ 或 6 $ 不是公式。\n\n$$E = \\frac{a}{b}$$　　（2）")
    )
    assert '<span class="math"><var>w</var><sub>CaO</sub></span>' in html
    assert "价格 5 $ 或 6 $ 不是公式" in html
    assert '<span class="math display"><var>E</var>' in html and '<span class="frac">' in html
    unreadable = str(render("见 $\\foo$。"))
    assert '<code class="formula-unreadable"' in unreadable and "\\foo</code>" in unreadable


def test_a_single_upright_letter_stays_upright():
    """E_{\\mathrm{A}} (the anode effect's emission) prints an upright A, like a longer \\mathrm."""
    html = str(formulas.to_html(r"E_{\mathrm{A}} = w_{\mathrm{S}} \times \mathrm{e}"))
    assert "<var>A</var>" not in html and "<var>S</var>" not in html and "<var>e</var>" not in html
    assert html.count("<var>") == 2  # E and w
    assert "<m:nor/>" in formulas.to_omml(r"E_{\mathrm{A}}")


@pytest.mark.parametrize(
    "tex",
    [r"\href{http://127.0.0.1:1/}{x}", r"\url{file:///etc/passwd}", r"\includegraphics{/etc/passwd}",
     r"\input{/etc/passwd}", r"\def\x{y} \x", r"\newcommand{\x}{y}", r"\csname href\endcsname{x}",
     r"\mathrm{\href{a}{b}}", r"x_{\url{a}}", "\\frac{" * 1000 + "a" + "}{b}" * 1000, "\\frac{" * 40 + "a" + "}{b}" * 40],
)  # fmt: skip
def test_what_tex_would_fetch_read_or_define_is_refused_and_shown_as_its_source(tex):
    assert formulas.problem(tex) is not None
    html = str(formulas.to_html(tex, display=True))
    assert html.startswith('<code class="formula-unreadable"') and "<a" not in html and "<img" not in html
    with pytest.raises(formulas.FormulaError):
        formulas.to_omml(tex)
