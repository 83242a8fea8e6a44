"""Word (.docx) -> blocks with python-docx: heading and list styles, tables row by row."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .base import Block, IngestError, read_bytes, squash, table_row
from .text import title_like

log = logging.getLogger("ted.ingest.docx")

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)
_LIST_STYLE = re.compile(r"^list\b.*?(\d)?$", re.I)
_SKIP_STYLE = re.compile(r"^(toc\b|table of contents|header|footer)", re.I)


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError) as exc:  # a style id the document's styles part doesn't define
        log.debug("docx paragraph style undefined error=%s; read as unstyled", type(exc).__name__)
        return ""
    return (style.name or "") if style is not None else ""


def _list_level(paragraph: Paragraph) -> int | None:
    """The numbering level of a paragraph in a Word list, or None if it is not in one."""
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None:
        return None
    ilvl = ppr.numPr.ilvl
    return int(ilvl.val) if ilvl is not None and ilvl.val is not None else 0


def _is_bold(paragraph: Paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold or (r.bold is None and r.style is not None and r.style.font.bold)
                              for r in runs)


def _paragraph(paragraph: Paragraph) -> tuple[Block, bool] | None:
    """The paragraph's block, and whether it is a short all-bold line (a heading if no styles are used)."""
    text = squash(paragraph.text)
    style = _style_name(paragraph)
    if not text or _SKIP_STYLE.match(style):
        return None
    if style.lower() == "title":
        return Block("heading", text.replace("\n", " "), 1), False
    if m := _HEADING_STYLE.match(style):
        return Block("heading", text.replace("\n", " "), int(m.group(1))), False
    if m := _LIST_STYLE.match(style):
        level = _list_level(paragraph)
        return Block("item", text, level if level is not None else max(int(m.group(1) or 1) - 1, 0)), False
    level = _list_level(paragraph)
    if level is not None:
        return Block("item", text, level), False
    return Block("para", text), _is_bold(paragraph) and bool(title_like(text)) and "\n" not in text


def _unique_cells(row) -> list:
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:  # a merged cell is reported once per grid column it spans
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _table(table: Table) -> list[tuple[Block, bool]]:
    rows = [_unique_cells(row) for row in table.rows]
    if len(rows) <= 1 or max(len(r) for r in rows) <= 1:
        # A one-row or one-column table is a box around text, not data: read its paragraphs.
        out = []
        for row in rows:
            for cell in row:
                out.extend(_content(cell.iter_inner_content()))
        return out
    texts = [[squash(c.text).replace("\n", " ") for c in row] for row in rows]
    headers = texts[0]
    out = [(Block("break"), False)]
    out += [(Block("row", table_row(headers, cells)), False) for cells in texts[1:] if any(cells)]
    return out + [(Block("break"), False)]


def _content(items) -> list[tuple[Block, bool]]:
    out: list[tuple[Block, bool]] = []
    for item in items:
        if isinstance(item, Table):
            out.extend(_table(item))
        elif (found := _paragraph(item)) is not None:
            out.append(found)
    return out


def parse(path: Path) -> list[Block]:
    data = read_bytes(path)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise IngestError(path, "this is not a readable Word document (.docx); the file may be "
                          "corrupt, password-protected or an old .doc renamed to .docx") from None
    try:
        found = _content(document.iter_inner_content())
    except Exception as exc:
        raise IngestError(path, f"this Word document could not be read ({exc})") from None
    styled = any(block.kind == "heading" for block, _ in found)
    # Documents that never use heading styles often mark headings by making a short line bold.
    return [Block("heading", b.text, 2) if bold and not styled else b for b, bold in found]
