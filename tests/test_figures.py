"""Figures as objects (template 1.1 `figures`): an uploaded SVG is cleaned of everything that could
run or fetch, a PNG is checked, both are size-limited, and the upload route saves them as a new
revision for the people who may edit the rule."""

import base64
import io
import json
import struct
import zipfile
import zlib

import pytest
from PIL import Image as PillowImage

from workbench import figures
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting import service
from workbench.drafting.models import Rule

from .conftest import ADMIN
from .drafting_helpers import make_rule

DIAGRAM = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">
<rect x="10" y="10" width="120" height="60" fill="#eef" stroke="#000"/><text x="70" y="45" text-anchor="middle">熟料煅烧</text>
</svg>""".encode()

HOSTILE = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="200" height="100" onload="alert(1)">
<script>alert('script')</script>
<style>@import url(http://evil.example/x.css); rect { fill: url(http://evil.example/p.png); stroke: url(#grad) }
.a { background: u\\72l(http://evil.example/escaped) }</style>
<inkscape:namedview id="editor-metadata"/>
<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
<a xlink:href="javascript:alert(1)"><rect id="box" x="1" y="1" width="50" height="50" onclick="steal()"
   fill="url(http://evil.example/fill)" style="fill: url('https://evil.example/style'); stroke: #000"/></a>
<use href="http://evil.example/sprite.svg#a"/><use xlink:href="#box"/>
<image href="data:image/png;base64,AAAA" width="5" height="5"/>
<animate attributeName="href" to="javascript:alert(1)"/>
<linearGradient id="grad"><stop offset="0" stop-color="#000"/></linearGradient>
<text x="10" y="80">系统边界</text>
</svg>""".encode()


def png(width: int = 4, height: int = 3) -> bytes:
    output = io.BytesIO()
    PillowImage.new("RGB", (width, height), "white").save(output, format="PNG")
    return output.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR declaring a size, and nothing else: a 'decompression bomb' head."""
    body = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return figures.PNG_SIGNATURE + struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body))


# --- cleaning ------------------------------------------------------------------------------------------------


def test_an_svg_keeps_its_drawing_and_loses_scripts_handlers_and_every_outside_reference():
    cleaned = figures.clean(HOSTILE)
    assert cleaned.media_type == figures.SVG
    text = cleaned.data.decode()
    for gone in ("<script", "alert", "onload", "onclick", "steal", "foreignObject", "html", "namedview",
                 "inkscape", "<image", "animate", "javascript", "evil.example", "@import", "<a "):  # fmt: skip
        assert gone not in text, gone
    assert "url(#grad)" in text and 'xlink:href="#box"' in text  # references inside the drawing stay
    assert '<rect id="box"' in text and "系统边界" in text and "<linearGradient" in text
    assert figures.clean(cleaned.data).data == cleaned.data  # cleaning is stable: a second pass changes nothing


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "DTD"),
        (b'<?xml version="1.0"?><svg><rect/></svg>', "根元素"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "无法解析"),
        (b"GIF89a\x01\x00\x01\x00", "只接受 SVG 或 PNG"),
        (figures.PNG_SIGNATURE + b"\x00" * 40, "损坏"),
        (png_header(20_000, 20_000), "超出上限"),
        (png()[:-20], "损坏"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * figures.MAX_BYTES + b"</svg>", "图片过大"),
    ],
)
def test_what_is_not_a_clean_svg_or_a_sound_png_within_the_limits_is_refused(data, says):
    with pytest.raises(figures.FigureError) as refused:
        figures.clean(data)
    assert says in str(refused.value)


def test_a_png_is_kept_as_uploaded_and_the_declared_type_must_match_the_content():
    data = png()
    assert figures.clean(data) == figures.Image(figures.PNG, data)
    assert figures.png_size(data) == (4, 3)
    with pytest.raises(figures.FigureError, match="不符"):
        figures.clean(data, figures.SVG)
    entry = {"id": "boundary", "media_type": "image/png", "data": base64.b64encode(data).decode()}
    assert figures.decode(entry).data == data
    with pytest.raises(figures.FigureError, match="Base64"):
        figures.decode({**entry, "data": "not base64!"})


def test_an_svg_goes_into_word_as_a_png_at_print_resolution_with_its_chinese_text():
    image = figures.clean(DIAGRAM)
    data, width = figures.png_for_print(image, max_width_px=600, max_height_px=900)
    assert width == 300  # the size the SVG asks for, within the text block
    assert figures.png_size(data) == (round(300 * 300 / 96), round(120 * 300 / 96))
    assert 'font-family="Noto Sans CJK SC"' in figures.with_cjk_fonts(image.data).decode()  # no empty boxes
    shrunk, shown = figures.png_for_print(image, max_width_px=150, max_height_px=900)
    assert shown == 150 and figures.png_size(shrunk)[0] == round(150 * 300 / 96)


# --- the upload route ----------------------------------------------------------------------------------------


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def upload(client, rule_id, data: bytes, name="boundary.svg", **fields):
    form = {"based_on": "1", "figure_id": "system-boundary", "caption": "水泥系统边界", **fields}
    form["image"] = (io.BytesIO(data), name)
    return client.post_form(f"/drafting/{rule_id}/figures", form, content_type="multipart/form-data")


def test_a_drafter_uploads_a_figure_and_it_is_saved_cleaned_in_a_new_revision(login, database, rule_id):
    client = login(Role.DRAFTER)
    response = upload(client, rule_id, HOSTILE)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/drafting/{rule_id}/document#figures"
    )
    with database() as session:
        rule = session.get(Rule, rule_id)
        assert rule.current_revision == 2
        document = service.revision(session, rule).document
    [entry] = document["figures"]
    assert (entry["id"], entry["caption"], entry["media_type"]) == ("system-boundary", "水泥系统边界", "image/svg+xml")
    stored = base64.b64decode(entry["data"]).decode()
    assert "<script" not in stored and "evil.example" not in stored and "系统边界" in stored
    page = client.get(f"/drafting/{rule_id}/document")
    assert "已保存为第 2 版" in page.text and "![水泥系统边界](figure:system-boundary)" in page.text
    assert 'class="figure-thumbnail" src="data:image/svg+xml;base64,' in page.text

    # The same id again replaces the figure (and keeps its caption when none is given).
    response = upload(client, rule_id, png(), name="boundary.png", based_on="2", caption="")
    assert response.status_code == 302
    with database() as session:
        document = service.revision(session, session.get(Rule, rule_id)).document
    assert [(f["id"], f["caption"], f["media_type"]) for f in document["figures"]] == [
        ("system-boundary", "水泥系统边界", "image/png")
    ]


@pytest.mark.parametrize(
    ("data", "fields", "says"),
    [
        (b"GIF89a\x01\x00", {}, "只接受 SVG 或 PNG"),
        (DIAGRAM, {"figure_id": "系统 边界"}, "图的标识只能由英文字母"),
        (DIAGRAM, {"based_on": "7"}, "未保存"),  # somebody saved another revision meanwhile
    ],
)
def test_a_refused_figure_saves_nothing_and_says_why(login, database, rule_id, data, fields, says):
    response = login(Role.DRAFTER).post_form(
        f"/drafting/{rule_id}/figures",
        {"based_on": "1", "figure_id": "boundary", **fields, "image": (io.BytesIO(data), "figure.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and says in response.text
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1


def test_an_upload_over_the_limit_is_refused_before_it_is_read(login, database, rule_id):
    response = upload(login(Role.DRAFTER), rule_id, b"<svg>" + b" " * (figures.MAX_BYTES + 100_000))
    assert response.status_code == 413
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1


def test_the_document_page_has_the_figures_panel_with_its_upload_form(login, rule_id):
    page = login(Role.DRAFTER).get(f"/drafting/{rule_id}/document").text
    assert f'action="/drafting/{rule_id}/figures" enctype="multipart/form-data"' in page
    assert "本规则还没有图。" in page and "不超过 512 KiB" in page


def test_a_figure_json_document_round_trips_through_the_schema(database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        document = json.loads(json.dumps(service.revision(session, rule).document))
        document["figures"] = [{"id": "a", "media_type": "image/png", "data": base64.b64encode(png()).decode()}]
        assert service.validate(rule, document) == []


# --- what a hostile or careless SVG must not do to the renderers ----------------------------------------------


def svg(body: str, attributes: str = 'width="100" height="100"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}>{body}</svg>'.encode()


def use_bomb(levels: int) -> bytes:
    """Ten <use> of the level below at each level: 10**levels rectangles from about 200 bytes a level."""
    groups = "".join(
        f'<g id="l{level}">' + f'<use href="#l{level - 1}"/>' * 10 + "</g>" for level in range(1, levels + 1)
    )
    return svg(f'<defs><rect id="l0" width="1" height="1"/>{groups}</defs><use href="#l{levels}"/>')


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (use_bomb(5), "超过 20000 个"),  # WeasyPrint took 22 s for 10**5 and has no limit; 10**8 would run for days
        (svg('<defs><rect id="a" width="1" height="1"/></defs>' + '<use href="#a"/>' * 12_000), "超过 20000 个"),
        (
            svg(
                '<marker id="m">'
                + "<rect/>" * 100
                + '</marker><path marker-mid="url(#m)" d="M0 0'
                + " L1 1" * 300
                + '"/>'
            ),
            "超过 20000 个",
        ),  # fmt: skip
        (
            svg(
                '<style>.p { marker-mid: url(#m) }</style><marker id="m">' + "<rect/>" * 100 + "</marker>"
                '<path class="p" d="M0 0' + " L1 1" * 300 + '"/>'
            ),
            "超过 20000 个",
        ),  # fmt: skip
        (svg("<g>" * 5_000 + "</g>" * 5_000), "嵌套过深"),  # was a RecursionError: a 500, and no PDF
        (
            svg(
                '<defs><g id="a0"><rect/></g>'
                + "".join(f'<g id="a{i}"><use href="#a{i - 1}"/></g>' for i in range(1, 80))
                + '</defs><use href="#a79"/>'
            ),
            "嵌套过深",
        ),  # fmt: skip
        (svg('<g id="a"><rect/><use href="#a"/></g>'), "引用形成循环"),  # CairoSVG recursed until Python stopped it
        (svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>', 'id="root"'), "引用形成循环"),
        (svg('<use href="#root"/>', 'id="root"'), "引用形成循环"),
        (
            svg('<pattern id="p" width="5" height="5"><rect width="5" height="5" fill="url(#p)"/></pattern>'),
            "引用形成循环",
        ),  # fmt: skip
        (svg('<style>rect { fill: url(#p) }</style><pattern id="p"><rect/></pattern><rect/>'), "引用形成循环"),
    ],
    ids=[
        "use bomb",
        "flat uses",
        "marker per vertex",
        "marker from the style sheet",
        "deep nesting",
        "long reference chain",
        "use of its own group",
        "two groups",
        "use of the root",
        "pattern filled with itself",
        "style sheet cycle",
    ],  # fmt: skip
)
def test_an_svg_that_would_take_the_renderers_forever_or_recurse_without_end_is_refused(data, says):
    with pytest.raises(figures.FigureError) as refused:
        figures.clean(data)
    assert says in str(refused.value)


def test_real_drawings_with_many_shapes_gradients_and_markers_are_accepted():
    gradients = "".join(
        f'<linearGradient id="lg{i}"><stop offset="0"/><stop offset="1"/></linearGradient>' for i in range(40)
    )
    classes = "".join(f".cls-{i}{{fill:url(#lg{i});}}" for i in range(40))
    illustrator = svg(f"<style>{classes}</style><defs>{gradients}</defs>" + "".join(
        f'<rect class="cls-{i % 40}" width="1" height="1"/>' for i in range(5_000)))  # fmt: skip
    arrows = svg('<style>.flow { marker-end: url(#arrow) }</style><marker id="arrow"><path d="M0 0 L6 3 L0 6z"/></marker>'
                 + '<path class="flow" d="M0 0 L50 0"/>' * 2_000)  # fmt: skip
    symbols = svg('<symbol id="plant" viewBox="0 0 5 5"><rect/><circle r="1"/></symbol>' + '<use href="#plant"/>' * 500)
    for drawing in (illustrator, arrows, symbols, figures.clean(HOSTILE).data):
        assert figures.clean(drawing).media_type == figures.SVG


@pytest.mark.parametrize(
    ("data", "gone", "kept"),
    [
        # Removing "@import;" out of "@imp…ort" used to join the two halves into a new @import.
        (svg('<style>@imp@import;ort "http://127.0.0.1:1/x.css";</style>'), "@import", "@imp"),
        # "u\\72l(" is an escaped backslash then "72l(": unescaped once it became the escape "u\72l(", url(.
        (svg("<style>rect { fill: u\\\\72l(http://127.0.0.1:1/) }</style>"), "\\", "u72l("),
        (svg('<rect style="fill: u\\\\72l(http://127.0.0.1:1/)"/>'), "\\", "u72l("),
        (svg('<rect fill="u\\\\72l(http://127.0.0.1:1/)"/>'), "\\", "u72l("),
        (svg('<style>rect { fill: image-set("http://127.0.0.1:1/a.png" 1x) }</style>'), "image-set(", "invalid("),
        (svg("<rect style=\"background: -webkit-image-set('file:///etc/passwd' 1x)\"/>"), "image-set(", "invalid("),
    ],
)
def test_cleaning_leaves_nothing_that_a_second_reading_would_take_for_an_outside_reference(data, gone, kept):
    cleaned = figures.clean(data).data
    assert gone not in cleaned.decode() and kept in cleaned.decode()
    assert figures.clean(cleaned).data == cleaned  # what is stored is what every later rendering reads


@pytest.mark.parametrize(
    "attributes",
    ['viewBox="a b c d"', 'viewBox="0 0 5"', 'width="10" viewBox="0 0 0 0"', 'viewBox="0 0 nan 5"',
     'width="abc%" height="1.2.3"', 'width="1e400" height="-5"', 'preserveAspectRatio=""', ""],
)  # fmt: skip
def test_a_malformed_size_is_dropped_and_the_figure_still_prints_in_the_pdf_and_in_word(attributes):
    """WeasyPrint stopped the whole PDF on a viewBox that is not four numbers; CairoSVG refused an
    SVG without a size (so Word printed 「图片无法绘制」) and overflowed on one a millionth as wide as tall."""
    from weasyprint import HTML

    from workbench.publishing.render import InlineOnlyFetcher

    image = figures.clean(svg('<rect width="5" height="5"/>', attributes))
    HTML(string=f'<img src="{image.data_url}">', url_fetcher=InlineOnlyFetcher()).write_pdf()
    data, width = figures.png_for_print(image, max_width_px=600, max_height_px=900)
    assert figures.png_size(data) and width > 0


def test_a_drawing_much_taller_than_wide_prints_in_word_within_the_page():
    image = figures.clean(svg('<rect width="5" height="5"/>', 'width="0.001" height="10000"'))
    data, _width = figures.png_for_print(image, max_width_px=600, max_height_px=900)
    assert figures.png_size(data)[1] <= round(900 * figures.PRINT_DPI / 96)


def test_a_hostile_figure_stored_without_the_upload_fetches_nothing_when_the_rule_is_laid_out(tmp_path):
    """A figure that reached the document through the JSON editor or an import, never cleaned:
    the PDF and the Word file are made from it, and nothing is fetched, neither from a server
    (a listener counts connections) nor from the disk."""
    import socket
    import threading
    from datetime import date

    from tests.publishing_helpers import cement_with_latex
    from workbench.publishing import document as documents
    from workbench.publishing import render
    from workbench.publishing.word import to_docx

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    address = f"http://127.0.0.1:{listener.getsockname()[1]}"
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    hostile = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">
    <style>@import url({address}/a.css); @imp@import;ort "{address}/b.css"; rect {{ fill: u\\\\72l({address}/c) }}</style>
    <image href="{address}/d.png" width="10" height="10"/><image xlink:href="file:///etc/passwd" width="10" height="10"/>
    <use href="{address}/e.svg#a"/><use xlink:href="file:///etc/passwd#a"/>
    <rect width="50" height="50" fill="url({address}/f.svg#g)" style="stroke: url(file:///etc/passwd#s)"/>
    <text x="10" y="80">系统边界</text></svg>"""
    rule = cement_with_latex()
    rule["figures"][0]["data"] = base64.b64encode(hostile.encode()).decode()
    doc = documents.build(rule, documents.Meta(stage="30"), today=date(2026, 3, 1))
    try:
        fetcher = render.InlineOnlyFetcher()
        pdf = render.to_pdf(doc, fetcher)
        word = to_docx(doc)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert connections == [] and fetcher.refused == []  # the renderers were never even asked
    assert pdf.startswith(b"%PDF") and b"root:x:0:0" not in pdf
    with zipfile.ZipFile(io.BytesIO(word)) as package:
        assert [name for name in package.namelist() if name.startswith("word/media/")]  # the figure printed
        # A <use> whose outside reference was dropped stayed as <use/>, and CairoSVG recursed on it.
        assert "图片无法绘制" not in package.read("word/document.xml").decode()
        assert not any(b"root:x:0:0" in package.read(name) for name in package.namelist())


def test_a_stored_figure_that_cannot_be_drawn_is_named_on_the_document_page(login, database, rule_id):
    """Nested 5 000 deep, it raised RecursionError in the preview: the document page was a 500."""
    with database() as session:
        rule = session.get(Rule, rule_id)
        document = json.loads(json.dumps(service.revision(session, rule).document))
        deep = svg("<g>" * 5_000 + "</g>" * 5_000)
        document["figures"] = [{"id": "deep", "media_type": figures.SVG, "data": base64.b64encode(deep).decode()}]
        service.save_revision(session, rule, document, message="图", based_on=1, by=ADMIN)
        session.commit()
    page = login(Role.DRAFTER).get(f"/drafting/{rule_id}/document")
    assert page.status_code == 200 and "SVG 的元素嵌套过深（超过 100 层）" in page.text


def test_a_based_on_that_python_takes_for_a_digit_is_a_stale_form_not_a_500(login, database, rule_id):
    response = upload(login(Role.DRAFTER), rule_id, DIAGRAM, based_on="²")  # "²".isdigit(), int("²") fails
    assert response.status_code == 422 and "未保存" in response.text
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1


def test_only_editors_of_the_rule_upload_and_only_with_the_pages_token(app, login, database, people, rule_id):
    from workbench.auth import service as accounts
    from workbench.auth.models import Organisation
    from workbench.db import db

    from .conftest import PASSWORD

    with app.app_context():
        other_group = accounts.create_working_group(db.session, by=ADMIN, code="WG-OTHER", name="另一起草组")
        accounts.create_user(db.session, by=ADMIN, username="other-drafter", display_name="外组起草人",
                             password=PASSWORD, role=Role.DRAFTER, working_groups=[other_group],
                             organisation=db.session.get(Organisation, people["organisation"]))  # fmt: skip
        db.session.commit()
    other = app.test_client()
    assert other.post_form("/login", {"username": "other-drafter", "password": PASSWORD}).status_code == 302
    assert upload(other, rule_id, DIAGRAM).status_code == 403
    assert upload(login(Role.EVALUATOR), rule_id, DIAGRAM).status_code == 403
    form = {"based_on": "1", "figure_id": "a", "image": (io.BytesIO(DIAGRAM), "a.svg")}
    without_token = login(Role.DRAFTER).post(
        f"/drafting/{rule_id}/figures", data=form, content_type="multipart/form-data"
    )
    assert without_token.status_code == 400
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1
