"""Files attached to adoption applications (采信建议书的附件): stored outside the web root, never
trusted.

- Where: the folder of the setting ATTACHMENT_DIR (default <data dir>/attachments), which no
  route serves as it is; each file under a random name (secrets.token_hex) without extension,
  so neither a name nor a path the uploader chose ever reaches the disk.
- How much: read in chunks and stopped as soon as it passes ATTACHMENT_MAX_MB (default 10), so
  a large upload is refused without being held in memory (Werkzeug's WORKBENCH_MAX_UPLOAD_MB
  caps the request before that).
- What: PDF, DOCX, PNG or JPEG, told by the file's own first bytes (magic numbers), not by the
  browser's content type or the extension; a DOCX is a ZIP archive holding word/document.xml.
  Anything else, an empty file included, is refused with a message saying what is accepted. A
  Word file with macros (a .docm: word/vbaProject.bin, or macroEnabled content declared in
  [Content_Types].xml) is refused too, asking for a .docx saved without macros.
- Served only as a download (`Content-Disposition: attachment`) with the type found at upload,
  `X-Content-Type-Options: nosniff` and a sandboxing CSP, so a browser never renders it as a page.
- The file follows the transaction: a file written for a transaction that is rolled back is
  removed, and a deleted attachment's file is removed once the deletion is committed.
"""

import hashlib
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from workbench.errors import InvalidInput

CHUNK = 64 * 1024
PDF, DOCX, PNG, JPEG = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/png",
    "image/jpeg",
)
EXTENSIONS = {PDF: (".pdf",), DOCX: (".docx",), PNG: (".png",), JPEG: (".jpg", ".jpeg")}
MAX_NAME = 200
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()-]*\Z")
STORED_NAME = re.compile(r"^[0-9a-f]{32}\Z")
MACROS = "macros"  # what `sniff` answers for a Word file with macros (refused)
_CONTENT_TYPES_MAX = 1024 * 1024  # [Content_Types].xml is a few KB; read no more than this of it
_WRITTEN, _DELETED = "workbench.attachments.written", "workbench.attachments.deleted"


@dataclass(frozen=True)
class Stored:
    stored_name: str
    filename: str  # for display and the download's name
    content_type: str
    size: int
    sha256: str


def folder() -> Path:
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_MB"]) * 1024 * 1024


def path_of(stored_name: str) -> Path:
    if not STORED_NAME.match(stored_name or ""):
        raise ValueError(f"not a stored attachment name: {stored_name!r}")
    return folder() / stored_name


def _has_macros(archive: zipfile.ZipFile) -> bool:
    """Whether a Word archive carries a VBA project or declares macro-enabled content (.docm)."""
    names = {name.lower() for name in archive.namelist()}
    if any(name.endswith("vbaproject.bin") for name in names):
        return True
    try:
        with archive.open("[Content_Types].xml") as file:
            declared = file.read(_CONTENT_TYPES_MAX)
    except KeyError:
        return False
    return b"macroenabled" in declared.lower()


def sniff(path: Path) -> str | None:
    """The type of the file by its own bytes, MACROS for a Word file with macros, or None when it
    is none of those accepted."""
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                if "word/document.xml" not in archive.namelist():
                    return None
                return MACROS if _has_macros(archive) else DOCX
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def _last_part(filename: str | None) -> str:
    return re.split(r"[\\/]", filename or "")[-1]


def display_name(filename: str | None, content_type: str) -> str:
    """The uploader's file name, cleaned for display: the last path part, without control
    characters, at most MAX_NAME characters, ending in an extension of the type found."""
    name = _last_part(filename)
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = " ".join(name.split()).strip(". ")
    extensions = EXTENSIONS[content_type]
    if not name.lower().endswith(extensions):
        name = (name or _("附件")) + extensions[0]
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: MAX_NAME - len(suffix) - 1] + dot + suffix
    return name


def content_disposition(filename: str, attachment_id: int, content_type: str) -> str:
    """`attachment` with the stored name as RFC 5987 `filename*`, and for older clients a plain
    ASCII `filename`: the name itself when it is plain ASCII, else attachment-<id>.<ext>."""
    if _PLAIN_NAME.match(filename):
        fallback = filename
    else:
        suffix = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
        extensions = EXTENSIONS.get(content_type, ("",))
        fallback = f"attachment-{attachment_id}{suffix if suffix in extensions else extensions[0]}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _too_large() -> InvalidInput:
    limit = int(current_app.config["ATTACHMENT_MAX_MB"])
    return InvalidInput(
        _("文件超过 %(max)d MB，没有保存：请压缩或拆分后再上传。", max=limit),
        details={"file": _("文件超过 %(max)d MB，没有保存：请压缩或拆分后再上传。", max=limit)},
    )


def store(session: Session, stream, filename: str | None) -> Stored:
    """Copy the upload `stream` into the attachment folder and return what the record keeps.
    Refused (InvalidInput on "file") when it is empty, too large or not of an accepted type;
    nothing then stays on the disk."""
    if stream is None:
        raise InvalidInput(_("请选择要上传的文件。"), details={"file": _("请选择要上传的文件。")})
    limit = max_bytes()
    stored_name = secrets.token_hex(16)
    target = folder() / stored_name
    digest, size = hashlib.sha256(), 0
    try:
        with target.open("xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large()
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            message = _("文件是空的（0 字节），没有保存：请选择要上传的文件。")
            raise InvalidInput(message, details={"file": message})
        content_type = sniff(target)
        if content_type is None:
            message = _(
                "只接受 PDF、Word（.docx）、PNG 或 JPEG 文件：“%(name)s”的内容不是其中任何一种"
                "（按文件内容判断，不看扩展名），没有保存。",
                name=_last_part(filename)[:MAX_NAME],
            )
            raise InvalidInput(message, details={"file": message})
        if content_type == MACROS:
            message = _(
                "“%(name)s”是含宏的 Word 文件（.docm），没有保存：请在 Word 中另存为不含宏的 .docx 后再上传。",
                name=_last_part(filename)[:MAX_NAME],
            )
            raise InvalidInput(message, details={"file": message})
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    session.info.setdefault(_WRITTEN, []).append(stored_name)
    return Stored(stored_name, display_name(filename, content_type), content_type, size, digest.hexdigest())


def discard(session: Session, stored_name: str) -> None:
    """Remove the file once the deletion of its record is committed."""
    session.info.setdefault(_DELETED, []).append(stored_name)


def _unlink(names) -> None:
    for name in names:
        try:
            path_of(name).unlink(missing_ok=True)
        except (OSError, ValueError, RuntimeError):
            continue  # outside an app context or already gone: nothing more to do


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    _unlink(session.info.pop(_DELETED, []))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    session.info.pop(_DELETED, None)
    _unlink(session.info.pop(_WRITTEN, []))


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
