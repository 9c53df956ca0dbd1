"""Figures of a rule (template 1.1 `figures`): an uploaded SVG or PNG, checked and cleaned when it
is uploaded and again whenever it is rendered, so a figure that reached a stored document some
other way (an import, the JSON editor, the API) is held to the same rules.

Decisions worth knowing:
- Size: at most MAX_BYTES (512 KiB) of image; a PNG at most MAX_SIDE pixels a side and
  MAX_PIXELS in all (a small file can declare a huge image that takes gigabytes to decode).
- A PNG is recognised by its signature and its IHDR header, then verified by Pillow (chunk
  checksums); it is stored as uploaded.
- An SVG is parsed with defusedxml (no DTD, no entities, no external documents) and rebuilt
  from an allow-list: SVG elements that draw (shapes, paths, text, groups, gradients, markers,
  clip paths, <style>) and their presentation attributes. Everything else is dropped:
  <script>, <foreignObject>, <image>, animation (which can rewrite a link), elements of other
  namespaces (editor metadata), event handlers (on…), any reference that is not to the same
  document (href not starting with "#"), CSS url() that is not "#…", @import, and the CSS
  functions that take an address as a string (image-set() and its kin). <a> keeps its drawing
  and loses its link; a <use> whose reference is dropped goes with it (CairoSVG recursed on a
  <use> without one). CSS escapes are resolved before the CSS is read and the CSS is stored
  without any backslash, so what was checked is what a renderer reads; what is removed is
  replaced, never cut out, so the pieces around it cannot join into a new "@import" or "url(".
- Word: an SVG that gives no size is drawn at the size svg_size finds (CairoSVG alone refuses
  it), and at both sides' pixel counts, so a drawing far taller than wide stays on the page.
- An SVG is also refused when drawing it would cost far more than its size suggests: nested
  deeper than MAX_NESTING, a reference cycle (<use> of an ancestor, a pattern filled with itself:
  CairoSVG recurses until Python stops it), or more than MAX_DRAWN elements once every
  reference (<use>, url(#…), a marker at each vertex) is followed: ten levels of ten <use> make
  10¹⁰ shapes from one kilobyte, and WeasyPrint, which has no limit, would lay out the PDF for days.
- A viewBox that is not four numbers with a positive width and height, and a width or height of
  the <svg> that is not a positive length, are dropped: WeasyPrint stops the whole PDF on such a
  viewBox, and CairoSVG refuses such a size.
- Word: python-docx embeds PNG, not SVG, so an SVG is rasterised for Word with CairoSVG
  (cairocffi over the system's libcairo2), at 300 dpi for the size it prints at, never more than
  the text block; CairoSVG's own fetcher reads nothing but data: URLs, and the SVG it receives
  is already cleaned. WeasyPrint (HTML/PDF) draws the cleaned SVG itself, as a vector.
- Pure: no Flask, no database.
"""

import base64
import binascii
import io
import re
import struct
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import defusedxml.ElementTree as SafeXML
from defusedxml import DefusedXmlException

from workbench.messages import N_, Message

MAX_BYTES = 512 * 1024
MAX_SIDE = 10_000
MAX_PIXELS = 25_000_000
MAX_NESTING = 100  # elements inside one another, references followed included; editors write 10 to 20
MAX_DRAWN = 20_000  # elements drawn once references are followed (an SVG at MAX_BYTES holds about 18 000 shapes)
SVG, PNG = "image/svg+xml", "image/png"
MEDIA_TYPES = (SVG, PNG)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_ELEMENT_NAMES = (
    "svg g defs symbol use path rect circle ellipse line polyline polygon text tspan textPath title desc "
    "linearGradient radialGradient stop clipPath mask pattern marker style switch"
)
ELEMENTS = frozenset(_ELEMENT_NAMES.split())
UNWRAPPED = frozenset(["a"])  # kept as a group: its drawing stays, its link goes
_ATTRIBUTE_NAMES = """id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points pathLength
    viewBox preserveAspectRatio version fill fill-opacity fill-rule stroke stroke-width stroke-linecap
    stroke-linejoin stroke-dasharray stroke-dashoffset stroke-miterlimit stroke-opacity opacity color
    font-family font-size font-weight font-style font-variant font-stretch text-anchor dominant-baseline
    alignment-baseline baseline-shift letter-spacing word-spacing writing-mode text-decoration dx dy
    rotate textLength lengthAdjust startOffset clip-path clip-rule mask marker-start marker-mid marker-end
    markerWidth markerHeight refX refY orient markerUnits offset stop-color stop-opacity gradientUnits
    gradientTransform spreadMethod patternUnits patternContentUnits patternTransform clipPathUnits
    maskUnits maskContentUnits visibility display overflow vector-effect shape-rendering
    text-rendering paint-order type media"""
ATTRIBUTES = frozenset(_ATTRIBUTE_NAMES.split())
LINKS = frozenset(["href", f"{{{XLINK_NS}}}href"])
_URL = re.compile(r"url\(\s*+(?!['\"]?\s*#)[^)]*\)", re.IGNORECASE)  # any url() but one to "#id"
_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
# CSS functions that fetch an address given as a string, not as url(): image-set("a.png" 1x)…
_FETCHING_FUNCTION = re.compile(r"(?<![\w-])(?:-[a-z]+-)?(?:image-set|image|cross-fade|element|src)\(", re.IGNORECASE)
_ESCAPE = re.compile(r"\\[0-9a-fA-F]{1,6}\s?|\\.")  # CSS escapes could spell "url(" without the letters


class FigureError(ValueError):
    """An image the workbench does not accept; `message` says why, in the reader's language
    when it is shown (workbench.messages)."""

    def __init__(self, template: str, **params):
        self.message = Message(template, params)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class Image:
    media_type: str
    data: bytes  # checked, and for SVG cleaned

    @property
    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def media_type_of(data: bytes) -> str | None:
    """PNG or SVG by content (not by the file's name), None for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return PNG
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")):
        return SVG if b"<svg" in data[:4096].lower() else None
    return None


def clean(data: bytes, media_type: str | None = None) -> Image:
    """The image checked and, for SVG, cleaned; FigureError when it is not accepted."""
    if len(data) > MAX_BYTES:
        raise FigureError(
            N_("图片过大（%(size)d KiB），上限为 %(limit)d KiB。"), size=len(data) // 1024, limit=MAX_BYTES // 1024
        )
    found = media_type_of(data)
    if found is None:
        raise FigureError(N_("只接受 SVG 或 PNG 图片。"))
    if media_type and media_type != found:
        raise FigureError(N_("图片内容与声明的格式不符。"))
    if found == PNG:
        png_size(data)
        return Image(PNG, data)
    return Image(SVG, clean_svg(data))


def decode(figure: dict) -> Image:
    """The image of a document's figure entry ({id, caption, media_type, data: base64})."""
    encoded = figure.get("data") or ""
    if len(encoded) > (MAX_BYTES * 4) // 3 + 4:
        raise FigureError(N_("图片过大，上限为 %(limit)d KiB。"), limit=MAX_BYTES // 1024)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise FigureError(N_("图片数据不是有效的 Base64。")) from error
    return clean(data, figure.get("media_type"))


def encode(image: Image) -> str:
    return base64.b64encode(image.data).decode("ascii")


# --- PNG -----------------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG after checking its header, its size limits and its chunks."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        raise FigureError(N_("PNG 文件不完整或已损坏。"))
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or width * height > MAX_PIXELS:
        raise FigureError(
            N_("PNG 尺寸 %(width)d×%(height)d 像素超出上限（每边 %(side)d，共 %(million)d 百万像素）。"),
            width=width,
            height=height,
            side=MAX_SIDE,
            million=MAX_PIXELS // 1_000_000,
        )
    from PIL import Image as PillowImage  # WeasyPrint's dependency; imported only when a PNG is checked

    try:
        with PillowImage.open(io.BytesIO(data)) as opened:
            opened.verify()
    except Exception as error:  # Pillow raises many kinds for a damaged file
        raise FigureError(N_("PNG 文件不完整或已损坏。")) from error
    return width, height


# --- SVG -----------------------------------------------------------------------------------------------------


def clean_svg(data: bytes) -> bytes:
    """The SVG rebuilt from the allow-list; FigureError when it is not an SVG document."""
    try:
        root = SafeXML.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ElementTree.ParseError, ValueError) as error:
        raise FigureError(N_("SVG 文件无法解析（不能含 DTD 或实体）。")) from error
    if root.tag != f"{{{SVG_NS}}}svg":
        raise FigureError(N_("SVG 文件的根元素应为 <svg>（命名空间 http://www.w3.org/2000/svg）。"))
    cleaned = _clean_element(root)
    for name in ("width", "height"):
        if name in cleaned.attrib and _length(cleaned.get(name)) is None:
            del cleaned.attrib[name]
    _check_drawing_cost(cleaned)
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    text = ElementTree.tostring(cleaned, encoding="unicode")
    return text.encode("utf-8")


def _clean_element(element: ElementTree.Element, depth: int = 1) -> ElementTree.Element:
    if depth > MAX_NESTING:
        raise FigureError(
            N_("SVG 的元素嵌套过深（超过 %(limit)d 层），请在绘图软件中合并图层后再导出。"), limit=MAX_NESTING
        )
    name = element.tag.rpartition("}")[2]
    kept = ElementTree.Element(f"{{{SVG_NS}}}{'g' if name in UNWRAPPED else name}")
    for attribute, value in element.attrib.items():
        cleaned = _clean_attribute(attribute, value)
        if cleaned is not None:
            kept.set(attribute, cleaned)
    if name == "style":
        kept.text = _clean_css(element.text or "")
        return kept
    kept.text = element.text
    for child in element:
        child_namespace = child.tag[1:].partition("}")[0] if child.tag.startswith("{") else ""
        child_name = child.tag.rpartition("}")[2]
        if child_namespace == SVG_NS and (child_name in ELEMENTS or child_name in UNWRAPPED):
            cleaned_child = _clean_element(child, depth + 1)
        else:
            cleaned_child = None
        if child_name == "use" and cleaned_child is not None and not LINKS & set(cleaned_child.attrib):
            cleaned_child = None  # its outside reference gone, it draws nothing; CairoSVG recursed on it
        if cleaned_child is not None:
            cleaned_child.tail = child.tail
            kept.append(cleaned_child)
        elif child.tail and len(kept):  # a dropped element's following text stays where it was
            kept[-1].tail = (kept[-1].tail or "") + child.tail
        elif child.tail:
            kept.text = (kept.text or "") + child.tail
    return kept


def _clean_attribute(attribute: str, value: str) -> str | None:
    if attribute in LINKS:  # "#" alone names no element: CairoSVG takes it for the whole drawing
        return value if len(value.strip()) > 1 and value.strip().startswith("#") else None
    if attribute == f"{{{XML_NS}}}space":
        return value
    if attribute.startswith("{") or attribute not in ATTRIBUTES:
        return None  # event handlers (on…), other namespaces, anything unknown
    if attribute == "style":
        return _clean_css(value)
    if attribute == "viewBox":
        return value if _view_box(value) else None
    if attribute == "preserveAspectRatio":  # CairoSVG fails on an empty or unknown one
        return value if _ASPECT.fullmatch(value) else None
    if "\\" in value or "(" in value:
        value = _FETCHING_FUNCTION.sub("invalid(", _URL.sub("none", _unescaped(value)))
    return value


# Sizes and coordinates a drawing can have: beyond them renderers overflow or cannot invert the scale.
SMALLEST, LARGEST = 1e-6, 1e9
_ASPECT = re.compile(r"\s*(?:defer\s+)?(?:none|x(?:Min|Mid|Max)Y(?:Min|Mid|Max))(?:\s+(?:meet|slice))?\s*")
_LENGTH = re.compile(r"\s*((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px|pt|pc|mm|cm|in|em|ex|%)?\s*")


def _view_box(value: str) -> tuple[float, float, float, float] | None:
    """The four numbers of a viewBox, None unless they are four numbers with a positive width and height."""
    try:
        box = tuple(float(part) for part in re.split(r"[\s,]+", value.strip()) if part)
    except ValueError:
        return None
    if len(box) != 4 or not all(abs(number) <= LARGEST for number in box):
        return None
    return box if box[2] >= SMALLEST and box[3] >= SMALLEST else None


def _length(value: str) -> tuple[float, str | None] | None:
    """(number, unit) of a positive length such as "120", "80mm" or "100%"; None for anything else."""
    match = _LENGTH.fullmatch(value or "")
    if not match:
        return None
    number = float(match.group(1))
    return (number, match.group(2)) if SMALLEST <= number <= LARGEST else None


def _unescaped(css: str) -> str:
    """CSS with its escapes resolved, so "u\\72l(" is seen as the "url(" it spells, and with no
    backslash left: an escaped backslash ("u\\\\72l(") would otherwise become a new escape."""
    return _ESCAPE.sub(lambda match: _css_escape(match.group(0)), css).replace("\\", "")


def _css_escape(escape: str) -> str:
    body = escape[1:].strip()
    if re.fullmatch(r"[0-9a-fA-F]{1,6}", body):
        code = int(body, 16)
        return chr(code) if 0 < code < 0x110000 else ""
    return body


def _clean_css(css: str) -> str:
    """CSS of a <style> element or a style attribute without imports or outside references."""
    css = _unescaped(css)
    css = _IMPORT.sub(" ", css)
    return _FETCHING_FUNCTION.sub("invalid(", _URL.sub("none", css))


# --- what drawing an SVG costs -------------------------------------------------------------------------------

_LOCAL_URL = re.compile(r"url\(\s*['\"]?\s*#([^'\")\s]+)", re.IGNORECASE)
_MARKER = re.compile(r"marker", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_HAS_MARKERS = frozenset(["path", "line", "polyline", "polygon"])
_PAINT_ONLY = frozenset(["linearGradient", "radialGradient"])  # their stops draw nothing; a reference costs nothing
_CSS_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_SELECTOR_PART = re.compile(r"([.#]?)(-?[A-Za-z_][\w-]*)")


@dataclass(frozen=True)
class _SheetRule:
    """A rule of a <style> sheet that refers to something drawn: the elements its selector may match
    (by type, class or id; any element when the selector is more than that) and what it refers to."""

    any_element: bool
    names: frozenset[str]  # "rect", ".cls-1", "#box"
    targets: tuple[str, ...]
    markers: bool

    def may_match(self, element: ElementTree.Element, name: str) -> bool:
        if self.any_element or name in self.names or f"#{element.get('id')}" in self.names:
            return True
        return any(f".{item}" in self.names for item in (element.get("class") or "").split())


def _sheet_rules(root: ElementTree.Element) -> list[_SheetRule]:
    sheet = " ".join(element.text or "" for element in root.iter(f"{{{SVG_NS}}}style"))
    rules = []
    for selector, body in _CSS_RULE.findall(sheet):
        targets = tuple(_LOCAL_URL.findall(body))
        if targets:
            names = frozenset(prefix + name for prefix, name in _SELECTOR_PART.findall(selector))
            any_element = bool(re.search(r"[*:\[]", selector)) or not names
            rules.append(_SheetRule(any_element, names, targets, bool(_MARKER.search(body))))
    return rules


def _check_drawing_cost(root: ElementTree.Element) -> None:
    """FigureError when the cleaned SVG has a reference cycle, or draws more than MAX_DRAWN elements
    or deeper than MAX_NESTING once its references are followed (the module's decisions)."""
    targets: dict[str, list[ElementTree.Element]] = {}
    for element in root.iter():
        if element.get("id"):
            targets.setdefault(element.get("id"), []).append(element)
    sheet_rules = _sheet_rules(root)
    known: dict[str, tuple[int, int]] = {}  # id → (elements drawn, levels deep) of drawing it
    following: set[str] = set()

    def refuse_deep() -> FigureError:
        return FigureError(
            N_("SVG 的元素嵌套过深（超过 %(limit)d 层），请在绘图软件中合并图层后再导出。"), limit=MAX_NESTING
        )

    def refuse_large() -> FigureError:
        return FigureError(
            N_("SVG 展开引用（<use>、url(#…)、标记）后要绘制的元素超过 %(limit)d 个，请简化图形。"), limit=MAX_DRAWN
        )

    def target_cost(target_id: str, depth: int) -> tuple[int, int]:
        if target_id in known:
            if depth + known[target_id][1] > MAX_NESTING:
                raise refuse_deep()
            return known[target_id]
        if target_id in following:
            raise FigureError(
                N_("SVG 中的引用形成循环（#%(id)s 最终引用了它自己），请删除该引用。"), id=target_id[:100]
            )
        following.add(target_id)
        drawn = [element_cost(element, depth + 1) for element in targets[target_id]]
        following.discard(target_id)
        known[target_id] = (max(cost for cost, _levels in drawn), 1 + max(levels for _cost, levels in drawn))
        return known[target_id]

    def references(element: ElementTree.Element, name: str) -> list[tuple[str, int]]:
        """(id, times) of what drawing `element` draws besides itself and its children."""
        vertices = _vertices(element) if name in _HAS_MARKERS else 0
        found = []
        for attribute, value in element.attrib.items():
            if attribute in LINKS:
                found.append((value.strip()[1:], 1))
            for target_id in _LOCAL_URL.findall(value):
                marker = attribute.startswith("marker") or (attribute == "style" and bool(_MARKER.search(value)))
                found.append((target_id, vertices if marker else 1))
        for rule in sheet_rules:
            if rule.may_match(element, name):
                found.extend((target_id, vertices if rule.markers else 1) for target_id in rule.targets)
        return found

    def element_cost(element: ElementTree.Element, depth: int) -> tuple[int, int]:
        """(elements drawn, levels deep) of drawing `element` at `depth`."""
        if depth > MAX_NESTING:
            raise refuse_deep()
        name = element.tag.rpartition("}")[2]
        cost, levels = 1, 1
        if name in _PAINT_ONLY or name == "style":
            return cost, levels
        for target_id, times in references(element, name):
            drawn = [item for item in targets.get(target_id, ()) if item.tag.rpartition("}")[2] not in _PAINT_ONLY]
            if drawn and times:
                target, target_levels = target_cost(target_id, depth)
                cost, levels = cost + times * target, max(levels, 1 + target_levels)
            if cost > MAX_DRAWN:
                raise refuse_large()
        for child in element:
            child_cost, child_levels = element_cost(child, depth + 1)
            cost, levels = cost + child_cost, max(levels, 1 + child_levels)
            if cost > MAX_DRAWN:
                raise refuse_large()
        return cost, levels

    element_cost(root, 1)


def _vertices(element: ElementTree.Element) -> int:
    """How many times a marker can be drawn on a path, line, polyline or polygon (at most)."""
    numbers = len(_NUMBER.findall(element.get("d") or element.get("points") or ""))
    return max(2, numbers // 2 + 1)


# --- Word ----------------------------------------------------------------------------------------------------

PRINT_DPI = 300


def svg_size(data: bytes) -> tuple[float, float]:
    """The size an SVG asks for, in CSS pixels (width/height, else its viewBox; 400×300 if neither)."""
    root = SafeXML.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    box = _view_box(root.get("viewBox") or "") or ()

    def length(name: str, fallback: float) -> float:
        number, unit = _length(root.get(name) or "") or (0, "%")
        factor = {"px": 1, None: 1, "pt": 96 / 72, "pc": 16, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96}.get(unit)
        return number * factor if factor else fallback

    width = length("width", box[2] if len(box) == 4 else 400.0)
    height = length("height", box[3] if len(box) == 4 else 300.0)
    if width <= 0 or height <= 0:
        return 400.0, 300.0
    return width, height


def png_for_print(image: Image, max_width_px: float, max_height_px: float) -> tuple[bytes, float]:
    """(PNG, width in CSS pixels) of an image for Word: a PNG as it is, an SVG rasterised at 300 dpi
    for the size it prints at, scaled down to fit max_width_px × max_height_px (CSS pixels)."""
    if image.media_type == PNG:
        width, height = png_size(image.data)
        shown = min(width, max_width_px, height and max_height_px * width / height)
        return image.data, shown
    import cairosvg  # needs the system's libcairo2; imported only when an SVG goes into Word

    width, height = svg_size(image.data)
    shown = min(width, max_width_px, max_height_px * width / height)
    pixels = max(1, round(shown * PRINT_DPI / 96))
    # Both sides given: a drawing a millionth as wide as it is tall would otherwise be asked for
    # as one pixel wide and a million times as tall.
    pixels_high = max(1, round(shown * height / width * PRINT_DPI / 96))
    svg = with_cjk_fonts(image.data)
    # The size found is also the parent's: an SVG that gives no width and height (a viewBox, or
    # nothing) is drawn at it, where CairoSVG alone refuses it ("The SVG size is undefined").
    png = cairosvg.svg2png(
        bytestring=svg,
        output_width=pixels,
        output_height=pixels_high,
        parent_width=width,
        parent_height=height,
        unsafe=False,
        background_color="white",
    )
    return png, shown


SANS, SERIF = "Noto Sans CJK SC", "Noto Serif CJK SC"
_FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;]*)", re.IGNORECASE)


def with_cjk_fonts(data: bytes) -> bytes:
    """The SVG with every font family replaced by Noto CJK (which has Latin letters too). CairoSVG
    draws text with the first family named and no fallback per character, so "Arial" or no
    family at all prints Chinese as empty boxes."""
    root = SafeXML.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def cjk(families: str) -> str:
        names = families.lower()
        return SERIF if "serif" in names.replace("sans-serif", "") or "song" in names or "宋" in names else SANS

    root.set("font-family", cjk(root.get("font-family") or ""))
    for element in root.iter():
        if element.get("font-family"):
            element.set("font-family", cjk(element.get("font-family")))
        if element.get("style") and "font-family" in element.get("style"):
            element.set(
                "style", _FONT_FAMILY.sub(lambda match: f"font-family: {cjk(match.group(1))}", element.get("style"))
            )
    return ElementTree.tostring(root, encoding="unicode").encode("utf-8")
