"""The rule as a Word document (.docx) that a standards committee opens in Word or WPS and keeps editing.

Pure: python-docx only; no Flask, no database. The layout mirrors the HTML/PDF (templates/rule.html,
assets/gb.css), that is GB/T 1.1—2020: a cover with no page header, 目次 and 前言 paged I, II, …, the
body paged from 1, the standard number at the head of every other page. Chapters use Word's own
Heading 1–3 styles, so the navigation pane, outline view and the 目次 (a real TOC field that Word
fills in with page numbers when it updates fields) all work on the committee's copy; an annex's
clauses (A.1, A.1.1) are Heading 2 and 3 like 5.1 and 5.1.1. This module writes the content;
word_styles gives it its look (page, fonts, styles, running heads), word_pages its 目次 page numbers.

Decisions worth knowing:
- Formulas of the LaTeX subset are Word equations (Office Math, m:oMath from workbench.formulas),
  which Word, WPS and LibreOffice edit as equations. A numbered formula is a borderless table of
  one row: an empty cell, the equation as a display math paragraph (m:oMathPara) in the middle,
  and its number at the right margin. Word lays an equation out as display maths (full-size
  fractions, limits below and above ∑) only when it is alone in its paragraph; with the number
  in the same paragraph it would become an inline equation. An inline formula ($…$) is an
  inline m:oMath in its paragraph.
- Figures: a PNG is embedded as it is; an SVG is rasterised at 300 dpi (workbench.figures, with
  CairoSVG), since python-docx embeds no SVG and older Word and WPS show none. The number and
  caption follow in their own paragraph, kept with the picture.
- Tables: the header row repeats at the top of each page a table runs onto (w:tblHeader, as
  GB/T 1.1 wants for a continued table), and no row splits across pages (w:cantSplit).
- 目次 is a real TOC field whose stored result already has the page numbers (word_pages: laid
  out once by LibreOffice when the job runner has it, else estimated, and then the field is
  marked for Word to update on opening).
"""

import io
import re

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from workbench import figures, formulas
from workbench.publishing import word_pages
from workbench.publishing.document import Figure, RuleDocument, Section
from workbench.publishing.word_styles import (
    CENTER,
    HEI,
    INDENT,
    LATIN,
    LEFT,
    MONO,
    RIGHT,
    SONG,
    TEXT_WIDTH,
    add_paragraph,
    page_margins,
    put,
    running_head,
    set_font,
    setup,
    unbroken,
    w_element,
)

# Unicode's subscript letters missing from Times New Roman and Liberation Serif (ᵢ is there).
SUBSCRIPT_LETTERS = dict(zip("\u2c7c\u2095\u2096\u2097\u2098\u2099\u209a\u209b\u209c", "jhklmnpst", strict=True))
TOC_FIELD = ' TOC \\o "1-2" \\h \\z \\u '
EMU_PER_PIXEL = 9525  # a CSS pixel (1/96 in) in English Metric Units
FIGURE_HEIGHT = Mm(200)  # the tallest a figure prints, leaving its caption room on the page
COVER_DATES_TOP = Mm(240)  # from the top of the page; the issuers below end above the 20 mm margin
BLOCK_STYLES = {  # document.parse's marks
    "formula": "GB Formula",
    "caption": "GB Caption",
    "note": "GB Note",
    "lead": "GB Lead-in",
    "item": "GB Item",
    "where": "GB Where",
}


def to_docx(doc: RuleDocument) -> bytes:
    """The .docx file of `doc`: cover, 目次 and 前言/引言, then the body, each its own Word section.
    The 目次's page numbers are LibreOffice's where it can run, else estimated (word_pages)."""
    document = Document()
    setup(document, doc)
    _cover(document, doc)
    front = document.add_section()
    page_margins(front, top=25, bottom=22)
    put(front._sectPr, "pgNumType", fmt="upperRoman", start=1)
    running_head(front, doc.cover.running_head)
    contents = _contents(document, doc)
    for section in doc.front:
        _heading(document, section)
        _blocks(document, section.tokens)
    body = document.add_section()  # inherits the front section's header and footer
    put(body._sectPr, "pgNumType", fmt="decimal", start=1)
    add_paragraph(document, "Title", doc.cover.title)
    for section in doc.body:
        _heading(document, section)
        _blocks(document, section.tokens)
    end = add_paragraph(document, "GB Paragraph")  # the closing rule GB/T 1.1 puts after the last clause
    end.paragraph_format.left_indent = end.paragraph_format.right_indent = Emu((TEXT_WIDTH - Mm(30)) // 2)
    end.paragraph_format.first_line_indent = 0
    end.paragraph_format.space_before = Mm(10)
    _border(end, "bottom")
    return _with_page_numbers(document, doc, contents)


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _with_page_numbers(document, doc: RuleDocument, contents) -> bytes:
    """The file with the 目次's page numbers: estimated first, then, where LibreOffice runs, the
    pages it lays the headings out on, until the numbers it reads are the numbers printed (the
    first pass nearly always: a number's width seldom moves a line)."""
    if not doc.contents:
        return _saved(document)
    field, numbers = contents
    targets = [_bookmark(entry.target) for entry in doc.contents]
    body_first = _bookmark(doc.body[0].id) if doc.body else targets[-1]
    pages = word_pages.estimated(document, targets, body_first)
    for target, run in zip(targets, numbers, strict=True):
        run.text = pages[target]
    data = _saved(document)
    for _ in range(3):
        found = word_pages.measured(data, targets, body_first)
        if found is None:  # estimated: Word updates the field on opening (it asks first)
            return data
        field.set(qn("w:dirty"), "false")
        changed = found != pages
        pages = found
        for target, run in zip(targets, numbers, strict=True):
            run.text = pages[target]
        data = _saved(document)
        if not changed:
            break
    return data


def _border(paragraph, *sides: str, size: int = 12):
    """A paragraph rule (size in eighths of a point): the cover's lines and the patent-notice box."""
    borders = put(paragraph._p.get_or_add_pPr(), "pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            borders.append(w_element(side, val="single", sz=size, space=4, color="000000"))


def _line(document, text: str = "", size=10.5, font=HEI, align=LEFT, before=0):
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = before
    run = paragraph.add_run(unbroken(text))
    set_font(run, font, size)
    return paragraph, run


def _cover(document, doc: RuleDocument):
    cover = doc.cover
    codes, _ = _line(document, f"ICS {cover.ics or '__.___.__'}\t")
    codes.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    mark = codes.add_run(cover.mark)
    set_font(mark, HEI, 34)
    mark.bold = True
    _line(document, f"CCS {cover.ccs or '___'}")
    heading, run = _line(document, cover.heading, 26, align=CENTER, before=Mm(14))
    put(run.element.get_or_add_rPr(), "spacing", val=120)  # 6 pt between characters
    _border(heading, "bottom")
    _line(document, cover.designation, 14, align=RIGHT, before=Mm(2))
    _line(document, cover.title, 24, align=CENTER, before=Mm(45))
    if cover.title_en:
        set_font(_line(document, cover.title_en, 13, SONG, CENTER, Mm(6))[1], SONG, 13, latin=LATIN)
    if cover.stage_label:
        _line(document, f"（{cover.stage_label}）", 14, SONG, CENTER, Mm(10))
        if cover.draft_date:
            _line(document, f"（本稿完成日期：{cover.draft_date}）", 10.5, SONG, CENTER, Mm(2))
    if cover.patent_notice:
        notice, _ = _line(document, cover.patent_notice, before=Mm(14))
        notice.paragraph_format.left_indent = notice.paragraph_format.right_indent = Emu(TEXT_WIDTH // 8)
        _border(notice, "top", "left", "bottom", "right", size=6)
    # The dates and issuers sit at the foot of the cover whatever fills it: frames anchored to the
    # page, one each, since LibreOffice leaves a frame in the text flow when its paragraphs'
    # borders differ (the dates' rule).
    dates, _ = _line(document, f"{cover.published_on} 发布\t{cover.implemented_on} 实施", 14)
    dates.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    _border(dates, "bottom")
    issuers = document.add_paragraph()
    issuers.paragraph_format.space_before = Mm(5)
    issuers.paragraph_format.line_spacing_rule, issuers.paragraph_format.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(24)
    names = cover.issuers or ("",)
    width = Pt(16) * max(len(name) for name in names)  # 16 pt characters; 发布 and the gap before it: 44 pt
    indent = Emu((TEXT_WIDTH - width - Pt(44)) // 2)
    issuers.paragraph_format.left_indent = indent
    issuers.paragraph_format.tab_stops.add_tab_stop(Emu(indent + width + Pt(16)))
    for position, name in enumerate(names):  # the names stacked, 发布 beside their middle
        if position:
            issuers.add_run().add_break()
        set_font(issuers.add_run(name), HEI, 16)
        if position == (len(names) - 1) // 2:
            verb = issuers.add_run("\t发布")
            set_font(verb, HEI, 14)
            if len(names) % 2 == 0:  # between two lines: half a line (in half points) lower
                put(verb.element.get_or_add_rPr(), "position", val=-24)
    for paragraph, top in ((dates, COVER_DATES_TOP), (issuers, Emu(COVER_DATES_TOP + Mm(10)))):
        frame = {"w": TEXT_WIDTH.twips, "hAnchor": "margin", "vAnchor": "page", "y": top.twips, "wrap": "notBeside"}
        put(paragraph._p.get_or_add_pPr(), "framePr", **frame)


def _contents(document, doc: RuleDocument):
    """目次 as a TOC field whose result is what Word would write: each entry a link to its heading,
    a dotted leader and the page number. The caller writes the numbers into the returned runs;
    Word and WPS renumber when fields are updated, LibreOffice when the index is."""
    _line(document, "目　次", 16, align=CENTER)[0].paragraph_format.space_after = Mm(6)
    paragraphs, numbers, field = [], [], None
    for entry in doc.contents or [None]:
        paragraph = add_paragraph(document, f"toc {entry.level if entry else 1}")
        if not paragraphs:
            field = _field_char(paragraph, "begin", dirty="true")
            instruction = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
            instruction.text = TOC_FIELD
            paragraph.add_run()._r.append(instruction)
            _field_char(paragraph, "separate")
        if entry:
            link = w_element("hyperlink", anchor=_bookmark(entry.target), history=1)
            paragraph._p.append(link)
            link.append(paragraph.add_run(unbroken(entry.label))._r)
            link.append(paragraph.add_run("\t")._r)
            number = paragraph.add_run()
            link.append(number._r)
            numbers.append(number)
        paragraphs.append(paragraph)
    _field_char(paragraphs[-1], "end")
    return field, numbers


def _field_char(paragraph, kind: str, **attrs):
    character = w_element("fldChar", fldCharType=kind, **attrs)
    paragraph.add_run()._r.append(character)
    return character


def _heading(document, section: Section):
    if section.is_front:  # 前言, 引言: centred and spaced like the PDF; the TOC still reads 「前言」
        heading = add_paragraph(document, "Heading 1")
        run = heading.add_run(section.title)
        set_font(run, HEI, 16)
        put(run.element.get_or_add_rPr(), "spacing", val=320)
    elif section.is_annex:  # 附录A / （规范性） / title on three lines of one paragraph: one TOC entry
        lines = [line for line in (section.number, section.annex_nature, section.title) if line]
        heading = add_paragraph(document, "Heading 1", "\n".join(lines))
    else:
        heading = add_paragraph(document, f"Heading {min(section.level, 3)}", section.heading)
    if section.is_front or section.is_annex:  # each on a page of its own
        heading.alignment = CENTER
        heading.paragraph_format.page_break_before = True
        heading.paragraph_format.space_after = Mm(6)
    _bookmarks(heading, section)


def _bookmarks(paragraph, section: Section):
    """Bookmarks for the section and the terms it defines, so 「按 6.3」 links lead somewhere."""
    for name in (section.id, *section.anchors):
        number = str(len(paragraph.part.element.xpath("//w:bookmarkStart")) + 1)
        paragraph._p.append(w_element("bookmarkStart", id=number, name=_bookmark(name)))
        paragraph._p.append(w_element("bookmarkEnd", id=number))


def _bookmark(anchor: str) -> str:
    """Word bookmark names: a letter first, letters, digits and underscores, at most 40 characters."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", anchor)
    return (name if name[:1].isalpha() else f"s_{name}")[:40]


def _blocks(document, tokens):
    """Paragraphs and tables for one clause's block tokens."""
    lists: list[list] = []  # one [ordered?, next number] per open list
    marker, quotes, rows = "", 0, None
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":  # GB/T 1.1 list markers: 1) numbered, —— otherwise
            marker = f"{lists[-1][1]})\t" if lists[-1][0] else "——"  # the tab: to the hanging indent
            lists[-1][1] += 1
        elif kind in ("blockquote_open", "blockquote_close"):
            quotes += 1 if kind == "blockquote_open" else -1
        elif kind == "table_open":
            rows = []
        elif kind == "tr_open":
            rows.append([])
        elif kind == "inline" and rows is not None:
            rows[-1].append((tokens[index - 1], token))
        elif kind == "table_close":
            _table(document, rows)
            rows = None
        elif kind == "inline":
            _paragraph(document, tokens[index - 1], token, marker, len(lists), quotes)
            marker = ""
        elif kind in ("fence", "code_block"):
            paragraph = add_paragraph(document, "GB Note")  # line breaks kept: python-docx makes them w:br
            set_font(paragraph.add_run(token.content.rstrip("\n")), SONG, 9, latin=MONO)
        elif kind == "hr":
            _border(document.add_paragraph(), "bottom", size=6)


def _paragraph(document, opening, inline, marker: str, lists: int, quotes: int):
    meta = opening.meta or {}
    if "figure" in meta:
        _figure(document, meta["figure"])
        return
    if "math" in meta:
        _display_formula(document, meta["math"], meta["formula"])
        return
    style = next((BLOCK_STYLES[mark] for mark in BLOCK_STYLES if meta.get(mark)), "GB Paragraph")
    paragraph = add_paragraph(document, style)
    layout = paragraph.paragraph_format
    if lists:  # the marker hangs; the item's text and its later paragraphs line up after it
        layout.left_indent = INDENT * (lists + 1 + quotes)
        layout.first_line_indent = -INDENT if marker else 0
    elif quotes:
        layout.left_indent = INDENT * quotes
    heading = opening.type == "heading_open"  # a Markdown heading in a clause: 黑体, but no outline entry
    if heading:
        layout.first_line_indent = 0
    if marker or "formula" in meta:  # a formula: centred on one tab stop, its number on the right one
        paragraph.add_run(marker or "\t")
    _inline(paragraph, inline.children or [], hei=heading)
    if "formula" in meta:
        paragraph.add_run(f"\t（{meta['formula']}）")


def _inline(paragraph, children, hei: bool = False):
    """Runs for a paragraph's inline tokens. Everything arrives as text: raw HTML is never parsed
    (the Markdown parser has html off), and only http(s) and #anchor links become links."""
    strong, em, link = hei, False, None
    for child in children:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            strong = kind == "strong_open" or hei
        elif kind in ("em_open", "em_close"):
            em = kind == "em_open"
        elif kind == "link_open":
            link = _hyperlink(paragraph, child.attrGet("href") or "")
        elif kind == "link_close":
            link = None
        elif kind == "hardbreak":
            paragraph.add_run().add_break()
        elif kind in ("math_inline", "math_inline_double"):
            _inline_formula(paragraph._p if link is None else link, paragraph, child.content)
        elif kind in ("text", "softbreak", "code_inline", "image"):
            text = " " if kind == "softbreak" else child.content
            if kind == "image":  # its alternative text; the committee's editors place figures themselves
                text = "".join(part.content for part in child.children or [] if part.type == "text")
            for piece, lowered in _subscripts(unbroken(text)):
                run = paragraph.add_run(piece)
                run.font.subscript = lowered or None
                if strong:  # GB/T 1.1 sets emphasis (term numbers, terms) in 黑体, not bold 宋体
                    set_font(run, HEI)
                if kind == "code_inline":
                    set_font(run, SONG, latin=MONO)
                if em:
                    run.italic = True
                if link is not None:
                    link.append(run._r)


def _subscripts(text: str) -> list[tuple[str, bool]]:
    """`text` in pieces, (piece, True) for a subscript letter that neither Times New Roman nor its
    stand-ins have (ⱼ in a 1.0 rule's plain-text formula: Σⱼ(Eⱼ × GWPⱼ)), as the letter itself to be
    set lowered; other pieces (piece, False)."""
    pieces: list[tuple[str, bool]] = []
    for character in text:
        lowered = character in SUBSCRIPT_LETTERS
        piece = SUBSCRIPT_LETTERS.get(character, character)
        if pieces and pieces[-1][1] == lowered:
            pieces[-1] = (pieces[-1][0] + piece, lowered)
        else:
            pieces.append((piece, lowered))
    return pieces


def _hyperlink(paragraph, href: str):
    if href.startswith("#"):
        link = w_element("hyperlink", anchor=_bookmark(href[1:]))
    elif href.lower().startswith(("http://", "https://")):
        relationship = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink", {qn("r:id"): relationship})
    else:  # an inline image's data: URL or anything else: the text alone
        return None
    paragraph._p.append(link)
    return link


def _table(document, rows: list[list]):
    """A real Word table: header row repeated on each page, 9 pt text, a heavier outer rule."""
    table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    borders = put(table._tbl.tblPr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(
            w_element(side, val="single", sz=6 if side.startswith("inside") else 12, space=0, color="000000")
        )
    for row, cells in zip(table.rows, rows, strict=True):
        header = any(cell.type == "th_open" for cell, _ in cells)
        put(row._tr.get_or_add_trPr(), "cantSplit")  # a row is never split across pages
        if header:
            put(row._tr.get_or_add_trPr(), "tblHeader")
        for cell, (opening, inline) in zip(row.cells, cells, strict=False):
            paragraph = cell.paragraphs[0]
            paragraph._p.style = paragraph.part.styles["GB Table"].style_id
            align = opening.attrGet("style") or ""
            paragraph.alignment = CENTER if header or "center" in align else RIGHT if "right" in align else LEFT
            _inline(paragraph, inline.children or [], hei=header)


def _inline_formula(container, paragraph, tex: str):
    """An equation inside a line of text; LaTeX outside the subset stays visible as its source."""
    try:
        container.append(parse_xml(formulas.to_omml(tex, display=False)))
    except formulas.FormulaError:
        run = paragraph.add_run(tex)
        set_font(run, SONG, latin=MONO)
        if container is not paragraph._p:
            container.append(run._r)


def _display_formula(document, tex: str, number: str):
    """A displayed formula: the equation centred on the text block, its number at the right margin."""
    try:
        equation = formulas.to_omml(tex)
    except formulas.FormulaError:  # shown as its source, as in the HTML; the checks say what is wrong
        paragraph = add_paragraph(document, "GB Formula")
        paragraph.add_run("\t")
        set_font(paragraph.add_run(tex), SONG, latin=MONO)
        if number:
            paragraph.add_run(f"\t（{number}）")
        return
    display = parse_xml(
        f'<m:oMathPara xmlns:m="{formulas.M}"><m:oMathParaPr><m:jc m:val="center"/></m:oMathParaPr>'
        f"{equation}</m:oMathPara>"
    )
    if not number:
        paragraph = add_paragraph(document, "GB Formula")
        paragraph.alignment = CENTER
        paragraph._p.append(display)
        return
    side = Emu(TEXT_WIDTH // 8)
    widths = (side, Emu(TEXT_WIDTH - 2 * side), side)
    table = document.add_table(rows=1, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    properties = table._tbl.tblPr
    put(properties, "tblW", w=TEXT_WIDTH.twips, type="dxa")
    borders = put(properties, "tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(w_element(edge, val="nil"))
    put(properties, "tblLayout", type="fixed")
    margins = put(properties, "tblCellMar")
    for edge in ("left", "right"):
        margins.append(w_element(edge, w=0, type="dxa"))
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
        column.width = cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell.paragraphs[0]._p.style = cell.paragraphs[0].part.styles["GB Formula"].style_id
    middle, right = table.rows[0].cells[1].paragraphs[0], table.rows[0].cells[2].paragraphs[0]
    middle.alignment, right.alignment = CENTER, RIGHT
    middle._p.append(display)
    right.add_run(f"（{number}）")


def _figure(document, figure: Figure):
    """The picture centred, then 「图 1　标题」 below it (GB/T 1.1—2020 8.8)."""
    paragraph = add_paragraph(document, "GB Figure")
    paragraph.paragraph_format.first_line_indent = 0
    if figure.image is None:
        paragraph.add_run(f"［图片缺失：{figure.problem}］")
    else:
        try:
            png, width = figures.png_for_print(figure.image, TEXT_WIDTH / EMU_PER_PIXEL, FIGURE_HEIGHT / EMU_PER_PIXEL)
            shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Emu(round(width * EMU_PER_PIXEL)))
            shape._inline.docPr.set("descr", figure.caption or figure.label)
        except Exception as error:  # a figure that cannot be drawn must not stop the document
            paragraph.add_run(f"［图片无法绘制：{type(error).__name__}］")
    add_paragraph(document, "GB Figure Caption", figure.label)
