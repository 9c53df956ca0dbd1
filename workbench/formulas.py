"""Formulas of rule text, written in a small LaTeX subset, typeset as HTML (for the pages and the
PDF) and as Office Math (OMML, for Word).

The subset (docs/rule-document.md): letters (italic variables), digits, `\\mathrm{…}` and
`\\text{…}` (roman), `_` and `^` with `{…}`, `\\frac{…}{…}`, `\\times`, `\\cdot`, `\\sum` with
limits, `\\left( … \\right)`, brackets, + − =, Greek letters (`\\Delta`…), spaces `\\,` `\\;`
`\\quad`, and a few relations (≤ ≥ ≈ ≠ ±). Example, the cement rule's formula (2):
`E_{\\mathrm{cl}} = Q_{\\mathrm{cl}} \\times [(w_{\\mathrm{CaO}} − w_{\\mathrm{CaO,nc}}) \\times \\frac{44}{56} + …]`.

Decisions worth knowing:
- latex2mathml (a maintained pure-Python converter) parses the LaTeX into MathML; both outputs
  walk that MathML tree, so HTML and Word cannot disagree. latex2mathml accepts nearly anything
  (an unknown command becomes a variable named "\\foo", a missing brace is supplied), so the
  subset is checked first, on its tokens and on the tree: an unknown command, unbalanced braces,
  a fraction without its two parts, a subscript without its base, a character TeX reserves (& #
  % ~ $) or a formula over MAX_LENGTH characters or nested deeper than MAX_DEPTH is a
  FormulaError with a sentence that says what to fix; the renderers then show the source as code.
- HTML, not MathML: WeasyPrint does not lay out MathML. Variables are <var> (italic), \\mathrm,
  \\text, digits and operators roman, subscripts real <sub>/<sup>, a fraction two stacked
  blocks in an inline-block (gb.css). Upper-case Greek stays upright (Δ as in ISO 80000-2 and
  TeX), lower-case Greek is italic. Every character is escaped; no attribute carries text.
- OMML: letters are italic by default in Word's maths; upright letters (\\mathrm, \\text, Δ)
  are normal text (<m:nor/>), which Word and LibreOffice both set upright (LibreOffice's import
  ignores <m:sty m:val="p"/>);
  \\sum becomes an n-ary object (m:nary) whose operand is what follows it up to the next +, − or
  = at the same level; \\left…\\right a delimiter object (m:d) that grows with its content.
- Pure: no Flask, no database, no python-docx (Word receives the OMML as XML text).
"""

import html
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from latex2mathml.converter import convert_to_element
from latex2mathml.tokenizer import tokenize
from markupsafe import Markup, escape

from workbench.messages import N_, Message

MAX_LENGTH = 2_000  # characters of one formula's LaTeX; the longest in a real standard is a few hundred
MAX_DEPTH = 12  # nested groups ({…}, \left…\right); deeper is no formula a standard prints

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
OTHER_COMMANDS = (
    "mathrm text frac times cdot div pm sum left right le ge leq geq leqslant geqslant ne neq approx ldots cdots"
)
SPACING_COMMANDS = ("\\%", "\\{", "\\}", "\\,", "\\;", "\\:", "\\!", "\\quad", "\\qquad", "\\ ")
COMMANDS = frozenset([f"\\{name}" for name in f"{GREEK} {OTHER_COMMANDS}".split()] + list(SPACING_COMMANDS))
SUPPORTED = r"\mathrm、\text、\frac、\times、\cdot、\sum、\left、\right"
DELIMITERS = frozenset(["(", ")", "[", "]", ".", "|", r"\{", r"\}"])
RESERVED = frozenset("&#%~$")  # TeX's special characters, which the subset has no use for
# Operators set with space on both sides (binary operators and relations); others (brackets,
# commas) are set tight.
SPACED = frozenset("=+−-×·÷±<>≤≥≈≠⩽⩾")
BREAKS_OPERAND = frozenset("=+−-<>≤≥≈≠⩽⩾")  # where a ∑'s operand ends
NARY = frozenset("∑∏")
SPACES = {"0.167em": "\u2009", "0.222em": "\u2005", "0.278em": "\u2005", "1em": "\u2003", "2em": "\u2003\u2003"}

M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class FormulaError(ValueError):
    """LaTeX outside the subset; `message` says what to change (workbench.messages, shown in
    the reader's language)."""

    def __init__(self, template: str, **params):
        self.message = Message(template, params)
        super().__init__(str(self.message))


# --- reading the LaTeX --------------------------------------------------------------------------------------


def problem(tex: str) -> Message | None:
    """What keeps `tex` from being typeset, as a sentence (str() of it is the Chinese); None
    when it can be. The structure checks report it; the renderers show such a formula's source."""
    try:
        _tree(tex, True)
    except FormulaError as error:
        return error.message
    return None


_ONE_UPRIGHT_LETTER = re.compile(r"\\mathrm\{\s*([A-Za-z])\s*\}")


@lru_cache(maxsize=1024)
def _tree(tex: str, display: bool) -> ElementTree.Element:
    """The MathML tree of `tex` after the subset's checks (cached: a rule page shows each formula
    on every render; the tree is only read, never changed)."""
    tex = tex.strip()
    if not tex:
        raise FormulaError(N_("公式为空。"))
    if len(tex) > MAX_LENGTH:
        raise FormulaError(
            N_("公式过长（%(length)d 个字符，上限 %(limit)d），请拆分为几个公式。"), length=len(tex), limit=MAX_LENGTH
        )
    _check_tokens(tex)
    # latex2mathml writes \mathrm{A} as a bare <mi>A</mi>, which MathML sets in italic like any
    # one-letter identifier; as text it stays upright (E_{\mathrm{A}}: the anode effect's E_A).
    tex = _ONE_UPRIGHT_LETTER.sub(r"\\text{\1}", tex)
    try:
        tree = convert_to_element(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds for input it cannot read
        raise FormulaError(
            N_("公式无法识别（%(kind)s），请检查花括号与命令的参数。"), kind=type(error).__name__
        ) from error
    _check_tree(tree)
    return tree


def _check_tokens(tex: str) -> None:
    for character in tex:
        if unicodedata.category(character) in ("Cc", "Cf") and character not in "\n\t":
            raise FormulaError(N_("公式含控制字符 U+%(code)04X，请删除。"), code=ord(character))
    try:
        tokens = list(tokenize(tex))
    except Exception as error:
        raise FormulaError(N_("公式无法分解为记号，请检查反斜杠命令。")) from error
    depth, fences = 0, 0
    for position, token in enumerate(tokens):
        if token.startswith("\\") and len(token) > 1 and position and tokens[position - 1] == r"\text":
            continue  # \text{…}'s content arrives as one token
        if token == "\\" or token == "\\\\":
            raise FormulaError(N_("公式不能换行（%(command)s）；长公式请拆分为几个公式。"), command="\\\\")
        if token.startswith("\\") and token not in COMMANDS:
            raise FormulaError(
                N_("不支持的命令 %(command)s；可用：%(commands)s 和希腊字母。"), command=token, commands=SUPPORTED
            )
        if token in RESERVED and not (position and tokens[position - 1] == r"\text"):
            raise FormulaError(
                N_("公式中不能出现字符 %(character)s（百分号请写 %(percent)s）。"), character=token, percent="\\%"
            )
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                raise FormulaError(N_("公式的花括号不配对：多了一个 }。"))
        elif token == r"\left":
            fences += 1
        elif token == r"\right":
            fences -= 1
            if fences < 0:
                raise FormulaError(N_("%(right)s 之前没有对应的 %(left)s。"), right="\\right", left="\\left")
        if token in (r"\left", r"\right"):
            following = tokens[position + 1] if position + 1 < len(tokens) else ""
            if following not in DELIMITERS:
                raise FormulaError(
                    N_("%(command)s 之后应是括号（( ) [ ] 或 .），而不是「%(found)s」。"),
                    command=token,
                    found=following,
                )
        if depth + fences > MAX_DEPTH:
            raise FormulaError(N_("公式嵌套过深（超过 %(limit)d 层）。"), limit=MAX_DEPTH)
    if depth:
        raise FormulaError(N_("公式的花括号不配对：少了一个 }。"))
    if fences:
        raise FormulaError(N_("%(left)s 与 %(right)s 不配对。"), left="\\left", right="\\right")


# Children each MathML element of the subset must have: a fraction its two parts, a script its base.
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3}


def _check_tree(tree: ElementTree.Element) -> None:
    for element in tree.iter():
        expected = _ARITY.get(element.tag)
        if expected is None:
            continue
        children = list(element)
        if len(children) != expected and element.tag == "mfrac":
            raise FormulaError(N_("公式不完整：%(frac)s 需要分子和分母两组 {…}。"), frac="\\frac")
        if len(children) != expected:
            raise FormulaError(N_("公式不完整：上标或下标缺少内容。"))
        if element.tag != "mfrac" and not _text_of(children[0]).strip() and not len(children[0]):
            raise FormulaError(N_("下标或上标之前缺少底数（例如 %(example)s）。"), example="E_{\\mathrm{cl}}")


def _text_of(element: ElementTree.Element) -> str:
    return html.unescape(element.text or "")


# --- HTML ----------------------------------------------------------------------------------------------------


def to_html(tex: str, display: bool = False) -> Markup:
    """The formula as HTML inside <span class="math">; LaTeX outside the subset is shown as its
    source in <code class="formula-unreadable"> (the structure checks say what is wrong)."""
    try:
        tree = _tree(tex, display)
    except FormulaError as error:
        return Markup('<code class="formula-unreadable" title="{}">{}</code>').format(str(error), tex)
    kind = "math display" if display else "math"
    return Markup(f'<span class="{kind}">') + _html_children(list(tree)) + Markup("</span>")


def _html_children(children: list) -> Markup:
    return Markup("").join(_html(child) for child in children)


def _html(element: ElementTree.Element) -> Markup:
    tag, children = element.tag, list(element)
    if tag in ("mrow", "math", "mstyle"):
        if children and _is_fence(children[0]):
            return _html_fenced(children)
        return _html_children(children)
    if tag == "mi":
        return _html_identifier(element)
    if tag == "mn":
        return escape(_text_of(element))
    if tag == "mo":
        return _html_operator(_text_of(element))
    if tag == "mtext":
        return Markup('<span class="text">{}</span>').format(_text_of(element))
    if tag == "mspace":
        return escape(SPACES.get(element.get("width", ""), ""))
    if tag == "msub":
        return _html(children[0]) + Markup("<sub>{}</sub>").format(_html(children[1]))
    if tag == "msup":
        return _html(children[0]) + Markup("<sup>{}</sup>").format(_html(children[1]))
    if tag == "msubsup":
        return _html(children[0]) + Markup('<span class="scripts"><sup>{}</sup><sub>{}</sub></span>').format(
            _html(children[2]), _html(children[1])
        )
    if tag == "mfrac":
        return Markup('<span class="frac"><span class="num">{}</span><span class="den">{}</span></span>').format(
            _html(children[0]), _html(children[1])
        )
    if tag in ("munder", "mover", "munderover"):
        over = children[2] if tag == "munderover" else children[1] if tag == "mover" else None
        under = children[1] if tag in ("munder", "munderover") else None
        parts = Markup('<span class="limits">')
        parts += Markup('<span class="over">{}</span>').format(_html(over)) if over is not None else Markup("")
        parts += Markup('<span class="operator">{}</span>').format(_html(children[0]))
        parts += Markup('<span class="under">{}</span>').format(_html(under)) if under is not None else Markup("")
        return parts + Markup("</span>")
    return escape(_text_of(element))  # nothing else is produced from the subset


def _is_fence(element: ElementTree.Element) -> bool:
    return element.tag == "mo" and element.get("fence") == "true"


def _html_fenced(children: list) -> Markup:
    """\\left( … \\right): the brackets drawn taller when what they hold is (a fraction, a sum)."""
    opening, inner, closing = children[0], children[1:-1], children[-1]
    tall = any(node.tag in ("mfrac", "munderover", "munder", "mover") for child in inner for node in child.iter())
    kind = "fence tall" if tall else "fence"
    return (
        Markup('<span class="{}">{}</span>').format(kind, _text_of(opening))
        + _html_children(inner)
        + Markup('<span class="{}">{}</span>').format(kind, _text_of(closing))
    )


def _italic(text: str) -> bool:
    """A variable in italic: one Latin or lower-case Greek letter (ISO 80000-2)."""
    if len(text) != 1 or unicodedata.category(text) not in ("Lu", "Ll"):
        return False
    name = unicodedata.name(text, "")
    return name.startswith("LATIN") or name.startswith("GREEK SMALL")


def _html_identifier(element: ElementTree.Element) -> Markup:
    text = _text_of(element)
    if element.get("mathvariant") == "normal" or not _italic(text):
        if text and not any(character.isalpha() for character in text):
            return _html_operator(text)  # "−" typed as a character arrives as an identifier
        return escape(text)
    return Markup("<var>{}</var>").format(text)


def _html_operator(text: str) -> Markup:
    if text in SPACED:
        return Markup('<span class="op">{}</span>').format(text)
    return escape(text)


# --- Office Math (Word) --------------------------------------------------------------------------------------

# A row of OMML is a list of pieces: a run, (style, text), with style "" (italic), "p" (upright
# digits and operators) or "nor" (upright letters: \\mathrm{…}, \\text{…}, Δ); or an object
# (fraction, script, n-ary, delimiter) as XML text. Runs of one style that touch are written as
# one run ("c" "l" → "cl"), as Word writes them.
ITALIC, ROMAN, TEXT = "", "p", "nor"


def to_omml(tex: str, display: bool = True) -> str:
    """The formula as one <m:oMath> element (XML text, namespaces declared on it); a displayed
    formula's sums carry their limits below and above. Raises FormulaError for LaTeX outside
    the subset."""
    tree = _tree(tex, display)
    return f'<m:oMath xmlns:m="{M}" xmlns:w="{W}">{_xml(_omml_row(list(tree)))}</m:oMath>'


def _xml(pieces: list) -> str:
    merged: list = []
    for position, piece in enumerate(pieces):
        if piece in ((ROMAN, ","), (ROMAN, ".")) and 0 < position < len(pieces) - 1:
            before, after = pieces[position - 1], pieces[position + 1]
            if isinstance(before, tuple) and isinstance(after, tuple) and before[0] == after[0] == TEXT:
                piece = (TEXT, piece[1])  # the comma of \mathrm{CaO,nc} belongs to the name
        if isinstance(piece, tuple) and merged and isinstance(merged[-1], tuple) and merged[-1][0] == piece[0]:
            merged[-1] = (piece[0], merged[-1][1] + piece[1])
        else:
            merged.append(piece)
    return "".join(_run(*piece) if isinstance(piece, tuple) else piece for piece in merged)


def _run(style: str, text: str) -> str:
    properties = {ITALIC: "", ROMAN: '<m:rPr><m:sty m:val="p"/></m:rPr>', TEXT: "<m:rPr><m:nor/></m:rPr>"}[style]
    fonts = '<w:rPr><w:rFonts w:ascii="Cambria Math" w:hAnsi="Cambria Math" w:eastAsia="宋体"/></w:rPr>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<m:r>{properties}{fonts}<m:t{space}>{xml_escape(text)}</m:t></m:r>"


def _omml_row(children: list) -> list:
    """A row of MathML elements as OMML pieces, plain groups flattened; an n-ary operator takes
    what follows it, up to the next +, − or = of the row, as its operand."""
    flat = []
    for child in children:
        if child.tag in ("mrow", "mstyle") and not (len(child) and _is_fence(child[0])):
            flat.extend(child)
        else:
            flat.append(child)
    out, position = [], 0
    while position < len(flat):
        limits = _nary_limits(flat[position])
        if limits is None:
            out += _omml(flat[position])
            position += 1
            continue
        end = position + 1
        while end < len(flat) and not _breaks_operand(flat[end]):
            end += 1
        out.append(_omml_nary(*limits, flat[position + 1 : end]))
        position = end
    return out


def _breaks_operand(element: ElementTree.Element) -> bool:
    return element.tag in ("mo", "mi") and _text_of(element) in BREAKS_OPERAND


def _nary_limits(element: ElementTree.Element):
    """(operator, under, over, location) when `element` is ∑ with or without limits, else None."""
    children = list(element)
    if element.tag == "mo" and _text_of(element) in NARY:
        return _text_of(element), None, None, "undOvr"
    if element.tag not in ("munderover", "munder", "mover", "msubsup", "msub", "msup") or not children:
        return None
    base = children[0]
    if base.tag != "mo" or _text_of(base) not in NARY:
        return None
    location = "undOvr" if element.tag.startswith("mu") or element.tag == "mover" else "subSup"
    if element.tag in ("munderover", "msubsup"):
        return _text_of(base), children[1], children[2], location
    if element.tag in ("munder", "msub"):
        return _text_of(base), children[1], None, location
    return _text_of(base), None, children[1], location


def _omml_nary(operator: str, under, over, location: str, operand: list) -> str:
    properties = f'<m:chr m:val={quoteattr(operator)}/><m:limLoc m:val="{location}"/>'
    if under is None:
        properties += '<m:subHide m:val="1"/>'
    if over is None:
        properties += '<m:supHide m:val="1"/>'
    sub = _xml(_omml(under)) if under is not None else ""
    sup = _xml(_omml(over)) if over is not None else ""
    return (
        f"<m:nary><m:naryPr>{properties}</m:naryPr><m:sub>{sub}</m:sub><m:sup>{sup}</m:sup>"
        f"<m:e>{_xml(_omml_row(operand))}</m:e></m:nary>"
    )


def _argument(name: str, element: ElementTree.Element) -> str:
    return f"<m:{name}>{_xml(_omml(element))}</m:{name}>"


def _omml(element: ElementTree.Element) -> list:
    tag, children = element.tag, list(element)
    if tag in ("mrow", "math", "mstyle"):
        if children and _is_fence(children[0]):
            opening, closing = _text_of(children[0]), _text_of(children[-1])
            return [
                f"<m:d><m:dPr><m:begChr m:val={quoteattr(opening)}/><m:endChr m:val={quoteattr(closing)}/></m:dPr>"
                f"<m:e>{_xml(_omml_row(children[1:-1]))}</m:e></m:d>"
            ]
        return _omml_row(children)
    text = _text_of(element)
    if tag == "mi":
        if element.get("mathvariant") != "normal" and _italic(text):
            return [(ITALIC, text)]
        # Upright letters (\mathrm, Δ) as normal text: LibreOffice reads m:nor but not m:sty.
        return [(TEXT if any(character.isalpha() for character in text) else ROMAN, text)] if text else []
    if tag == "mtext":
        return [(TEXT, text.replace("\u00a0", " "))] if text else []
    if tag == "mspace":
        space = SPACES.get(element.get("width", ""), "")
        return [(ROMAN, space)] if space else []
    if tag == "msub":
        return [f"<m:sSub>{_argument('e', children[0])}{_argument('sub', children[1])}</m:sSub>"]
    if tag == "msup":
        return [f"<m:sSup>{_argument('e', children[0])}{_argument('sup', children[1])}</m:sSup>"]
    if tag == "msubsup":
        arguments = _argument("e", children[0]) + _argument("sub", children[1]) + _argument("sup", children[2])
        return [f"<m:sSubSup>{arguments}</m:sSubSup>"]
    if tag == "mfrac":
        return [f"<m:f>{_argument('num', children[0])}{_argument('den', children[1])}</m:f>"]
    if tag in ("munder", "mover", "munderover"):  # only ∑ has limits in the subset; see _omml_row
        limits = _nary_limits(element)
        return [_omml_nary(*limits, [])] if limits else _omml_row(children)
    return [(ROMAN, text)] if text else []  # mn, mo


# --- text -------------------------------------------------------------------------------------------------------


_SPACE = re.compile(r"\s+")


def plain(tex: str) -> str:
    """The formula as one line of text, scripts inline (E_cl): what a reader of the Markdown or a
    search over the PDF's text finds; the source itself when it cannot be read."""
    try:
        tree = _tree(tex, True)
    except FormulaError:
        return tex
    return _SPACE.sub(" ", "".join(_plain(element) for element in tree)).strip()


def _plain(element: ElementTree.Element) -> str:
    children = list(element)
    if element.tag in ("msub", "munder"):
        return _plain(children[0]) + "_" + _plain(children[1])
    if element.tag in ("msup", "mover"):
        return _plain(children[0]) + "^" + _plain(children[1])
    if element.tag in ("msubsup", "munderover"):
        return _plain(children[0]) + "_" + _plain(children[1]) + "^" + _plain(children[2])
    if element.tag == "mfrac":
        return _plain(children[0]) + "/" + _plain(children[1])
    if element.tag == "mspace":
        return " "
    text = _text_of(element)
    if element.tag in ("mo", "mi") and text in SPACED:
        return f" {text} "
    return text + "".join(_plain(child) for child in children)
