"""PDF -> blocks with pypdf. PDFs hold positioned lines, not paragraphs: this rejoins lines
wrapped inside a paragraph, drops running headers/footers and page numbers, and reads headings
from the fonts.

Where the PDF says where each line sits (as word processors' PDFs do), the layout decides:
a paragraph ends where the space between lines grows, a list item is a bullet or number set in
from the margin (its nesting is how far in), a table is a run of lines whose cells start at the
same places, and a heading is a line in a larger font, or a bold line set closer to the text it
heads than to the text before it. Without that (or with no paragraph spacing to go by) the same
line-shape heuristics as plain text are used."""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PageObject, PdfReader

from .base import Block, IngestError, read_bytes, squash, table_row
from .chunks import clause_number
from .text import BULLET, Line, lines_to_blocks, title_like

_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.I)
_ORDERED = re.compile(r"^(\d{1,3}|[a-zA-Z])[.)]\s+(?=\S)")
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold", re.I)
_TOLERANCE = 3.0  # points: two lines starting this close are aligned


@dataclass
class PdfLine:
    """One line of a page: its text, main font size, whether it is all bold, and where it starts."""

    text: str
    size: float = 0.0
    bold: bool = False
    x: float | None = None
    y: float | None = None
    runs: list[tuple[float, str]] = field(default_factory=list)  # (x, text) of each piece of text shown


def _font_name(font: object) -> str:
    try:
        return str(font.get("/BaseFont", "")) if font is not None else ""  # type: ignore[union-attr]
    except Exception:  # a font dictionary pypdf could not resolve
        return ""


def _page_lines(page: PageObject) -> list[PdfLine]:
    """The page's lines with the font size, boldness and position of each, from pypdf's text visitor."""
    pieces: list[tuple[str, float, bool, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]) or 1.0
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append((text, float(size or 0) * scale, bool(_BOLD.search(_font_name(font))), x, y))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(p[0] for p in pieces) != text:  # the visitor saw something else: no sizes
        return [PdfLine(squash(line)) for line in text.split("\n")]
    # pypdf puts a space where text jumps ahead, as after a link: none before a comma or full stop.
    filled = [k for k, piece in enumerate(pieces) if piece[0]]
    drop = {
        k
        for a, k, b in zip(filled, filled[1:], filled[2:], strict=False)
        if (pieces[k][0].strip(" ") == "" and pieces[a][0][-1:] not in " \n" and pieces[b][0][:1] in tuple(",.;:!?)"))
    }
    pieces = [piece for k, piece in enumerate(pieces) if k not in drop]
    lines: list[PdfLine] = []
    current, sizes, bold, runs = "", Counter(), [], []
    where: tuple[float | None, float | None] | None = None
    for piece, size, is_bold, x, y in pieces + [("\n", 0.0, False, 0.0, 0.0)]:
        for k, part in enumerate(piece.split("\n")):
            if k:
                lines.append(
                    PdfLine(
                        squash(current),
                        max(sizes, key=sizes.get) if sizes else 0.0,
                        bool(bold) and all(bold),
                        *(where or (None, None)),
                        runs,
                    )
                )
                current, sizes, bold, runs, where = "", Counter(), [], [], None
            if part.strip():
                if where is None:
                    where = (x, y) if k == 0 else (None, None)  # only a piece's first part has a known place
                if k == 0:
                    runs.append((x, squash(part)))
                sizes[round(size, 1)] += len(part.strip())
                bold.append(is_bold)
            current += part
    return lines


def _pages(path: Path) -> list[list[PdfLine]]:
    data = read_bytes(path)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns loudly about harmless quirks
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "this PDF is password-protected")
        return [_page_lines(page) for page in reader.pages]
    except IngestError:
        raise
    except Exception:
        raise IngestError(path, "this is not a readable PDF (the file may be corrupt or not a PDF)") from None


def _edges(lines: list[PdfLine]) -> set[int]:
    """Positions of a page's first two and last two lines, where headers and footers sit."""
    filled = [k for k, line in enumerate(lines) if line.text]
    return set(filled[:2] + filled[-2:])


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _running_lines(pages: list[list[PdfLine]]) -> set[str]:
    """Header and footer lines: at the edge of most pages, alike but for numbers, not sentences."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_shape(lines[k].text) for k in _edges(lines)})
    return {s for s, n in counts.items() if n >= max(3, len(pages) // 2) and s[-1:] not in ".!?:;"}


def _body_pages(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """The pages' text lines without running headers, footers and page numbers."""
    running = _running_lines(pages)
    out = []
    for lines in pages:
        edges = _edges(lines)
        out.append(
            [
                line
                for k, line in enumerate(lines)
                if not (line.text and k in edges and (_PAGE_NUMBER.match(line.text) or _shape(line.text) in running))
            ]
        )
    return out


def _width(lines: list[str]) -> int:
    """The usual length of a full line; a short document can't say, so assume a narrow column."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    return max(lengths[int(len(lengths) * 0.9)] if lengths else 0, 50)


def _ends_paragraph(prev: str, width: int) -> bool:
    if len(prev) < 0.6 * width:
        return True
    return prev[-1:] in ".!?:" and len(prev) < 0.85 * width


def _body_size(pages: list[list[PdfLine]]) -> float:
    chars: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            chars[line.size] += len(line.text)
    return max(chars, key=chars.get) if chars else 0.0


def _heading_levels(pages: list[list[PdfLine]]) -> dict[float, int]:
    """Font sizes clearly larger than the body text, largest first, as heading levels 2, 3, …"""
    body = _body_size(pages)
    if not body:
        return {}
    sizes = {line.size for lines in pages for line in lines}
    larger = sorted((s for s in sizes if s >= body * 1.15), reverse=True)
    return {size: 2 + k for k, size in enumerate(larger[:4])}


def _joined(text: str, line: str) -> str:
    if text.endswith("-") and text[-2:-1].isalpha() and line[:1].isalnum():
        return text + line  # a hyphenated word or compound ("non-GSA") broken at the line end
    return f"{text} {line}"


def pdf_lines(pages: list[list[PdfLine]]) -> list[Line]:
    """Logical lines (one per paragraph, heading or item) by the line-shape heuristics alone."""
    pages = _body_pages(pages)
    width = _width([line.text for lines in pages for line in lines])
    levels = _heading_levels(pages)
    out: list[Line] = []
    prev, prev_sized = "", False
    gap = True
    for lines in pages:
        for pdf_line in lines:
            line, size = pdf_line.text, pdf_line.size
            if not line:
                gap, prev = True, ""
                continue
            level = levels.get(size, 0) if len(line) <= 120 and line[-1] not in ".,;" else 0
            new = (
                gap
                or not out
                or level
                or prev_sized
                or _ends_paragraph(prev, width)
                or BULLET.match(line)
                or clause_number(line)[0]
                or (prev[-1:] in ".!?" and bool(title_like(line)))
            )
            if new:
                out.append(Line(line, 0, gap, heading=bool(level), level=level))
            elif prev.endswith("-") and prev[-2:-1].isalpha() and line[:1].islower():
                out[-1].text += line  # a word hyphenated across the line break
            else:
                out[-1].text += " " + line
            prev, prev_sized, gap = line, bool(level), False
        # A paragraph may run on over a page break; only a line that ends one starts afresh.
        gap = not prev or _ends_paragraph(prev, width)
    return out


# -- layout ---------------------------------------------------------------------------------------
@dataclass
class _Layout:
    body: float  # the body text's font size
    pitch: float  # the body text's usual line spacing
    left: float  # the body text's left margin
    para: float  # the usual extra space between paragraphs

    @property
    def gap(self) -> float:
        """Extra space above a line that starts a new paragraph."""
        return max(1.5, self.para / 2)


def _layout(pages: list[list[PdfLine]]) -> _Layout | None:
    """The body text's size, line spacing and margin, if the PDF places its lines and spaces its paragraphs."""
    body = _body_size(pages)
    lines = [line for page in pages for line in page if line.text]
    if not body or not lines or sum(line.y is not None for line in lines) < 0.9 * len(lines):
        return None
    steps: Counter[float] = Counter()
    lefts: Counter[float] = Counter()
    for page in pages:
        filled = [line for line in page if line.text and line.y is not None]
        for a, b in zip(filled, filled[1:], strict=False):
            if a.size == body and b.size == body and 0 < a.y - b.y:
                steps[round((a.y - b.y) * 2) / 2] += 1
        for line in filled:
            if line.size == body:
                lefts[round(line.x)] += len(line.text)
    if not steps:
        return None
    # The line spacing: the tightest step between two body lines (at least the font size) that is not
    # a stray; the most common one may be the step between paragraphs, when paragraphs are short.
    common = [step for step, n in steps.items() if step >= 0.9 * body and n >= 0.05 * sum(steps.values())]
    pitch = min(common) if common else max(steps, key=steps.get)
    spaces = Counter({round(step - pitch): n for step, n in steps.items() if step - pitch > 2.5})
    if sum(spaces.values()) < 3:
        return None  # no paragraph spacing to go by
    # The margin: the leftmost place where a good share of the body text starts (not a list's indent).
    total = sum(lefts.values())
    left = min(x for x, n in lefts.items() if n >= 0.05 * total)
    return _Layout(body, pitch, float(left), float(max(spaces, key=spaces.get)))


def _space(a: PdfLine | None, b: PdfLine | None, layout: _Layout) -> float:
    """Space between two lines beyond the usual line spacing; infinite across a page break."""
    if a is None or b is None or a.y is None or b.y is None:
        return math.inf
    return (a.y - b.y) - layout.pitch * (b.size or layout.body) / layout.body


def _marker(line: PdfLine, layout: _Layout) -> re.Match[str] | None:
    """A list item's bullet or number: a bullet anywhere; a number, or a lone symbol set apart
    from the text (Word's "o" for a second-level bullet), only when set in from the margin."""
    if m := BULLET.match(line.text):
        return m
    indented = line.x is not None and line.x > layout.left + _TOLERANCE
    m = _ORDERED.match(line.text)
    if m or not indented or len(line.runs) < 2:
        return m if indented else None
    first = line.runs[0][1]
    if len(first) == 1 and (first == "o" or not first.isalnum()) and first not in "([\"'“‘":
        return re.match(re.escape(first) + r"\s*", line.text)
    return None


def _cells(line: PdfLine) -> list[tuple[float, str]]:
    """A line's pieces of text, a piece that starts with punctuation (", and" after a link) joined to the one before."""
    out: list[tuple[float, str]] = []
    for x, text in line.runs:
        if out and text[:1] in tuple(",.;:!?)"):
            out[-1] = (out[-1][0], out[-1][1] + text)
        else:
            out.append((x, text))
    return out


def _table_rows(page: list[PdfLine], layout: _Layout) -> dict[int, tuple[str, list[str]]]:
    """The lines of a page that are table rows, by index: ("header" or "row", the row's cells).

    A table is lines in a row whose pieces of text all start at the same places (two columns at
    least); the line just above with as many pieces is its header (headers are often centred over
    their columns), else its first row is. It takes three lines, header included, to be a table."""
    cells = {k: _cells(line) for k, line in enumerate(page)}

    def starts(k: int) -> list[float]:
        return [x for x, _ in cells[k]]

    def candidate(k: int) -> bool:
        return page[k].y is not None and len(cells[k]) >= 2 and not _marker(page[k], layout)

    def aligned(a: list[float], b: list[float]) -> int:
        return sum(any(abs(x - y) <= _TOLERANCE for y in b) for x in a)

    def follows(a: int, b: int) -> bool:
        return (
            candidate(a)
            and candidate(b)
            and abs(starts(a)[0] - starts(b)[0]) <= _TOLERANCE
            and aligned(starts(a), starts(b)) >= max(2, min(len(cells[a]), len(cells[b])))
        )

    rows: dict[int, tuple[str, list[str]]] = {}
    k = 0
    while k < len(page):
        chain = [k]
        while chain[-1] + 1 < len(page) and follows(chain[-1], chain[-1] + 1):
            chain.append(chain[-1] + 1)
        head = chain[0] - 1
        header = head >= 0 and head not in rows and candidate(head) and len(cells[head]) == len(cells[chain[0]])
        if len(chain) < 2 or len(chain) == 2 and not header:
            k += 1
            continue
        columns: list[float] = []
        for x in sorted(x for i in chain for x in starts(i)):
            if sum(aligned([x], starts(j)) for j in chain) >= len(chain) / 2 and (
                not columns or x - columns[-1] > _TOLERANCE
            ):
                columns.append(x)
        for i in chain:
            row: list[str] = []
            for x, text in cells[i]:
                if not row or any(abs(x - c) <= _TOLERANCE for c in columns):
                    row.append(text)
                else:  # a second piece of text in the same cell (a link, a bold word)
                    row[-1] = f"{row[-1]} {text}"
            rows[i] = ("row", row)
        if header:
            rows[head] = ("header", [text for _, text in cells[head]])
        else:
            rows[chain[0]] = ("header", rows[chain[0]][1])
        k = chain[-1] + 1
    return rows


def _layout_lines(pages: list[list[PdfLine]], layout: _Layout, width: int) -> list[Line]:
    """Logical lines from where the lines sit: see the module's docstring."""
    levels = _heading_levels(pages)
    # Bold lines set closer to what follows than to what precedes are headings, ranked by size below the larger fonts.
    bold_heads: set[tuple[int, int]] = set()
    for p, page in enumerate(pages):
        for k, line in enumerate(page):
            if not (line.text and line.bold and line.size < layout.body * 1.15 and len(line.text) <= 120):
                continue
            if line.text[-1] in ".,;:" or BULLET.match(line.text) or _ORDERED.match(line.text):
                continue
            if len(line.text) >= 0.8 * width:
                continue  # a full line: the first of a bold paragraph
            nxt = page[k + 1] if k + 1 < len(page) else None
            before = _space(page[k - 1] if k else None, line, layout)
            after = _space(line, nxt, layout)
            if nxt is not None and nxt.bold and nxt.size == line.size and after < 1:
                continue  # the bold text runs on
            heading_next = nxt is not None and nxt.bold and len(nxt.text) <= 80 and nxt.text[-1] not in ".,;:"
            if after < before - 1 and (after < layout.para - 1 or heading_next):
                bold_heads.add((p, k))
    bold_sizes = sorted({pages[p][k].size for p, k in bold_heads}, reverse=True)
    bold_levels = {size: 2 + len(levels) + n for n, size in enumerate(bold_sizes)}

    out: list[Line] = []
    headers: list[str] = []  # the current table's column headers
    markers: list[float] = []  # x of each open list level's marker
    item_x: float | None = None  # where the open item's text starts
    last: PdfLine | None = None  # the line before, across pages
    kind = ""  # what the line before belongs to: "para", "item", "heading", "row"
    for p, page in enumerate(pages):
        rows = _table_rows(page, layout)
        prev: PdfLine | None = None
        for k, line in enumerate(page):
            text = line.text
            x = line.x if line.x is not None else layout.left
            if k in rows:
                role, cells = rows[k]
                if role == "header":
                    headers = cells  # a new table's, or the same header repeated atop a page
                else:
                    out.append(Line(table_row(headers, cells), 0, False, kind="row"))
                prev, last, kind = line, line, "row"
                continue
            nxt = page[k + 1] if k + 1 < len(page) else None
            wraps = nxt is not None and nxt.size == line.size and _space(line, nxt, layout) < layout.gap
            size_level = (
                levels.get(line.size, 0)
                if len(text) <= 120 and (text[-1] not in ".,;" or text[-1] == "," and wraps)
                else 0
            )
            level = size_level or (bold_levels.get(line.size, 0) if (p, k) in bold_heads else 0)
            space = _space(prev, line, layout) if prev is not None else None
            gap = space is not None and space > layout.gap
            marker = _marker(line, layout)
            if level and kind == "heading" and out[-1].level == level and not gap:
                out[-1].text = _joined(out[-1].text, text)  # a heading wrapped over two lines
            elif level:
                out.append(Line(text, 0, True, heading=True, level=level))
                markers, kind = [], "heading"
            elif marker:
                while markers and x < markers[-1] - _TOLERANCE:
                    markers.pop()
                if markers and abs(x - markers[-1]) <= _TOLERANCE:
                    markers[-1] = x
                else:
                    markers.append(x)
                ordered = _ORDERED.match(text)
                item_text = text if ordered else text[marker.end() :]
                number = ordered.group(1) if ordered else ""
                out.append(Line(item_text, 0, gap, kind="item", marker=number, depth=len(markers) - 1))
                kind = "item"
                item_x = line.runs[1][0] if len(line.runs) > 1 and len(line.runs[0][1]) <= 4 else None
            elif (
                kind == "item"
                and x > markers[-1] + 1
                and (space is not None or not _ends(last, width))
                and (not gap or item_x is None or x >= item_x - _TOLERANCE)
            ):
                # A wrapped line of the item, or (after a gap, set in as far as its text) a paragraph inside it.
                out[-1].text = out[-1].text + "\n" + text if gap else _joined(out[-1].text, text)
                item_x = x if item_x is None and not gap else item_x
            elif kind == "para" and not gap and (space is not None or not _ends(last, width)):
                out[-1].text = _joined(out[-1].text, text)
            else:
                out.append(Line(text, 0, gap or space is None))
                markers, kind = [], "para"
            prev, last = line, line
    return out


def _ends(line: PdfLine | None, width: int) -> bool:
    return line is None or _ends_paragraph(line.text, width)


def parse(path: Path) -> list[Block]:
    pages = _pages(path)
    body = [[line for line in page if line.text] for page in _body_pages(pages)]
    layout = _layout(body)
    if layout is None:
        lines, guess = pdf_lines(pages), True
    else:
        width = _width([line.text for page in body for line in page])
        lines = _layout_lines(body, layout, width)
        guess = not any(line.heading for line in lines)
    if not lines:
        raise IngestError(path, "this PDF has no extractable text (is it a scanned image?)")
    return lines_to_blocks(lines, guess_headings=guess)
