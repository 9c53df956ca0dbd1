"""Which page each 目次 entry of the Word file is on, so the TOC field's result shows page numbers
the moment the file is opened (Word, WPS and LibreOffice show a field's stored result until the
fields are updated, and LibreOffice never updates them on opening).

Two ways, the better one when it can run:

- `measured`: the file laid out by LibreOffice (`soffice --headless`, PDF export with Word's
  bookmarks as named destinations), the page of each heading's bookmark read from the PDF with
  pikepdf. Exact for LibreOffice; Word lays the same text out with the same fonts, line pitch and
  page breaks, so its pages agree but for a rare line. Only a job runner lays out a Word file
  (publishing.tasks, publishing.isolation) or `workbench render`, so no web request ever waits
  for LibreOffice. It is used when `soffice` is on the PATH, unless WORKBENCH_WORD_PAGES=estimate
  (the test suite sets that: a publication there need not start LibreOffice).
- `estimated`: a count of lines from the document's own styles (character widths, line pitch,
  spacing, tables, pictures, page breaks): near, not exact. The TOC field is then marked dirty,
  so Word offers to update it on opening.

Pure: no Flask, no database; the standard library, python-docx objects and pikepdf.
"""

import io
import math
import os
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from docx.oxml.ns import qn
from docx.shared import Emu, Mm
from docx.text.parfmt import ParagraphFormat

LIBREOFFICE_SECONDS = 180
# The PDF export LibreOffice runs, asked to turn Word's bookmarks into named destinations.
PDF_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50), ("XL", 40),
         ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))  # fmt: skip


def roman(number: int) -> str:
    """I, II, III … as the 目次 and 前言 pages are numbered."""
    letters = []
    for letter, value in ROMAN:
        count, number = divmod(number, value)
        letters.append(letter * count)
    return "".join(letters)


def labels(page_of: dict[str, int], front_start: int, body_start: int) -> dict[str, str]:
    """Page indexes (0 = the cover) as the page numbers printed on them: the front matter (目次,
    前言, 引言) I, II … from `front_start`, the body 1, 2 … from `body_start`."""
    return {
        target: str(index - body_start + 1) if index >= body_start else roman(index - front_start + 1)
        for target, index in page_of.items()
    }


def libreoffice() -> str | None:
    """The LibreOffice to measure with, or None: not installed, or WORKBENCH_WORD_PAGES=estimate."""
    if os.environ.get("WORKBENCH_WORD_PAGES", "").strip().lower() == "estimate":
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def measured(docx: bytes, targets: list[str], body_first: str) -> dict[str, str] | None:
    """The printed page number of each bookmark in `targets` as LibreOffice lays `docx` out; None
    when LibreOffice is missing, fails, takes too long, or loses a bookmark (the caller estimates
    then). `body_first` is the bookmark of the body's first heading, on page 1."""
    soffice = libreoffice()
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="workbench-word-") as folder:
        work = Path(folder)
        (work / "rule.docx").write_bytes(docx)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",  # its own profile: no clash with another
            "--headless", "--norestore", "--convert-to", PDF_FILTER, "--outdir", str(work), str(work / "rule.docx"),
        ]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=LIBREOFFICE_SECONDS, check=True, cwd=work)
            pdf = (work / "rule.pdf").read_bytes()
        except (OSError, subprocess.SubprocessError):
            return None
    page_of = pages_of_destinations(pdf)
    wanted = [*targets, body_first]
    if any(pdf_name(target) not in page_of for target in wanted):
        return None
    found = {target: page_of[pdf_name(target)] for target in wanted}
    return labels({target: found[target] for target in targets}, 1, found[body_first])


def pdf_name(bookmark: str) -> str:
    """A Word bookmark's name as LibreOffice names its PDF destination: characters other than
    letters and digits as their hexadecimal code ("activity_data" → "activity5Fdata")."""
    return "".join(c if c.isascii() and c.isalnum() else f"{ord(c):02X}" for c in bookmark)


def pages_of_destinations(pdf: bytes) -> dict[str, int]:
    """Each named destination of `pdf` and the index of the page it points to (0 = first)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        index = {page.objgen: number for number, page in enumerate(document.pages)}
        root = document.Root
        if "/Dests" in root:
            items = list(root.Dests.items())
        elif "/Names" in root and "/Dests" in root.Names:
            items = list(pikepdf.NameTree(root.Names.Dests).items())
        else:
            items = []
        found = {}
        for name, destination in items:
            if isinstance(destination, pikepdf.Dictionary):
                destination = destination.D
            if isinstance(destination, pikepdf.Array) and len(destination):
                page = index.get(destination[0].objgen)
                if page is not None:
                    found[str(name).lstrip("/")] = page
        return found


# --- the estimate ---------------------------------------------------------------------------

TEXT_HEIGHT = Mm(297 - 25 - 22).pt  # points: A4 less the margins of the front and body sections
NATURAL = 1.45  # a line of Noto CJK or SimSun text without a set pitch, in ems
LATIN_EM = 0.5  # the average advance of a Latin letter or digit, in ems


def estimated(document, targets: list[str], body_first: str) -> dict[str, str]:
    """The printed page number of each bookmark in `targets`, counted from the python-docx
    `document`'s paragraphs, tables and pictures. Tells nothing exact: see the module's text."""
    layout = _Estimate(document)
    body = document.element.body
    for child in body:
        if child.tag == qn("w:p"):
            layout.paragraph(child)
        elif child.tag == qn("w:tbl"):
            layout.table(child)
    wanted = [*targets, body_first]
    found = {target: layout.page_of.get(target, layout.page) for target in wanted}
    return labels({target: found[target] for target in targets}, 1, found[body_first])


class _Estimate:
    def __init__(self, document):
        self.styles = {style.style_id: style for style in document.styles}
        self.width = document.sections[-1].page_width - document.sections[-1].left_margin
        self.width -= document.sections[-1].right_margin
        self.page, self.used = 0, 0.0  # the cover is page 0
        self.page_of: dict[str, int] = {}

    def _style_value(self, style, read):
        while style is not None:
            value = read(style)
            if value is not None:
                return value
            style = style.base_style
        return None

    def _format(self, p, name: str):
        """Paragraph `p`'s `name` (space_before, line_spacing …): its own, else its style's."""
        direct = getattr(ParagraphFormat(p), name) if p.pPr is not None else None
        if direct is not None:
            return direct
        return self._style_value(self.styles.get(p.style), lambda style: getattr(style.paragraph_format, name))

    def _size(self, p) -> float:
        sizes = [float(size.get(qn("w:val"))) / 2 for size in p.iter(qn("w:sz")) if size.getparent().tag == qn("w:rPr")]
        if sizes:
            return max(sizes)
        value = self._style_value(self.styles.get(p.style), lambda style: style.font.size)
        return value.pt if value is not None else 10.5

    def height(self, p, width: float) -> float:
        """Points that paragraph `p` takes in a column `width` points wide."""
        size = self._size(p)
        pitch = size * NATURAL
        spacing = self._format(p, "line_spacing")
        if hasattr(spacing, "pt"):
            pitch = max(pitch, spacing.pt)
        elif isinstance(spacing, float):
            pitch = size * NATURAL * spacing
        indent = sum((self._format(p, name) or 0) for name in ("left_indent", "right_indent"))
        first = self._format(p, "first_line_indent") or 0
        room = max(width - Emu(indent).pt, size * 4)
        lines = 0
        for text in _lines_of(p):
            ems = sum(_ems(character) for character in text)
            lines += max(1, math.ceil((ems * size + Emu(first).pt) / room))
        height = lines * pitch
        for drawing in p.iter(qn("wp:extent")):
            height += Emu(int(drawing.get("cy"))).pt
        if p.find(".//" + qn("m:f")) is not None:  # a fraction: the equation is about two lines high
            height += pitch
        before = self._format(p, "space_before") or 0
        after = self._format(p, "space_after") or 0
        return height + Emu(before).pt + Emu(after).pt

    def place(self, height: float, new_page: bool = False):
        if new_page and self.used:
            self.page, self.used = self.page + 1, 0.0
        self.used += height
        while self.used > TEXT_HEIGHT:  # what does not fit goes on; a paragraph splits
            self.page, self.used = self.page + 1, self.used - TEXT_HEIGHT

    def paragraph(self, p):
        properties = p.pPr
        framed = properties is not None and properties.find(qn("w:framePr")) is not None
        breaks = bool(self._format(p, "page_break_before"))
        if not framed:  # the cover's frames sit at the foot of the page, outside the flow
            self.place(0, new_page=breaks)
            if self.used + 3 * 16.8 > TEXT_HEIGHT and self._format(p, "keep_with_next"):
                self.place(0, new_page=True)  # a heading is not left at the foot of a page
            for mark in p.iter(qn("w:bookmarkStart")):
                self.page_of.setdefault(mark.get(qn("w:name")), self.page)
            self.place(self.height(p, Emu(self.width).pt))
        if properties is not None and properties.find(qn("w:sectPr")) is not None:
            self.page, self.used = self.page + 1, 0.0  # each Word section starts a page

    def table(self, tbl):
        rows = tbl.findall(qn("w:tr"))
        columns = max((len(row.findall(qn("w:tc"))) for row in rows), default=1) or 1
        for row in rows:
            tallest = 0.0
            for cell in row.findall(qn("w:tc")):
                width = Emu(self.width).pt / columns
                tallest = max(tallest, sum(self.height(p, width - 10) for p in cell.iter(qn("w:p"))))
            self.place(tallest + 4)  # the cell's padding and rules
        self.place(12)


def _lines_of(p) -> list[str]:
    """The text of paragraph `p`, split at its line breaks."""
    lines, current = [], []
    for element in p.iter(qn("w:t"), qn("w:br"), qn("w:tab"), qn("m:t")):
        if element.tag == qn("w:br"):
            lines.append("".join(current))
            current = []
        elif element.tag == qn("w:tab"):
            current.append("\u3000\u3000")
        else:
            current.append(element.text or "")
    lines.append("".join(current))
    return lines


def _ems(character: str) -> float:
    if character in "\u2060\u200b":
        return 0.0
    if unicodedata.east_asian_width(character) in ("W", "F") or character in "—“”‘’…":
        return 1.0
    return LATIN_EM
