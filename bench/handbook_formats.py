"""Does TED read the TTS handbook alike whatever format it comes in? Markdown vs HTML, Word and PDF.

Each handbook page (corpora/tts-handbook/*.md, not SOURCE.md) is converted by tools that are not TED's:

- .html by the PyPI `markdown` package (Python-Markdown, with its tables, fenced-code and sane-lists extensions);
  the handbook is written in CommonMark (GFM), which Python-Markdown reads differently in a few places, so the
  source is first rewritten, words untouched, into the same document in Python-Markdown's dialect
  (`python_markdown_dialect` below: nested lists indented by 4, a blank line before a list or table that
  interrupts a paragraph, CommonMark-only backslash escapes and a "#word" starting a line made literal);
- .docx and .pdf from that HTML by LibreOffice headless (`soffice --convert-to docx` / `--convert-to pdf`,
  the PDF laid out by Writer's own HTML import).

Each set of files is then ingested into a fresh in-memory knowledge base, as `ted ingest` does, and the
script prints, per format, how many of the markdown passages it reproduces (the same text, whitespace
normalised; and the same text under the same heading path) and `ted eval`-style scores on a question file
(by default the development set eval/tts_handbook.jsonl).

Needs the bench extra and LibreOffice Writer:

    .venv/bin/pip install -e '.[bench]'            # the `markdown` package, never a runtime dependency
    apt-get install -y libreoffice-writer-nogui    # soffice

Run: `.venv/bin/python bench/handbook_formats.py [--out DIR] [--diff FORMAT] [--no-eval] [--eval FILE]`.
With --out the converted files are kept (and reused by a later run with --reuse).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge.evaluate import read_questions, score  # noqa: E402
from knowledge.ingest import parse_file  # noqa: E402
from knowledge.model import Document  # noqa: E402
from knowledge.store import save_documents  # noqa: E402

HANDBOOK = ROOT / "corpora" / "tts-handbook"
FORMATS = ("md", "html", "docx", "pdf")
PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"></head>
<body>
{body}
</body>
</html>
"""


_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")
_TABLE_SEP = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE_SPAN = re.compile(r"(`+).+?\1")


def _escapes(line: str) -> str:
    """CommonMark lets any punctuation be backslash-escaped; Python-Markdown only some: use entities."""
    parts, last = [], 0
    for m in _CODE_SPAN.finditer(line):
        parts += [_ESCAPE.sub(lambda e: f"&#{ord(e.group(1))};", line[last : m.start()]), m.group(0)]
        last = m.end()
    parts.append(_ESCAPE.sub(lambda e: f"&#{ord(e.group(1))};", line[last:]))
    return "".join(parts)


def python_markdown_dialect(text: str) -> str:
    """The same CommonMark document, in the dialect Python-Markdown reads (the words are not changed)."""
    out: list[str] = []
    cols: list[int] = []  # content column of each open list item, outermost first
    fence = ""
    prev = ""  # the previous source line
    for line in text.split("\n"):
        if fence or _FENCE.match(line):
            if not fence:
                fence = _FENCE.match(line).group(1)
            elif line.strip().startswith(fence):
                fence = ""
            out.append(line)
            prev = line
            continue
        if not line.strip():
            out.append("")
            prev = line
            continue
        indent = len(line) - len(line.lstrip(" "))
        item = _ITEM.match(line)
        lazy = prev.strip() and not item and cols and indent < cols[-1]
        if not lazy:
            while cols and indent < cols[-1]:
                cols.pop()
        if not prev.strip() and indent == 0 and not item:
            cols = []
        if item:
            bullet_or_one = item.group(2) in "-*+" or item.group(2)[:-1] == "1"
            if not cols and prev.strip() and not _ITEM.match(prev) and bullet_or_one:
                out.append("")  # a list interrupting a paragraph: Python-Markdown wants a blank line
            body = line[item.end() :]
            body = "\\" + body if re.match(r"#[^#\s]", body) else body  # "- #channel" is no heading either
            new = " " * (4 * len(cols)) + item.group(2) + " " + body
            gap = len(item.group(3))
            cols.append(indent + len(item.group(2)) + (gap if 1 <= gap <= 4 else 1))
        else:
            extra = max(indent - cols[-1], 0) if cols else indent
            new = " " * (4 * len(cols) + extra) + line.lstrip(" ")
        new = _escapes(new)
        if re.match(r"^ *#[^#\s]", new) and not item:
            new = re.sub(r"^( *)#", r"\1\\#", new)  # "#channel" is text in CommonMark, a heading here
        out.append(new)
        prev = line
    # A table right under a paragraph line ("For example:"): Python-Markdown wants a blank line before it.
    fixed: list[str] = []
    for k, line in enumerate(out):
        nxt = out[k + 1] if k + 1 < len(out) else ""
        if "|" in line and "|" in nxt and _TABLE_SEP.match(nxt) and fixed and fixed[-1].strip():
            fixed.append("")
        fixed.append(line)
    return "\n".join(fixed)


def pages() -> list[Path]:
    return sorted(p for p in HANDBOOK.glob("*.md") if p.name != "SOURCE.md")


def to_html(sources: list[Path], out: Path) -> list[Path]:
    try:
        import markdown
    except ImportError:
        sys.exit("bench/handbook_formats.py needs the `markdown` package: .venv/bin/pip install -e '.[bench]'")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sources:
        source = python_markdown_dialect(src.read_text("utf-8"))
        body = markdown.markdown(source, extensions=["tables", "fenced_code", "sane_lists"])
        path = out / f"{src.stem}.html"
        path.write_text(PAGE.format(body=body), "utf-8")
        written.append(path)
    return written


def soffice(html: list[Path], fmt: str, out: Path, profile: Path) -> list[Path]:
    """LibreOffice headless, one run for all the pages."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        sys.exit("bench/handbook_formats.py needs LibreOffice: apt-get install -y libreoffice-writer-nogui")
    target = {"docx": "docx:MS Word 2007 XML", "pdf": "pdf"}[fmt]
    # The PDF is laid out by Writer itself (its HTML import), not Writer/Web, whose PDF export
    # loses a page's first heading behind a blank first page.
    infilter = ["--infilter=HTML (StarWriter)"] if fmt == "pdf" else []
    out.mkdir(parents=True, exist_ok=True)
    cmd = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        *infilter,
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *map(str, html),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    paths = [out / f"{p.stem}.{fmt}" for p in html]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        sys.exit(f"soffice did not write {', '.join(missing)}:\n{done.stdout}\n{done.stderr}")
    return paths


def convert(out: Path, reuse: bool = False) -> dict[str, list[Path]]:
    sources = pages()
    sets = {"md": sources}
    if reuse and all((out / f / f"{p.stem}.{f}").exists() for f in FORMATS[1:] for p in sources):
        return sets | {f: [out / f / f"{p.stem}.{f}" for p in sources] for f in FORMATS[1:]}
    sets["html"] = to_html(sources, out / "html")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        for fmt in ("docx", "pdf"):
            sets[fmt] = soffice(sets["html"], fmt, out / fmt, Path(profile))
    return sets


# -- alignment ------------------------------------------------------------------------------------
def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def passages(doc: Document) -> list[tuple[str, str]]:
    return [(norm(c.text), c.heading) for c in doc.clauses]


def alignment(md: list[Document], other: list[Document]) -> dict:
    """Of the markdown passages: how many exist verbatim in the other format's same page, and under the same heading."""
    theirs = {d.id: d for d in other}
    total = same_text = same_path = 0
    titles = 0
    for doc in md:
        mine = passages(doc)
        got = passages(theirs[doc.id]) if doc.id in theirs else []
        texts = Counter(t for t, _ in got)
        pairs = Counter(got)
        total += len(mine)
        for text, heading in mine:
            if texts[text]:
                same_text += 1
                texts[text] -= 1
            if pairs[(text, heading)]:
                same_path += 1
                pairs[(text, heading)] -= 1
        titles += doc.id in theirs and theirs[doc.id].title == doc.title
    n = sum(len(d.clauses) for d in other)
    return {
        "passages": n,
        "md_passages": total,
        "text": same_text / total,
        "heading": same_path / total,
        "titles": titles,
        "pages": len(md),
    }


def diff(md: list[Document], other: list[Document], fmt: str) -> None:
    """The markdown passages another format does not reproduce, each with its nearest passage there."""
    theirs = {d.id: d for d in other}
    for doc in md:
        got = passages(theirs[doc.id]) if doc.id in theirs else []
        if doc.id in theirs and theirs[doc.id].title != doc.title:
            print(f"\n[{doc.id}] title md={doc.title!r} {fmt}={theirs[doc.id].title!r}")
        pairs = set(got)
        for text, heading in passages(doc):
            if (text, heading) in pairs:
                continue
            near = max(got, key=lambda p: SequenceMatcher(None, text, p[0]).ratio(), default=("", ""))
            print(f"\n[{doc.id}] md   {heading!r}\n    {text!r}")
            print(f"      {fmt:4} {near[1]!r}\n    {near[0]!r}")


# -- scores ---------------------------------------------------------------------------------------
def evaluate(docs: list[Document], questions: list[dict]) -> dict:
    ted = build(Settings(), ":memory:", first_use=False)
    save_documents(ted.db, docs, embedder=ted.answerer.index.embedder)
    s = score(questions, lambda q: ted.asker.ask(q, channel="eval").to_json())
    out = {"top1": s.passed.get("policy", 0), "top3": s.top3, "policy": s.total.get("policy", 0)}
    if s.total.get("out_of_scope"):
        out |= {"out_of_scope": s.passed.get("out_of_scope", 0), "out_of_scope_total": s.total["out_of_scope"]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="keep the converted files in this folder")
    ap.add_argument("--reuse", action="store_true", help="reuse the files already converted in --out")
    ap.add_argument("--eval", type=Path, default=ROOT / "eval" / "tts_handbook.jsonl", help="question file")
    ap.add_argument("--no-eval", action="store_true", help="alignment only")
    ap.add_argument(
        "--diff",
        choices=FORMATS[1:],
        action="append",
        default=[],
        help="list the markdown passages this format does not reproduce",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="handbook-formats-") as tmp:
        out = args.out or Path(tmp)
        sets = convert(out, reuse=args.reuse and args.out is not None)
        docs = {fmt: [parse_file(p) for p in paths] for fmt, paths in sets.items()}
    results: dict[str, dict] = {}
    for fmt in FORMATS:
        results[fmt] = alignment(docs["md"], docs[fmt])
    if not args.no_eval:
        questions = read_questions(args.eval)
        for fmt in FORMATS:
            results[fmt] |= evaluate(docs[fmt], questions)

    print(
        f"TTS handbook, {len(docs['md'])} pages; alignment is of the markdown's passages"
        + ("" if args.no_eval else f"; scores on {args.eval.name}")
    )
    head = f"{'format':7} {'passages':>8} {'same text':>10} {'+ heading':>10} {'titles':>7}"
    if not args.no_eval:
        head += f" {'top-1':>7} {'top-3':>7} {'out of scope':>13}"
    print(head)
    for fmt, r in results.items():
        line = f"{fmt:7} {r['passages']:>8} {r['text']:>10.1%} {r['heading']:>10.1%} {r['titles']:>4}/{r['pages']:<2}"
        if not args.no_eval:
            line += f" {r['top1']:>3}/{r['policy']:<3} {r['top3']:>3}/{r['policy']:<3}"
            if "out_of_scope" in r:
                line += f" {r['out_of_scope']:>6}/{r['out_of_scope_total']:<6}"
        print(line)
    for fmt in args.diff:
        print(f"\n== markdown passages {fmt} does not reproduce (text and heading path) ==")
        diff(docs["md"], docs[fmt], fmt)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
