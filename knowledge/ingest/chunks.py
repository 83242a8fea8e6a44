"""One section's blocks -> quotable chunks: clauses, passages, lists kept with their lead-in."""

from __future__ import annotations

import math
import re

from .base import Block

_CLAUSE_NUM = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)(\.)?\s+(?=\S)|^(\d{1,3})[.)]\s+(?=\S)")
_SENTENCE_GAP = re.compile(r"[.!?…][\"'’”)\]]*( +)(?=[^a-z])")
# A lead-in may be separated from its list by one short note ("Please note that …").
_MAX_NOTE = 700
# A list with no lead-in is a run of separate points: chunks close once they reach this size.
_LIST_TARGET = 800

Chunk = tuple[str, str, str]  # (kind, number as written or "", text)


def clause_number(text: str, section: str | None = "") -> tuple[str, str]:
    """("5.13", rest) for "5.13 Employees must…", "5.13. …", "12. …", "1) …"; else ("", text).

    "3.5 hours of leave…" is prose, so a decimal followed by a lowercase word counts only
    inside its own section (section "3" holding "3.5 staff must…"), or always if section is None.
    """
    m = _CLAUSE_NUM.match(text)
    if not m:
        return "", text
    rest = text[m.end() :]
    if m.group(1):
        lower = not m.group(2) and rest[:1].islower()
        if lower and section is not None and not (section and m.group(1).startswith(section + ".")):
            return "", text
        return m.group(1), rest
    return m.group(3), rest


def _sentences(text: str) -> list[str]:
    parts, start = [], 0
    for m in _SENTENCE_GAP.finditer(text):
        parts.append(text[start : m.start(1)])
        start = m.end(1)
    parts.append(text[start:])
    return [p for p in parts if p]


def split_text(text: str, limit: int) -> list[str]:
    """Split at line, then sentence, then word boundaries into near-equal pieces of <= limit."""
    if len(text) <= limit:
        return [text]
    options = (("\n", text.split("\n")), (" ", _sentences(text)), (" ", text.split(" ")))
    found = next(((sep, parts) for sep, parts in options if len(parts) > 1), None)
    if found is None:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    sep, parts = found
    target = len(text) / math.ceil(len(text) / limit)
    chunks: list[str] = []
    current = ""
    for part in parts:
        for piece in split_text(part, limit):
            if current and (len(current) + len(sep) + len(piece) > limit or len(current) >= target):
                chunks.append(current)
                current = ""
            current = f"{current}{sep}{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _units(items: list[Block]) -> list[str]:
    """Top-level items, each with its nested items indented beneath it."""
    base = min(b.level for b in items)
    units: list[list[str]] = []
    for item in items:
        indent = "  " * (item.level - base)
        lines = [indent + line for line in item.text.split("\n")]
        if item.level == base or not units:
            units.append(lines)
        else:
            units[-1].extend(lines)
    return ["\n".join(u) for u in units]


def _pack(units: list[str], limit: int, lead: str = "", target: int | None = None) -> list[str]:
    """Whole units packed greedily; the lead-in is repeated on every chunk so each stands alone."""
    budget = limit - (len(lead) + 1 if lead else 0)
    target = target or budget
    chunks: list[str] = []
    current = ""
    for unit in units:
        for piece in split_text(unit, budget):
            if current and (len(current) + 1 + len(piece) > budget or len(current) >= target):
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return [f"{lead}\n{c}" if lead else c for c in chunks]


def _with_lead(lead: str, units: list[str], limit: int) -> list[str]:
    whole = "\n".join([lead, *units])
    if len(whole) <= limit:
        return [whole]
    if len(lead) > limit // 3:
        return split_text(lead, limit) + _pack(units, limit, target=_LIST_TARGET)
    return _pack(units, limit, lead)


def _take(blocks: list[Block], i: int, kind: str) -> tuple[list[Block], int]:
    j = i
    while j < len(blocks) and blocks[j].kind == kind:
        j += 1
    return blocks[i:j], j


def _table(rows: list[Block], lead: str, limit: int) -> list[str]:
    """One chunk per row; but a table introduced by a "…:" lead-in (say "For example:") is
    one example, so it stays whole with its lead-in when it fits."""
    texts = [r.text for r in rows]
    whole = "\n".join([lead, *texts])
    if lead and len(whole) <= limit:
        return [whole]
    out = split_text(lead, limit) if lead else []
    for text in texts:
        out.extend(split_text(text, limit))
    return out


def _skip_breaks(blocks: list[Block], i: int) -> int:
    while i < len(blocks) and blocks[i].kind == "break":
        i += 1
    return i


def _plain(block: Block, section: str) -> bool:
    """A paragraph that can join a lead-in: not a numbered clause, not a lead-in itself."""
    return block.kind == "para" and not clause_number(block.text, section)[0] and not block.text.endswith(":")


def group_blocks(blocks: list[Block], limit: int, section: str = "") -> list[Chunk]:
    """Chunks for one section; clauses keep the number written in the source.

    A paragraph directly followed by a list introduces it and is kept with it when both fit
    in one chunk; a "…:" lead-in is kept with its list (or table, or example paragraph) even
    when the list must be split, by repeating the lead-in on each part.
    """
    out: list[Chunk] = []
    n = len(blocks)
    i = 0
    while i < n:
        block = blocks[i]
        if block.kind == "item":
            items, i = _take(blocks, i, "item")
            out.extend(("passage", "", t) for t in _pack(_units(items), limit, target=_LIST_TARGET))
            continue
        if block.kind == "row":
            rows, i = _take(blocks, i, "row")
            out.extend(("passage", "", t) for t in _table(rows, "", limit))
            continue
        if block.kind != "para":
            i += 1
            continue
        number, text = clause_number(block.text, section)
        strong = text.rstrip().endswith(":")
        lead = text
        j = _skip_breaks(blocks, i + 1)
        if strong and j < n and _plain(blocks[j], section):
            k = _skip_breaks(blocks, j + 1)
            if k < n and blocks[k].kind in ("item", "row") and len(lead) + len(blocks[j].text) <= _MAX_NOTE:
                lead, j = f"{lead}\n{blocks[j].text}", k
        texts: list[str] = []
        if not strong and j != i + 1:
            pass  # a rule or table boundary separates a plain paragraph from what follows
        elif j < n and blocks[j].kind == "item":
            items, end = _take(blocks, j, "item")
            units = _units(items)
            whole = "\n".join([lead, *units])
            texts = [whole] if len(whole) <= limit else _with_lead(lead, units, limit) if strong else []
            i = end if texts else i
        elif j < n and blocks[j].kind == "row" and strong:
            rows, i = _take(blocks, j, "row")
            texts = _table(rows, lead, limit)
        elif strong and j < n and _plain(blocks[j], section) and len(lead) + 1 + len(blocks[j].text) <= limit:
            texts, i = [f"{lead}\n{blocks[j].text}"], j + 1
        if not texts:
            texts, i = split_text(text, limit), i + 1
        for k, piece in enumerate(texts):
            if number:
                out.append(("clause", number if k == 0 else f"{number} (part {k + 1})", piece))
            else:
                out.append(("passage", "", piece))
    return out
