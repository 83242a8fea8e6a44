"""The knowledge base's data model: documents made of sections and clauses."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_CITATION_CHARS = 1500


@dataclass(frozen=True)
class Section:
    number: str  # "5"; for unnumbered documents an assigned number such as "2.1"
    title: str  # the heading text as written


@dataclass(frozen=True)
class Clause:
    """One numbered clause, or one passage (a paragraph or list) of an unnumbered document.

    `text` is always verbatim from the source. Everything else about the clause (title,
    summary, keywords, example questions) is enrichment kept apart from the text.
    """

    number: str  # "5.13" as numbered in the source; an assigned number for passages
    text: str
    section: str = ""  # number of the section it sits in
    heading: str = ""  # heading path, outermost first, joined with " › "
    title: str = ""
    summary: str = ""
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    kind: str = "clause"  # "clause" (numbered in the source) or "passage"


@dataclass(frozen=True)
class Document:
    id: str  # slug, e.g. "tdc-social-media-policy"
    title: str
    clauses: tuple[Clause, ...]
    sections: tuple[Section, ...] = ()
    publisher: str = ""
    source: str = ""  # where it came from (file name)
    format: str = ""  # md, txt, html, docx, pdf, json
    owner: str = ""
    version: str = ""
    date: str = ""
    review_cycle: str = ""
    next_review: str = ""
    related: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # what the document is about (its subject's words); see knowledge.search
    not_covered: tuple[str, ...] = ()  # near-topic questions it does not answer (negative anchors)
    meta: dict = field(default_factory=dict, compare=False)
