"""HTML -> blocks with the standard library's html.parser; page chrome (nav, header, …) skipped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .base import Block, read_text, squash, table_row

_SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "svg",
    "head",
    "button",
    "select",
    "iframe",
    "object",
    "canvas",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "li",
    "ul",
    "ol",
    "blockquote",
    "table",
    "tr",
    "td",
    "th",
    "dl",
    "dt",
    "dd",
    "pre",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "form",
    "fieldset",
    "center",
    "hr",
}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr", "param"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.open: list[str] = []  # open block-level tags
        self.skipping: list[str] = []
        self.lists: list[list[int | None]] = []  # per open ul/ol: [next number] or [None]
        self.items: list[dict] = []  # per open li: its prefix and the block it produced
        self.tables: list[dict] = []  # per open table: headers, current row cells
        self.title: list[str] | None = None
        self.title_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.title_text and self.skipping in ([], ["head"]):
            self.title = []  # the page <title>, not an <svg><title>
            return
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIP and not (tag == "header" and {"article", "main"} & set(self.open)):
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag == "br":
            self.buf.append("\n")
            return
        if tag not in _BLOCKS:
            return
        self.flush()
        if tag == "hr":
            self.blocks.append(Block("break"))
            return
        self.open.append(tag)
        if tag in ("ul", "ol"):
            start = dict(attrs).get("start") or "1"
            self.lists.append([int(start) if tag == "ol" and start.isdigit() else None])
        elif tag == "li":
            counter = self.lists[-1] if self.lists else [None]
            prefix = f"{counter[0]}. " if counter[0] is not None else ""
            if counter[0] is not None:
                counter[0] += 1
            self.items.append({"prefix": prefix, "block": None})
        elif tag == "table":
            self.tables.append({"headers": [], "cells": None, "cell": None, "all_th": True})
        elif tag == "tr" and self.tables:
            self.tables[-1].update(cells=[], all_th=True)
        elif tag in ("td", "th") and self.tables:
            self.tables[-1]["cell"] = []
            self.tables[-1]["all_th"] &= tag == "th"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.title_text = squash(" ".join(self.title).replace("\n", " "))
            self.title = None
            return
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag not in _BLOCKS or tag not in self.open:
            return
        self.flush()
        while self.open:
            closed = self.open.pop()
            self._close(closed)
            if closed == tag:
                break

    def _close(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self.blocks.append(Block("break"))
        elif tag == "li" and self.items:
            self.items.pop()
        elif tag in ("td", "th") and self.tables and self.tables[-1]["cell"] is not None:
            table = self.tables[-1]
            if table["cells"] is None:
                table["cells"] = []  # a cell outside any <tr>
            table["cells"].append(" ".join(table["cell"]))
            table["cell"] = None
        elif tag == "tr" and self.tables and self.tables[-1]["cells"] is not None:
            table = self.tables[-1]
            cells, table["cells"] = table["cells"], None
            if table["all_th"] and not table["headers"]:
                table["headers"] = cells
            elif any(cells):
                self.blocks.append(Block("row", table_row(table["headers"], cells)))
        elif tag == "table" and self.tables:
            self.tables.pop()
            self.blocks.append(Block("break"))

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)
        elif not self.skipping:
            self.buf.append(data if "pre" in self.open else re.sub(r"\s+", " ", data))

    def flush(self) -> None:
        text = squash("".join(self.buf))
        self.buf.clear()
        if not text:
            return
        for tag in reversed(self.open):
            if tag in ("td", "th") and self.tables and self.tables[-1]["cell"] is not None:
                self.tables[-1]["cell"].append(text.replace("\n", " "))
                return
            if tag in _HEADINGS:
                self.blocks.append(Block("heading", text.replace("\n", " "), int(tag[1])))
                return
            if tag == "li" and self.items:
                item = self.items[-1]
                if item["block"] is not None and item["block"] is self.blocks[-1]:
                    item["block"].text += "\n" + text
                else:
                    item["block"] = Block("item", item["prefix"] + text, max(len(self.lists) - 1, 0))
                    item["prefix"] = ""
                    self.blocks.append(item["block"])
                return
        self.blocks.append(Block("para", text))


def parse(path: Path) -> list[Block]:
    reader = _Reader()
    reader.feed(read_text(path))
    reader.close()
    reader.flush()
    return ([Block("title", reader.title_text)] if reader.title_text else []) + reader.blocks
