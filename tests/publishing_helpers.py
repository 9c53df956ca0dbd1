"""The cement demo rule as template 1.1 writes it: formula (2) in the LaTeX subset, its symbols as
inline formulas, a figure of the system boundary in 5.2 and another in annex A's first
sub-clause (A.1, A.2 as clause entries of their own). The publishing tests render it."""

import base64
import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "rule_templates/cfp-product-rule/1.0/examples"

FORMULA_2 = (
    r"E_{\mathrm{cl}} = Q_{\mathrm{cl}} \times [(w_{\mathrm{CaO}} − w_{\mathrm{CaO,nc}}) \times \frac{44}{56}"
    r" + (w_{\mathrm{MgO}} − w_{\mathrm{MgO,nc}}) \times \frac{44}{40}] \times 1000"
)
# What pdftotext reads of formula (2) with spaces removed, in WeasyPrint's PDF and in LibreOffice's
# alike: the line with its subscripts, then the fractions' numerators and denominators.
FORMULA_2_TEXT = "Ecl=Qcl×[(wCaO−wCaO,nc)×4444+(wMgO−wMgO,nc)×]×10005640（2）"

BOUNDARY_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" viewBox="0 0 480 200">
<rect x="10" y="10" width="460" height="180" fill="none" stroke="#000" stroke-dasharray="6 4"/>
<rect x="40" y="70" width="110" height="60" fill="#eef" stroke="#000"/>
<text x="95" y="105" text-anchor="middle" font-size="16">原料开采</text>
<rect x="185" y="70" width="110" height="60" fill="#eef" stroke="#000"/>
<text x="240" y="105" text-anchor="middle" font-size="16">熟料煅烧</text>
<rect x="330" y="70" width="110" height="60" fill="#eef" stroke="#000"/>
<text x="385" y="105" text-anchor="middle" font-size="16">水泥粉磨</text>
<line x1="150" y1="100" x2="185" y2="100" stroke="#000"/><line x1="295" y1="100" x2="330" y2="100" stroke="#000"/>
<script>alert("never")</script>
</svg>"""


def cement_with_latex() -> dict:
    rule = json.loads((EXAMPLES / "cement.json").read_text(encoding="utf-8"))
    rule["template"] = "cfp-product-rule@1.1"
    clause = next(item for item in rule["clauses"] if "E_cl =" in item["text"])
    plain = next(line for line in clause["text"].split("\n") if line.startswith("E_cl ="))
    text = clause["text"].replace(plain, f"$${FORMULA_2}$$　　（2）")
    for symbol, latex in (
        ("E_cl ——", r"$E_{\mathrm{cl}}$ ——"),
        ("Q_cl ——", r"$Q_{\mathrm{cl}}$ ——"),
        ("w_CaO、w_MgO ——", r"$w_{\mathrm{CaO}}$、$w_{\mathrm{MgO}}$ ——"),
        ("w_CaO,nc、w_MgO,nc ——", r"$w_{\mathrm{CaO,nc}}$、$w_{\mathrm{MgO,nc}}$ ——"),
    ):
        text = text.replace(symbol, latex)
    clause["text"] = text
    rule["figures"] = [
        {
            "id": "system-boundary",
            "caption": "水泥碳足迹量化的系统边界",
            "media_type": "image/svg+xml",
            "data": base64.b64encode(BOUNDARY_SVG.encode()).decode(),
        }
    ]
    boundary = next(item for item in rule["clauses"] if item["id"] == "system-boundary")
    boundary["text"] += "\n\n系统边界见图 1。\n\n![](figure:system-boundary)"
    annex = next(index for index, item in enumerate(rule["clauses"]) if item["kind"].startswith("annex"))
    kind = rule["clauses"][annex]["kind"]
    rule["clauses"][annex + 1 : annex + 1] = [
        {
            "id": "collection-sheets",
            "kind": kind,
            "number": "A.1",
            "title": "数据收集表的使用",
            "text": "![收集流程](figure:system-boundary)",
        },
        {"id": "collection-quality", "kind": kind, "number": "A.2", "title": "数据的核验", "text": "数据应核验。"},
    ]
    return rule
