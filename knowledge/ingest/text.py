"""Plain text -> blocks; also the line heuristics (headings, bullets) that pdf.py reuses.

A .txt file is either one paragraph/clause per line, or hard-wrapped paragraphs separated
by blank lines; the file's own line shapes decide which.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from .base import Block, read_text, squash
from .chunks import clause_number
from .structure import heading_number

# Word's PDFs draw bullets from the Symbol and Wingdings fonts, as private-use characters.
BULLET = re.compile(r"^[-*•‣◦▪■□●○–—·\uf0b7\uf0a7\uf0a8\uf0d8\uf076\uf0fc]\s+(?=\S)")
_RULE = re.compile(r"^[-=_*~#+.·•—–─━═\s]{3,}$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_SENTENCE_END = ".!?"


@dataclass
class Line:
    text: str
    indent: int = 0
    after_gap: bool = False  # preceded by a blank line (or the start of the document)
    heading: bool = False  # known to be a heading (underlined, or set in a larger font)
    level: int = 0  # its level, when the source says (font size rank in a PDF)
    kind: str = ""  # "item" or "row" when the layout already says so (a PDF's indented list, its table)
    marker: str = ""  # an ordered item's number as shown
    depth: int = 0  # a list item's nesting (0 = top level)


def title_like(text: str) -> str:
    """'caps', 'numbered' or 'title' when a line reads like a heading; '' otherwise."""
    text = text.strip()
    if not text or len(text) > 80 or text[-1] in ".,;:!?" or len(text.split()) > 12:
        return ""
    number, rest = heading_number(text)
    if not rest[:1].isupper():
        return "numbered" if number and rest == text else ""
    letters = [c for c in rest if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "caps"
    if number:
        return "numbered" if len(rest.split()) <= 8 else ""
    words = [w for w in rest.split() if w[:1].isalpha()]
    long_words = [w for w in words if len(w) > 3] or words
    single = len(words) == 1 and words[0].isalpha() and len(words[0]) >= 3
    if (len(words) >= 2 or single) and sum(w[0].isupper() for w in long_words) >= 0.6 * len(long_words):
        return "title"
    return ""


def lines_to_blocks(lines: list[Line], guess_headings: bool = True) -> list[Block]:
    """Headings, list items and paragraphs from logical lines (each already one block's text).

    Without guess_headings only lines known to be headings are (a PDF whose headings have their own font).
    """
    shapes = [title_like(line.text) if guess_headings and not line.kind else "" for line in lines]

    def strong(k: int) -> bool:
        return lines[k].heading or shapes[k] in ("caps", "numbered")

    candidate = [False] * len(lines)
    for k, line in enumerate(lines):
        if not (line.heading or shapes[k]) or BULLET.match(line.text) or line.kind:
            continue
        prev = lines[k - 1].text if k else ""
        prev_ok = k == 0 or line.after_gap or prev[-1:] in _SENTENCE_END
        candidate[k] = line.heading or prev_ok or (strong(k) and candidate[k - 1] and not prev.endswith(":"))
    is_heading = [False] * len(lines)
    for k in range(len(lines) - 1, -1, -1):
        if not candidate[k] or k + 1 == len(lines):
            continue
        follows = not shapes[k + 1] and not lines[k + 1].heading
        # The document's first line, shaped like a title and followed by a heading ("Expenses Policy", then
        # "1. Mileage"), is its title.
        is_heading[k] = lines[k].heading or follows or ((strong(k) or k == 0) and is_heading[k + 1])

    has_caps = any(h and shapes[k] == "caps" for k, h in enumerate(is_heading))
    bullet_indents = [line.indent for line in lines if BULLET.match(line.text)]
    base_indent = min(bullet_indents, default=0)
    blocks: list[Block] = []
    for k, line in enumerate(lines):
        if is_heading[k]:
            number = heading_number(line.text)[0]
            if k == 0 and not number:
                level = 1
            elif line.level:
                level = line.level
            elif number:
                level = 2 + number.count(".")
            else:
                level = 3 if has_caps and shapes[k] != "caps" else 2
            blocks.append(Block("heading", line.text, level))
        elif line.kind == "item":
            blocks.append(Block("item", line.text, line.depth, line.marker))
        elif line.kind == "row":
            if not blocks or blocks[-1].kind != "row":
                blocks.append(Block("break"))
            blocks.append(Block("row", line.text))
        elif m := BULLET.match(line.text):
            blocks.append(Block("item", line.text[m.end() :], 1 if line.indent > base_indent + 1 else 0))
        else:
            if blocks and blocks[-1].kind in ("item", "row"):
                blocks.append(Block("break"))
            blocks.append(Block("para", line.text))
    return blocks


def _starts_new(line: str) -> bool:
    return bool(BULLET.match(line) or clause_number(line)[0])


def _wrapped(runs: list[list[str]]) -> bool:
    """True when multi-line runs look like hard-wrapped prose rather than one clause per line."""
    inner = [line for run in runs if len(run) > 1 for line in run[:-1]]
    if len(runs) < 2 or not inner:
        return False
    unended = sum(line.rstrip()[-1] not in _SENTENCE_END + ":;" for line in inner)
    return unended >= 0.5 * len(inner) and statistics.median(len(x) for x in inner) <= 100


def text_lines(text: str) -> list[Line]:
    raw = text.split("\n")
    runs: list[list[str]] = [[]]
    for line in raw:
        if line.strip():
            runs[-1].append(line.rstrip())
        elif runs[-1]:
            runs.append([])
    runs = [r for r in runs if r]
    wrapped = _wrapped(runs)
    out: list[Line] = []
    for run in runs:
        first = True
        for k, line in enumerate(run):
            stripped = squash(line)
            if _UNDERLINE.match(line) and out and not first:
                out[-1].heading = True
                continue
            if not stripped or _RULE.match(stripped):
                continue
            indent = len(line) - len(line.lstrip())
            joins = (
                wrapped
                and not first
                and not _starts_new(stripped)
                and not (k == 1 and len(run[0].strip()) < 0.6 * len(line.strip()) and title_like(run[0]))
            )
            if joins:
                out[-1].text += " " + stripped
            else:
                out.append(Line(stripped, indent, first))
            first = False
    return out


def parse(path: Path) -> list[Block]:
    return lines_to_blocks(text_lines(read_text(path)))
