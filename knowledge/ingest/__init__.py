"""Files -> knowledge.model.Document: markdown, plain text, HTML, Word (.docx) and PDF.

Each format module turns a file into a flat list of blocks (headings, paragraphs, list
items, table rows); structure.py turns blocks into a Document of sections and clauses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.model import Document

from . import docx, html, markdown, pdf, text
from .base import Block, IngestError
from .structure import build_document

__all__ = ["SUPPORTED_SUFFIXES", "IngestError", "find_files", "parse_file"]

_PARSERS: dict[str, tuple[str, Callable[[Path], list[Block]]]] = {
    ".md": ("md", markdown.parse),
    ".markdown": ("md", markdown.parse),
    ".txt": ("txt", text.parse),
    ".html": ("html", html.parse),
    ".htm": ("html", html.parse),
    ".docx": ("docx", docx.parse),
    ".pdf": ("pdf", pdf.parse),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_PARSERS)


def _unsupported(path: Path) -> IngestError:
    kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
    return IngestError(path, f"{kind} are not supported (use one of {', '.join(SUPPORTED_SUFFIXES)})")


# Files a folder of documents often holds beside them that are not policies (where it came from, its licence):
# left out when a folder is expanded, ingested when named.
NOT_POLICIES = frozenset({"readme", "license", "licence", "source", "changelog", "notice", "copying"})


def find_files(paths: list[Path], skipped: list[Path] | None = None) -> list[Path]:
    """Files as given, folders expanded (recursively, sorted) to the supported files inside them, less the notes
    that are not policies (NOT_POLICIES, by name: README.md, SOURCE.md…), which go to `skipped` when given."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            supported = [p for p in path.rglob("*") if p.suffix.lower() in _PARSERS and not p.is_dir()]
            # Hidden files and Office's owner files (an editor's lock ".#policy.md", Word's "~$policy.docx") are not
            # documents anyone put there: named as skipped, like the notes.
            hidden = [p for p in supported if any(x.startswith((".", "~$")) for x in p.relative_to(path).parts)]
            if skipped is not None:
                skipped.extend(hidden)
            supported = [p for p in supported if p not in hidden]
            broken = [p for p in supported if not p.is_file()]  # a link to nothing, a pipe: named, not skipped
            if broken:
                what = "a link to a file that isn't there" if broken[0].is_symlink() else "not a regular file"
                raise IngestError(broken[0], f"{what}; remove it from the folder or name the files to ingest")
            inside = sorted(supported)
            notes = [p for p in inside if p.stem.lower() in NOT_POLICIES]
            if skipped is not None:
                skipped.extend(notes)
            found.extend(p for p in inside if p not in notes)
        elif not path.exists():
            raise IngestError(path, "file not found")
        elif not path.is_file():  # a pipe or a device would be read forever
            raise IngestError(path, "not a regular file")
        elif path.suffix.lower() not in _PARSERS:
            raise _unsupported(path)
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    if skipped is not None:  # a note named as well as its folder is ingested, not skipped
        skipped[:] = [n for n in dict.fromkeys(skipped) if n not in unique]
    return list(unique)


def parse_file(path: Path) -> Document:
    """Parse one file; raises IngestError naming the file if it can't be read or has no text."""
    path = Path(path)
    if path.suffix.lower() not in _PARSERS:
        raise _unsupported(path)
    fmt, parser = _PARSERS[path.suffix.lower()]
    document = build_document(parser(path), path, fmt)
    if not document.clauses:
        raise IngestError(path, "no text found in this file (is it empty?)")
    return document
