"""Blocks -> Document: the heading tree becomes sections, paragraphs and lists become clauses.

Numbering: a number written in the source (a "5." heading, a "5.13 " clause) is kept.
Everything else gets a number from its parent's counter, one counter shared by passages
and sub-headings, so section 2 holds passages 2.1, 2.2, then sub-heading 2.3 whose
passages are 2.3.1, ... Numbers written anywhere in the source are reserved up front so
an assigned number never takes one a later clause needs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.model import MAX_CITATION_CHARS, Clause, Document, Section

from .base import IMAGE_ONLY, Block
from .chunks import clause_number, group_blocks

_HEADING_NUM = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(\.|\))?\s+(\S.*)$")
_NUM_ONLY = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?$")


def heading_number(text: str) -> tuple[str, str]:
    """("5", "Personal use") for "5. Personal use"; ("", text) when the heading is unnumbered."""
    text = text.strip()
    m = _HEADING_NUM.match(text)
    if m:
        number, punct, rest = m.groups()
        # A bare "12 Things" could be prose ("40 hours a week"); only trust short ones.
        if punct or "." in number or (int(number) < 100 and rest[:1].isupper()):
            return number, rest
    m = _NUM_ONLY.match(text)
    if m:
        return m.group(1), text
    return "", text


def slugify(stem: str) -> str:
    """A document id from a file name (kept as it always was: a new rule would give a file ingested before a new
    id, and so a second live copy of it). knowledge.lifecycle accepts every id this makes."""
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        slug = re.sub(r"[^\w]+", "-", stem.lower()).strip("-_")
    return slug or "document"


def humanise(stem: str) -> str:
    words = re.sub(r"[-_\s]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Untitled document"


@dataclass
class _Node:
    number: str
    title: str
    path: tuple[str, ...]
    level: int
    count: int = 0
    blocks: list[Block] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)


class _Numbers:
    def __init__(self, reserved: set[str]) -> None:
        self.reserved = reserved
        self.used: set[str] = set()

    def claim(self, number: str) -> str:
        candidate, k = number, 1
        while candidate in self.used:
            k += 1
            candidate = f"{number} ({k})"
        self.used.add(candidate)
        return candidate

    def next_child(self, node: _Node | None, root: list[int]) -> str:
        while True:
            if node is None:
                root[0] += 1
                candidate = str(root[0])
            else:
                node.count += 1
                candidate = f"{node.number}.{node.count}"
            if candidate not in self.reserved and candidate not in self.used:
                return self.claim(candidate)


def _pick_title(blocks: list[Block], fallback: str) -> tuple[str, int | None]:
    """The document title and the index of the heading it came from (that heading is not a section)."""
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    hint = next((b.text for b in blocks if b.kind == "title"), "")
    tops = [i for i in headings if blocks[i].level == 1 and not heading_number(blocks[i].text)[0]]
    if tops and (tops[0] == headings[0] or len(tops) == 1):
        return blocks[tops[0]].text, tops[0]
    if headings:
        first = headings[0]
        others = [blocks[i].level for i in headings[1:]]
        if not heading_number(blocks[first].text)[0] and all(lv > blocks[first].level for lv in others):
            return blocks[first].text, first
        return hint or blocks[first].text, None
    return hint or fallback, None


def _placeholder(block: Block) -> bool:
    return block.kind == "para" and bool(IMAGE_ONLY.match(block.text.strip()))


# A document's own details written as "Key: value" lines before its first heading ("Owner: Finance Manager",
# "Version: 2.1", "Review date: 2027-04-01"): what the document says about itself, never a clause.
_DETAILS = {
    "owner": "owner",
    "policy owner": "owner",
    "document owner": "owner",
    "owned by": "owner",
    "responsible officer": "owner",
    "version": "version",
    "document version": "version",
    "date": "date",
    "effective date": "date",
    "date approved": "date",
    "approved": "date",
    "issued": "date",
    "review date": "next_review",
    "next review": "next_review",
    "next review date": "next_review",
    "review due": "next_review",
    "review cycle": "review_cycle",
    "review frequency": "review_cycle",
    "publisher": "publisher",
    "published by": "publisher",
}
_DETAIL_KEY = re.compile(
    r"(?:^|(?<=\s))\**(" + "|".join(sorted(map(re.escape, _DETAILS), key=len, reverse=True)) + r")\**\s*:\s*",
    re.IGNORECASE,
)


def _details(block: Block) -> dict[str, str] | None:
    """The block's details when it is nothing but "Known key: value" pairs (on one line or several: a parser may
    have joined them), else None."""
    text = block.text.strip()
    keys = list(_DETAIL_KEY.finditer(text))
    if not keys or keys[0].start() != 0:
        return None
    out = {}
    for k, nxt in zip(keys, [*keys[1:], None], strict=True):
        value = text[k.end() : nxt.start() if nxt else len(text)].strip(" *\n")
        if not value or len(value) > 80 or (value.endswith(".") and " " in value):  # a value, not a sentence
            return None
        out[_DETAILS[k.group(1).lower()]] = value
    return out


def build_document(blocks: list[Block], path: Path, fmt: str) -> Document:
    blocks = [b for b in blocks if b.kind == "break" or (b.text.strip() and not _placeholder(b))]
    details: dict[str, str] = {}
    # Before the first heading of the body: a heading that opens the file is the document's title.
    headings = [i for i, b in enumerate(blocks) if b.kind in ("heading", "title")]
    opening = next((i for i, b in enumerate(blocks) if b.kind != "break"), 0)
    body = [i for i in headings if i != opening]
    first_heading = body[0] if body else len(blocks)
    # Only the unbroken run of detail lines at the top (after a title): "Approved: software must be approved by IT"
    # further down is a rule, not the document's date.
    kept, at_top = [], True
    for i, b in enumerate(blocks):
        if i == opening and b.kind in ("heading", "title") or b.kind == "break":
            kept.append(b)
            continue
        found = _details(b) if at_top and i < first_heading and b.kind == "para" else None
        if found:
            details.update(found)
        else:
            at_top = False
            kept.append(b)
    blocks = kept
    title, title_index = _pick_title(blocks, humanise(path.stem))
    reserved = {heading_number(b.text)[0] for b in blocks if b.kind == "heading"}
    reserved |= {clause_number(b.text, None)[0] for b in blocks if b.kind == "para"}
    reserved.discard("")
    numbers = _Numbers(reserved)
    root = [0]
    stack: list[_Node] = []
    nodes: list[_Node] = []

    for i, block in enumerate(blocks):
        if block.kind == "title" or i == title_index:
            continue
        if block.kind == "heading":
            while stack and stack[-1].level >= block.level:
                stack.pop()
            parent = stack[-1] if stack else None
            if parent is not None:
                _flush(parent, numbers)  # its passages take their numbers before this sub-heading
            written, text = heading_number(block.text)
            number = numbers.claim(written) if written else numbers.next_child(parent, root)
            node = _Node(number, text, (parent.path if parent else ()) + (text,), block.level)
            stack.append(node)
            nodes.append(node)
        elif stack:
            stack[-1].blocks.append(block)
        else:
            if not nodes or nodes[0].level != 0:
                nodes.insert(0, _Node(numbers.claim("0"), title, (), 0))
            nodes[0].blocks.append(block)

    clauses: list[Clause] = []
    for node in nodes:
        _flush(node, numbers)
        clauses.extend(node.clauses)
    return Document(
        id=slugify(path.stem),
        title=title,
        clauses=tuple(clauses),
        sections=tuple(Section(n.number, n.title) for n in nodes),
        source=path.name,
        format=fmt,
        **details,
    )


def _flush(node: _Node, numbers: _Numbers) -> None:
    heading = " › ".join(node.path)
    for kind, written, text in group_blocks(node.blocks, MAX_CITATION_CHARS, node.number):
        if kind == "clause":
            number = numbers.claim(written)
        else:
            number = numbers.next_child(node, [0])
        node.clauses.append(
            Clause(number=number, text=text, section=node.number, heading=heading, title=node.title, kind=kind)
        )
    node.blocks.clear()
