"""What every format parser shares: the block type, the error type and text decoding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Block kinds a format parser may emit:
#   heading  text of a heading; level 1-6
#   para     a paragraph (structure.py spots clause numbers at its start)
#   item     a list item; level is the nesting depth (0 = top level)
#   row      one table row already flattened to "Header: value; Header: value"
#   break    ends the current list or table (two lists in a row are not one list)
#   title    a title hint (HTML <title>, markdown front matter) used only if no heading is found
BLOCK_KINDS = frozenset({"heading", "para", "item", "row", "break", "title"})

# A paragraph that only stands in for a picture ("[Image: secure password tips]") is not policy text,
# whatever format it came in (markdown, or the HTML, Word and PDF made from it).
IMAGE_ONLY = re.compile(r"^\[Image:[^\]]*\]$")


@dataclass
class Block:
    kind: str
    text: str = ""
    level: int = 0
    marker: str = ""  # an ordered list item's number as written (markdown renumbers "1. 1. 1.")


class IngestError(Exception):
    """A file that cannot be turned into a document; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError(path, "file not found") from None
    except IsADirectoryError:
        raise IngestError(path, "is a folder, not a file") from None
    except PermissionError:
        raise IngestError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror or exc})") from None


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with BOM), else Windows-1252; newlines normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; map them through latin-1 rather than fail.
            text = data.decode("cp1252", errors="replace")
            if "\ufffd" in text:
                text = data.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x00", "")


_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}


def looks_binary(data: bytes) -> bool:
    """Not text whatever the file's name says: a NUL, or more control bytes than any writing has (a .md that is
    really an image or an archive). UTF-16, which is full of NULs, is recognised by its BOM first."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    head = data[:8192]
    return b"\x00" in head or sum(b in _CONTROL for b in head) > 0.02 * max(len(head), 1)


def read_text(path: Path) -> str:
    data = read_bytes(path)
    if looks_binary(data):
        raise IngestError(path, "is not a text file (it holds binary data), whatever its name says")
    return decode_text(data)


_SPACE = re.compile(r"[ \t\f\v\u00a0]+")


def squash(text: str) -> str:
    """Collapse runs of spaces/tabs (not newlines) and trim each line; words are untouched."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def table_row(headers: list[str], cells: list[str]) -> str:
    """'Header: value; Header: value', leaving out empty cells."""
    pairs = []
    for k, value in enumerate(cells):
        head = headers[k] if k < len(headers) else ""
        if value:
            pairs.append(f"{head}: {value}" if head and head != value else value)
    return "; ".join(pairs)
