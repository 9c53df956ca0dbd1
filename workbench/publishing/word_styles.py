"""The look of the Word file (publishing.word): the page, the fonts and the font table, the
paragraph styles, the running heads, the document's settings and properties, and the small
WordprocessingML helpers the writer sets them with (a property element put where the schema orders
it, a run's East Asian and Latin fonts, a paragraph of a named style).

Pure: python-docx only; no Flask, no database. The look mirrors the HTML/PDF (assets/gb.css), that
is GB/T 1.1—2020: A4 with mirrored margins (25 mm inside, 20 mm outside), 五号 (10.5 pt) text, the
standard number at the head of every page but the cover, outside: right on odd pages, left on even.

Decisions worth knowing:
- Fonts: East Asian text in SimSun (宋体) or SimHei (黑体), Latin text beside them in Times New
  Roman or Arial, each named on its own (w:rFonts eastAsia and ascii/hAnsi). The Chinese fonts go
  by the names Word itself writes on a non-Chinese system, with the Chinese names as w:altName in
  the font table: Word and WPS find 宋体 and 黑体 under either name, while LibreOffice on Linux,
  which reads no altName, finds a stand-in only for SimSun and SimHei (fontconfig knows them for a
  serif and a sans font and takes Noto Serif CJK SC and Noto Sans CJK SC for Chinese text); under
  the name 宋体 it took a sans font. Times New Roman and Arial become Liberation Serif and Sans.
  The font table also gives each font's PANOSE class and family for Word's own substitution.
- Line pitch: at least 1.6 times the type size, as the PDF sets it (gb.css: 16.8 pt for 五号
  text), "at least" so that an equation taller than a line is not clipped.
- A standard's number never breaks across lines (GB/T 32151.8—2015 as "GB/T 32151.8—" and
  "2015"): its space is a no-break space and a word joiner (U+2060) sits on both sides of its
  dash, slash, hyphen or colon (publishing.standard_numbers finds the numbers).
"""

import contextlib
from datetime import UTC, datetime

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from workbench.publishing import standard_numbers
from workbench.publishing.document import RuleDocument

SONG, HEI, MONO, LATIN, SANS = "SimSun", "SimHei", "Courier New", "Times New Roman", "Arial"
# The font table: each font with its other name, PANOSE class, character set and family (what Word
# substitutes by where the font is missing), and what LibreOffice prints it in where it is (through
# fontconfig's aliases; the tests hold a PDF to these).
FONTS = {
    SONG: ("宋体", "02010600030101010101", "86", "auto", "variable", "Noto Serif CJK SC"),
    HEI: ("黑体", "02010609060101010101", "86", "modern", "fixed", "Noto Sans CJK SC"),
    LATIN: ("", "02020603050405020304", "00", "roman", "variable", "Liberation Serif"),
    SANS: ("", "020B0604020202020204", "00", "swiss", "variable", "Liberation Sans"),
    MONO: ("", "02070309020205020404", "00", "modern", "fixed", "Liberation Mono"),
    "Cambria Math": ("", "02040503050406030204", "00", "roman", "variable", "OpenSymbol"),
}
BODY_PITCH = 1.6  # the line pitch, in multiples of the type size (gb.css line-height)
NO_BREAK_AROUND = "—–-/:"  # inside a standard's number: no line break on either side of these
WORD_JOINER = "\u2060"
TEXT_WIDTH = Mm(210 - 25 - 20)  # A4 less the inside and outside margins of gb.css
INDENT = Pt(21)  # two characters of 10.5 pt text
CENTER, LEFT, RIGHT, JUSTIFY = (getattr(WD_ALIGN_PARAGRAPH, name) for name in ("CENTER", "LEFT", "RIGHT", "JUSTIFY"))
# The order WordprocessingML gives the property elements we add ourselves (ECMA-376 §17): Word calls
# a file corrupt when one is out of place, so `put` inserts each where the schema wants it.
ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
    "vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
    "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden",
}


def add_paragraph(container, style: str, text: str = ""):
    """container.add_paragraph(text, style), without python-docx's search for the default style on
    every call (which made one rule take over a second)."""
    paragraph = container.add_paragraph(unbroken(text))
    paragraph._p.style = paragraph.part.styles[style].style_id
    return paragraph


def put(parent, name: str, **attrs):
    """Set child w:`name` of `parent` (replacing any), in the position the schema orders it."""
    order = ORDER[parent.tag.rpartition("}")[2]].split()
    for old in parent.findall(qn(f"w:{name}")):
        parent.remove(old)
    child = w_element(name, **attrs)
    later = {qn(f"w:{tag}") for tag in order[order.index(name) + 1 :]}
    following = next((sibling for sibling in parent if sibling.tag in later), None)
    if following is None:
        parent.append(child)
    else:
        following.addprevious(child)
    return child


def w_element(tag: str, **attrs) -> OxmlElement:
    """A new w:`tag` element with w: attributes."""
    return OxmlElement(f"w:{tag}", {qn(f"w:{key}"): str(value) for key, value in attrs.items()})


def unbroken(text: str) -> str:
    """`text` with each standard's number made one unbreakable word: a no-break space after its
    code, and word joiners around its dash, slash, hyphen and colon (U+2011, the no-break hyphen,
    would print the em dash as a hyphen)."""
    pieces = []
    for piece, number in standard_numbers.split(text):
        if number:
            piece = piece.replace(" ", "\u00a0")
            for mark in NO_BREAK_AROUND:
                piece = piece.replace(mark, f"{WORD_JOINER}{mark}{WORD_JOINER}")
        pieces.append(piece)
    return "".join(pieces)


def set_font(target, name: str, size: float | None = None, latin: str | None = None):
    """Font of a style or a run: `name` for East Asian text, `latin` for Latin letters and digits
    (by default Times New Roman beside 宋体, Arial beside 黑体, as the PDF sets Latin text in the
    serif or the sans font of the line).
    python-docx names only the Latin fonts, and the default template's theme attributes would
    override any name, so the East Asian font is set here and themes dropped. The hint gives
    characters both scripts share (“”, ——, ·) to the East Asian font, as Chinese Word does."""
    latin = latin or (SANS if name == HEI else LATIN)
    target.font.name = latin
    if size:
        target.font.size = Pt(size)
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _pitch(paragraph_format, size: float):
    """At least BODY_PITCH lines of `size` points: taller content (an equation) makes room."""
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    paragraph_format.line_spacing = Pt(round(size * BODY_PITCH, 1))


def _font_table(document):
    """The fonts the document names, with what stands in for them (see FONTS)."""
    entries = []
    for name, (other, panose, charset, family, pitch, _) in FONTS.items():
        alternative = f'<w:altName w:val="{other}"/>' if other else ""
        entries.append(
            f'<w:font w:name="{name}">{alternative}<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        )
    table = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{_W}">{"".join(entries)}</w:fonts>'
    )
    part = next(part for part in document.part.package.parts if part.partname == "/word/fontTable.xml")
    part._blob = table.encode("utf-8")  # a plain part in python-docx: its bytes are what is saved


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _style(document, name: str, font=SONG, size=10.5, align=None, indent=0, base="Normal"):
    styles = document.styles
    style = (
        styles[name]
        if name in styles
        else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=name.startswith("toc"))
    )
    style.base_style = styles[base] if name != base else None
    set_font(style, font, size)
    _pitch(style.paragraph_format, size)
    style.font.bold = style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)  # not the template's blue theme colour
    style.paragraph_format.first_line_indent = indent
    if align is not None:
        style.paragraph_format.alignment = align
    return style


def setup(document, doc: RuleDocument):
    """Page, styles, settings and properties shared by the whole file."""
    page_margins(document.sections[0], top=20, bottom=20)
    normal = _style(document, "Normal", base="Normal")
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = 0
    normal.paragraph_format.widow_control = True
    put(normal.element.get_or_add_rPr(), "lang", val="en-US", eastAsia="zh-CN")
    _style(document, "GB Paragraph", align=JUSTIFY, indent=INDENT)
    for level in (1, 2, 3):
        heading = _style(document, f"Heading {level}", font=HEI, align=LEFT)
        heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(8 if level == 1 else 4), Pt(4)
    title = _style(document, "Title", font=HEI, size=16, align=CENTER)
    title.paragraph_format.space_after = Mm(8)
    for border in title.element.pPr.findall(qn("w:pBdr")):  # the template underlines titles in blue
        title.element.pPr.remove(border)
    caption = _style(document, "GB Caption", font=HEI, align=CENTER)  # 表 1 above its table
    caption.paragraph_format.keep_with_next, caption.paragraph_format.space_before = True, Pt(6)
    figure = _style(document, "GB Figure", align=CENTER)
    figure.paragraph_format.keep_with_next = True  # the picture never leaves its caption behind
    figure.paragraph_format.space_before = Pt(6)
    _style(document, "GB Figure Caption", font=HEI, align=CENTER).paragraph_format.space_after = Pt(6)
    _style(document, "GB Note", size=9, align=JUSTIFY)
    _style(document, "GB Lead-in", font=HEI, align=LEFT).paragraph_format.keep_with_next = True
    item = _style(document, "GB Item", align=JUSTIFY, indent=-Pt(15.75))  # the marker hangs: "a) ", "CFP ——"
    item.paragraph_format.left_indent = INDENT + Pt(15.75)
    where = _style(document, "GB Where", align=JUSTIFY, indent=-2 * INDENT)  # 式中 lines: "C ——" hangs 4 characters
    where.paragraph_format.left_indent = 3 * INDENT  # its later lines begin past the symbol and dash (gb.css p.where)
    _style(document, "GB Table", size=9)
    tabs = _style(document, "GB Formula").paragraph_format.tab_stops
    tabs.add_tab_stop(Emu(TEXT_WIDTH // 2), WD_TAB_ALIGNMENT.CENTER)
    tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    for level in (1, 2):  # Word's own names, so an updated TOC keeps this look
        toc = _style(document, f"toc {level}")
        toc.paragraph_format.left_indent = INDENT * (level - 1)
        toc.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    _style(document, "Header", font=HEI)
    _style(document, "Footer", size=9)
    _font_table(document)
    settings = document.settings
    settings.odd_and_even_pages_header_footer = True  # the head sits outside: right on odd pages, left on even
    settings.element.find(qn("w:zoom")).addnext(OxmlElement("w:mirrorMargins"))  # w:zoom is its predecessor
    settings.element.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    properties = document.core_properties
    properties.title, properties.subject = doc.cover.title, doc.cover.running_head
    properties.language, properties.identifier = doc.language, doc.checksum
    properties.author = properties.last_modified_by = properties.comments = ""
    when = doc.meta.draft_date or doc.meta.published_on
    if when:  # the same revision gives the same properties, whenever it is exported
        with contextlib.suppress(ValueError):  # not an ISO date: keep the template's
            properties.created = properties.modified = datetime.fromisoformat(when).replace(tzinfo=UTC)


def page_margins(section, top: int, bottom: int):
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(25), Mm(20)  # inside and outside (mirrored)


def running_head(section, text: str):
    """The number on every page after the cover, with the page number below; odd and even pages
    mirror each other. The cover section defines neither, so it has none."""
    for part, align in ((section.header, RIGHT), (section.even_page_header, LEFT)):
        part.is_linked_to_previous = False
        part.paragraphs[0].text, part.paragraphs[0].alignment = unbroken(text), align
    for part, align in ((section.footer, RIGHT), (section.even_page_footer, LEFT)):
        part.is_linked_to_previous = False
        paragraph = part.paragraphs[0]
        paragraph.alignment = align
        field = w_element("fldSimple", instr="PAGE")
        field.append(paragraph.add_run("1")._r)
        paragraph._p.append(field)
