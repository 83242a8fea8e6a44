"""Word (.docx) -> blocks with python-docx: heading and list styles, tables row by row."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
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


def _num_pr(paragraph: Paragraph) -> tuple[str, int] | None:
    """(numId, level) of a paragraph in a Word list, set on the paragraph or by its style; None if not in one."""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    style, seen = None, 0
    if num_pr is None:
        try:
            style = paragraph.style
        except (KeyError, ValueError):
            style = None
    while num_pr is None and style is not None and seen < 10:  # a list style may come from a base style
        spr = style.element.pPr
        num_pr = spr.numPr if spr is not None else None
        style, seen = style.base_style, seen + 1
    if num_pr is None:
        return None
    num_id = num_pr.numId.val if num_pr.numId is not None else None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None and num_pr.ilvl.val is not None else 0
    if num_id is not None and str(num_id) == "0":
        return None  # numId 0 switches numbering off
    return ("" if num_id is None else str(num_id)), int(ilvl)


def _list_level(paragraph: Paragraph) -> int | None:
    """The numbering level of a paragraph in a Word list, or None if it is not in one."""
    found = _num_pr(paragraph)
    return found[1] if found else None


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}


class _Numbering:
    """Word writes an ordered list's numbers in its numbering part, not in the text: this renders
    them ("1. ", "a) ") the way Word shows them, counting per list and restarting deeper levels."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> level -> (format, text, start)
        self.counts: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: every list is a bullet list
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = {
                int(lvl.get(qn("w:ilvl"), "0")): self._level(lvl) for lvl in node.findall(qn("w:lvl"))
            }
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            levels = dict(abstract.get(ref.get(qn("w:val")) if ref is not None else "", {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                if (lvl := override.find(qn("w:lvl"))) is not None:
                    levels[ilvl] = self._level(lvl)
                if (start := override.find(qn("w:startOverride"))) is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(qn("w:val"), "1")))
            self.levels[num.get(qn("w:numId"))] = levels

    @staticmethod
    def _level(lvl) -> tuple[str, str, int]:
        def val(tag: str, default: str) -> str:
            node = lvl.find(qn(tag))
            return node.get(qn("w:val"), default) if node is not None else default

        start = val("w:start", "1")
        return val("w:numFmt", "decimal"), val("w:lvlText", ""), int(start) if start.isdigit() else 1

    def prefix(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """("3. ", "3") for the next item of an ordered list at this level; ("", "") for a bullet."""
        levels = self.levels.get(num_id, {})
        fmt, text, start = levels.get(ilvl, ("bullet", "", 1))
        counts = self.counts.setdefault(num_id, {})
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]  # a new item restarts the numbering of the levels below it
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        if fmt not in _FORMATS or not text:
            return "", ""

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lfmt, _, lstart = levels.get(k, ("decimal", "", 1))
            return _FORMATS.get(lfmt, str)(counts.get(k, lstart))

        shown = re.sub(r"%([1-9])", number, text).strip()
        return (f"{shown} ", _FORMATS[fmt](counts[ilvl])) if shown else ("", "")


def _is_bold(paragraph: Paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold or (r.bold is None and r.style is not None and r.style.font.bold) for r in runs)


def _item(paragraph: Paragraph, text: str, level: int, numbering: _Numbering) -> Block:
    found = _num_pr(paragraph)
    prefix, marker = numbering.prefix(*found) if found else ("", "")
    return Block("item", prefix + text, level, marker)


def _paragraph(paragraph: Paragraph, numbering: _Numbering) -> tuple[Block, bool] | None:
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
        level = level if level is not None else max(int(m.group(1) or 1) - 1, 0)
        return _item(paragraph, text, level, numbering), False
    level = _list_level(paragraph)
    if level is not None:
        return _item(paragraph, text, level, numbering), False
    return Block("para", text), _is_bold(paragraph) and bool(title_like(text)) and "\n" not in text


def _unique_cells(row) -> list:
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:  # a merged cell is reported once per grid column it spans
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _table(table: Table, numbering: _Numbering) -> list[tuple[Block, bool]]:
    rows = [_unique_cells(row) for row in table.rows]
    if len(rows) <= 1 or max(len(r) for r in rows) <= 1:
        # A one-row or one-column table is a box around text, not data: read its paragraphs.
        out = []
        for row in rows:
            for cell in row:
                out.extend(_content(cell.iter_inner_content(), numbering))
        return out
    texts = [[squash(c.text).replace("\n", " ") for c in row] for row in rows]
    headers = texts[0]
    out = [(Block("break"), False)]
    out += [(Block("row", table_row(headers, cells)), False) for cells in texts[1:] if any(cells)]
    return out + [(Block("break"), False)]


def _left_indent(paragraph: Paragraph) -> int | None:
    ppr = paragraph._p.pPr
    ind = ppr.find(qn("w:ind")) if ppr is not None else None
    left = (ind.get(qn("w:left")) or ind.get(qn("w:start"))) if ind is not None else None
    return int(left) if left and left.lstrip("-").isdigit() else None


def _continues_item(paragraph: Paragraph, item: Paragraph) -> bool:
    """An unnumbered paragraph inside a list item (a second paragraph, a quoted example): Word marks
    it with numbering switched off (numId 0) or a "List Continue" style, or indents it as far as the item."""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is not None and num_pr.numId is not None and str(num_pr.numId.val) == "0":
        return True
    if _style_name(paragraph).lower().startswith("list continue"):
        return True
    mine, theirs = _left_indent(paragraph), _left_indent(item)
    return mine is not None and theirs is not None and mine >= theirs > 0


def _content(items, numbering: _Numbering) -> list[tuple[Block, bool]]:
    out: list[tuple[Block, bool]] = []
    last_item: Paragraph | None = None  # the list item the previous block belongs to
    for item in items:
        if isinstance(item, Table):
            out.extend(_table(item, numbering))
            last_item = None
        elif (found := _paragraph(item, numbering)) is not None:
            block = found[0]
            if block.kind == "para" and last_item is not None and _continues_item(item, last_item):
                out[-1][0].text += "\n" + block.text
                continue
            out.append(found)
            last_item = item if block.kind == "item" else None
    return out


MAX_UNPACKED = 50 * 1024 * 1024  # a policy's .docx unpacks to a few MB; a "zip bomb" to gigabytes


def _unpacked_size(data: bytes) -> int:
    """What the .docx (a zip) says its parts unpack to, read from its directory without unpacking anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # not a zip at all: docx.Document says so below


def parse(path: Path) -> list[Block]:
    data = read_bytes(path)
    if _unpacked_size(data) > MAX_UNPACKED:
        raise IngestError(
            path,
            f"this Word document unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB, far more than any policy "
            "needs, so TED won't open it; save it again from Word, without embedded files",
        )
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise IngestError(
            path,
            "this is not a readable Word document (.docx); the file may be "
            "corrupt, password-protected or an old .doc renamed to .docx",
        ) from None
    try:
        found = _content(document.iter_inner_content(), _Numbering(document))
    except Exception as exc:
        raise IngestError(path, f"this Word document could not be read ({exc})") from None
    styled = any(block.kind == "heading" for block, _ in found)
    # Documents that never use heading styles often mark headings by making a short line bold.
    return [Block("heading", b.text, 2) if bold and not styled else b for b, bold in found]
