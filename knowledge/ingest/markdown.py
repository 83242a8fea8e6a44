"""Markdown -> blocks. A line-based reader for the CommonMark/GFM subset policy pages use."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .base import IMAGE_ONLY, Block, read_text, table_row

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}> ?")
_ITEM = re.compile(r"^( {0,3})([-*+•]|(\d{1,9})([.)]))([ \t]+|$)")
_TABLE_SEP = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+")
_ATTRS = re.compile(r"[ \t]*\{[#.][^}]*\}[ \t]*$")

_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_INLINE = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])"), ""),
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto|ftp):[^\s>]+|[^\s@<>]+@[^\s@<>]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
]


def _strip_markup(text: str) -> str:
    escaped: list[str] = []

    def hide(m: re.Match[str]) -> str:
        escaped.append(m.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    # Escaped characters are hidden first so "\*" can never pair up as emphasis.
    text = _ESCAPE.sub(hide, text)
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return re.sub("\ue000(\\d+)\ue001", lambda m: escaped[int(m.group(1))], html.unescape(text))


def inline(text: str) -> str:
    """Strip inline markup (emphasis, links, images, tags, escapes), keeping the words as written."""
    out = []
    for k, part in enumerate(_CODE.split(text)):
        if k % 3 == 0:
            out.append(_strip_markup(part))
        elif k % 3 == 2:  # a code span's content is literal; k % 3 == 1 is its backtick run
            out.append(part.strip() or part)
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def _join(lines: list[str]) -> str:
    # Soft line breaks render as spaces; a trailing backslash is a hard break, not text.
    return " ".join(re.sub(r"\\$", "", line.strip()).rstrip() for line in lines)


def _starts_block(line: str) -> bool:
    return bool(_ATX.match(line) or _HR.match(line) or _FENCE.match(line) or _QUOTE.match(line) or _ITEM.match(line))


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [inline(c) for c in re.split(r"(?<!\\)\|", line)]


def _item_lines(lines: list[str], i: int, width: int) -> tuple[list[str], int]:
    """The lines of one list item (first line already stripped of its marker), de-indented."""
    body = [lines[i][width:]]
    i += 1
    blank = False
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            body.append("")
            blank = True
        elif len(line) - len(line.lstrip(" ")) >= width:
            body.append(line[width:])
            blank = False
        elif not blank and not _starts_block(line) and body[-1].strip():
            body.append(line.strip())  # lazy continuation of the item's paragraph
        else:
            break
        i += 1
    while body and not body[-1].strip():
        body.pop()
    return body, i


def parse_lines(lines: list[str], depth: int = 0) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    number: int | None = None  # the next rendered number of an open ordered list
    in_list = False

    def flush() -> None:
        if para:
            text = inline(_join(para))
            if text and not IMAGE_ONLY.match(text):
                blocks.append(Block("para", text))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        item = _ITEM.match(line)
        if in_list and not item and line.strip():
            blocks.append(Block("break"))
            in_list, number = False, None
        if not line.strip():
            flush()
            i += 1
            continue
        if para and _SETEXT.match(line) and not item:
            level = 1 if line.strip()[0] == "=" else 2
            text = inline(_join(para))
            para.clear()
            blocks.append(Block("heading", text, level))
            i += 1
            continue
        if m := _FENCE.match(line):
            flush()
            fence, code = m.group(1), []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                code.append(lines[i].rstrip())
                i += 1
            if "\n".join(code).strip():
                blocks.append(Block("para", "\n".join(code).strip("\n")))
            i += 1
            continue
        if m := _ATX.match(line):
            flush()
            blocks.append(Block("heading", inline(_ATTRS.sub("", m.group(2) or "")), len(m.group(1))))
        elif _HR.match(line):
            flush()
            blocks.append(Block("break"))
        elif "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]) and "|" in lines[i + 1]:
            flush()
            headers = _cells(line)
            blocks.append(Block("break"))
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                row = table_row(headers, _cells(lines[i]))
                if row:
                    blocks.append(Block("row", row))
                i += 1
            blocks.append(Block("break"))
            continue
        elif _QUOTE.match(line):
            flush()
            quoted = []
            while i < len(lines) and lines[i].strip() and (_QUOTE.match(lines[i]) or not _starts_block(lines[i])):
                quoted.append(_QUOTE.sub("", lines[i], count=1))
                i += 1
            blocks.extend(parse_lines(quoted, depth))
            continue
        elif item and (not para or not item.group(3) or item.group(3) == "1"):
            flush()
            indent, marker, digits, delim, gap = item.groups()
            width = len(indent) + len(marker) + (1 if len(gap) > 4 or not gap else len(gap))
            body, i = _item_lines(lines, i, width)
            if digits is not None:
                number = int(digits) if number is None else number
                prefix, number = f"{number}{delim} ", number + 1
            else:
                prefix = ""
            blocks.extend(_item_blocks(parse_lines(body, depth + 1), depth, prefix, digits or ""))
            in_list = True
            continue
        elif _REF_DEF.match(line) and not para:
            pass
        else:
            para.append(line)
        i += 1
    flush()
    return blocks


def _item_blocks(inner: list[Block], depth: int, prefix: str, marker: str) -> list[Block]:
    """A list item's own paragraphs become its text; its nested items follow it."""
    texts: list[str] = []
    rest: list[Block] = []
    for block in inner:
        if block.kind in ("para", "row", "heading") and not rest:
            texts.append(block.text)
        elif block.kind in ("para", "row", "heading"):
            rest.append(Block("item", block.text, depth + 1))
        elif block.kind == "item":
            rest.append(block)
    head = [Block("item", prefix + "\n".join(texts), depth, marker)] if texts else []
    return head + rest


def _front_matter(lines: list[str]) -> tuple[list[str], str]:
    if not lines or lines[0].strip() != "---":
        return lines, ""
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            title = ""
            for line in lines[1:end]:
                if m := re.match(r"^title:\s*(.+?)\s*$", line):
                    title = m.group(1).strip("\"'")
            return lines[end + 1 :], title
    return lines, ""


def parse(path: Path) -> list[Block]:
    lines, title = _front_matter(read_text(path).split("\n"))
    lines = [line.expandtabs(4) for line in lines]
    return ([Block("title", title)] if title else []) + _promote_clauses(parse_lines(lines))


def _promote_clauses(blocks: list[Block]) -> list[Block]:
    """Top-level ordered lists written as numbered policy clauses ("12. Staff must …") are clauses.

    Markdown turns any "12. " paragraph into a list; a procedure's steps stay a list, but a
    run of numbered, full-sentence items not introduced by a "…:" lead-in is numbered text.
    """
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind == "item":
            j += 1
        run = blocks[i:j]
        tops = [b for b in run if b.level == 0]
        lead = out[-1].text if out and out[-1].kind == "para" else ""
        if (
            run
            and all(b.marker and re.match(re.escape(b.marker) + r"[.)] ", b.text) for b in tops)
            and all(len(b.text) >= 60 and b.text.rstrip()[-1] in ".!?" for b in tops)
            and not lead.endswith(":")
        ):
            out.extend(Block("para", b.text) if b.level == 0 else b for b in run)
            i = j
            continue
        out.append(blocks[i])
        i += 1
    return out
