"""PDF -> blocks with pypdf. PDFs hold positioned lines, not paragraphs: this rejoins lines
wrapped inside a paragraph, drops running headers/footers and page numbers, and leaves
heading detection to the same line heuristics plain text uses."""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from pathlib import Path

from pypdf import PageObject, PdfReader

from .base import Block, IngestError, read_bytes, squash
from .chunks import clause_number
from .text import BULLET, Line, lines_to_blocks, title_like

_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.I)


Sized = tuple[str, float]  # a line of text and its font size (0 when unknown)


def _page_lines(page: PageObject) -> list[Sized]:
    """The page's lines with the font size of each, from pypdf's text visitor."""
    pieces: list[Sized] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]) or 1.0
        pieces.append((text, float(size or 0) * scale))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(p for p, _ in pieces) != text:  # the visitor saw something else: no sizes
        return [(squash(line), 0.0) for line in text.split("\n")]
    lines: list[Sized] = []
    current, sizes = "", Counter()
    for piece, size in pieces + [("\n", 0.0)]:
        for k, part in enumerate(piece.split("\n")):
            if k:
                lines.append((squash(current), max(sizes, key=sizes.get) if sizes else 0.0))
                current, sizes = "", Counter()
            current += part
            if part.strip():
                sizes[round(size, 1)] += len(part.strip())
    return lines


def _pages(path: Path) -> list[list[Sized]]:
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


def _edges(lines: list[Sized]) -> set[int]:
    """Positions of a page's first two and last two lines, where headers and footers sit."""
    filled = [k for k, (text, _) in enumerate(lines) if text]
    return set(filled[:2] + filled[-2:])


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _running_lines(pages: list[list[Sized]]) -> set[str]:
    """Header and footer lines: at the edge of most pages, alike but for numbers, not sentences."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_shape(lines[k][0]) for k in _edges(lines)})
    return {s for s, n in counts.items() if n >= max(3, len(pages) // 2) and s[-1:] not in ".!?:;"}


def _width(lines: list[str]) -> int:
    """The usual length of a full line; a short document can't say, so assume a narrow column."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    return max(lengths[int(len(lengths) * 0.9)] if lengths else 0, 50)


def _ends_paragraph(prev: str, width: int) -> bool:
    if len(prev) < 0.6 * width:
        return True
    return prev[-1:] in ".!?:" and len(prev) < 0.85 * width


def _heading_levels(pages: list[list[Sized]]) -> dict[float, int]:
    """Font sizes clearly larger than the body text, largest first, as heading levels 2, 3, …"""
    chars: Counter[float] = Counter()
    for lines in pages:
        for text, size in lines:
            chars[size] += len(text)
    if not chars or not max(chars):
        return {}
    body = max(chars, key=chars.get)
    larger = sorted((s for s in chars if s >= body * 1.15), reverse=True)
    return {size: 2 + k for k, size in enumerate(larger[:3])}


def pdf_lines(pages: list[list[Sized]]) -> list[Line]:
    running = _running_lines(pages)
    width = _width([text for lines in pages for text, _ in lines])
    levels = _heading_levels(pages)
    out: list[Line] = []
    prev, prev_sized = "", False
    gap = True
    for lines in pages:
        edges = _edges(lines)
        for k, (line, size) in enumerate(lines):
            if not line:
                gap, prev = True, ""
                continue
            if k in edges and (_PAGE_NUMBER.match(line) or _shape(line) in running):
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


def parse(path: Path) -> list[Block]:
    lines = pdf_lines(_pages(path))
    if not lines:
        raise IngestError(path, "this PDF has no extractable text (is it a scanned image?)")
    return lines_to_blocks(lines)
