"""Figures as objects (template 1.1 `figures`): an uploaded SVG is cleaned of everything that could
run or fetch, a PNG is checked, both are size-limited, and the upload route saves them as a new
revision for the people who may edit the rule."""

import base64
import io
import json
import struct
import zlib

import pytest
from PIL import Image as PillowImage

from workbench import figures
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting import service
from workbench.drafting.models import Rule

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
