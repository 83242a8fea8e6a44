"""Policy documents uploaded at /admin/knowledge, checked the way screenshots are (bot/web/uploads.py): streamed
with a size limit, the kind recognised from the file's first bytes as well as its name, a safe name, and a clear
error naming the file and what is wrong. The file is parsed in a temporary folder and never kept: a readable one
becomes a draft (knowledge.lifecycle), an unreadable one changes nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from pathlib import Path

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.input import BadInput, clean_text
from bot.web.uploads import safe_name, sniff
from handlers import messages
from knowledge.ingest import SUPPORTED_SUFFIXES, IngestError, parse_file
from knowledge.model import Document

MAX_DOC_BYTES = 10 * 1024 * 1024
MAX_PARTS = 10  # the file and a few small fields
_PARSING = threading.BoundedSemaphore(2)  # parses at once: each may take a long PDF's worth of memory and time
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
_MAGIC = {".pdf": (b"%PDF-",), ".docx": (b"PK\x03\x04",)}
_BINARY = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ")


def kind_problem(name: str, head: bytes) -> str:
    """Why these first bytes can't be a document with this name ("" when they can)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        what = f"'{suffix}' files" if suffix else "files without an extension"
        return f"{what} are not supported (use .md, .txt, .html, .docx or .pdf)"
    if suffix in _MAGIC:
        if not head.startswith(_MAGIC[suffix]):
            return f"it is not a {suffix[1:].upper()} file, whatever its name says"
        return ""
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if sniff(head) or head.startswith(_BINARY) or (b"\x00" in head and not utf16):
        return "it is not a text file, whatever its name says"
    return ""


async def read_upload(request: web.Request) -> tuple[str, bytes, dict[str, str]]:
    """(safe file name, its bytes, the other form fields) from a multipart upload with one `file`."""
    fields: dict[str, str] = {}
    found: tuple[str, bytes] | None = None
    try:
        reader = await request.multipart()
        parts = 0
        # Every part is read before anything is decided, so the fields mean the same before or after the file.
        while (part := await reader.next()) is not None:
            parts += 1
            if parts > MAX_PARTS:
                raise BadInput(messages.WEB_DOC_NONE, field="file")
            if isinstance(part, BodyPartReader) and part.name == "file" and part.filename and found is None:
                name = safe_name(part.filename)
                found = name, await _read_limited(part, name)
            elif isinstance(part, BodyPartReader) and part.name and part.name != "file":
                fields[part.name] = clean_text(
                    (await part.read(decode=True))[:1000].decode("utf-8", "replace"), 200, part.name
                )
            else:
                await part.release()
    except (AssertionError, KeyError, ValueError, HttpProcessingError) as exc:  # not multipart, or malformed
        raise BadInput(messages.WEB_DOC_NONE, field="file") from exc
    if found is None:
        raise BadInput(messages.WEB_DOC_NONE, field="file")
    return found[0], found[1], fields


async def _read_limited(part: BodyPartReader, name: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > MAX_DOC_BYTES:
            raise BadInput(messages.WEB_DOC_TOO_BIG.format(name=name, mb=MAX_DOC_BYTES // (1024 * 1024)), 413, "file")
    problem = kind_problem(name, bytes(data[:16])) if data else "it is empty"
    if problem:
        raise BadInput(messages.WEB_DOC_KIND.format(name=name, reason=problem), field="file")
    return bytes(data)


def _parse(name: str, data: bytes) -> Document:
    with _PARSING, tempfile.TemporaryDirectory(prefix="ted-doc-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return parse_file(path)


async def parse_upload(name: str, data: bytes) -> Document:
    """The document in an upload, parsed off the event loop (a long PDF takes a while); BadInput if unreadable."""
    try:
        return await asyncio.to_thread(_parse, name, data)
    except IngestError as exc:
        raise BadInput(messages.WEB_DOC_UNREADABLE.format(name=name, reason=exc.reason), field="file") from exc
    except Exception as exc:  # a parser library's own error on a damaged file
        raise BadInput(
            messages.WEB_DOC_UNREADABLE.format(name=name, reason="the file is damaged or in a form TED can't read"),
            field="file",
        ) from exc
