"""`ted ingest`: files and folders -> documents -> the knowledge base, all or nothing.

`--draft` keeps them as drafts instead (knowledge.lifecycle): nothing TED answers from changes until
`ted kb publish DOC_ID`."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import sqlite_utils
from tqdm import tqdm

from knowledge.audit import cli_actor
from knowledge.ingest import IngestError, find_files, parse_file
from knowledge.lifecycle import CurationError, carry_over, create_draft, preview
from knowledge.store import load_document, save_documents


def ingest_paths(
    db: sqlite_utils.Database,
    paths: list[Path],
    replace: bool = False,
    quiet: bool = False,
    embedder=None,
    draft: bool = False,
    doc_id: str = "",
) -> int:
    if doc_id and not draft:
        print(
            "ted ingest: --doc goes with --draft (a new version of that document, kept as a draft until "
            "`ted kb publish`). Nothing was changed.",
            file=sys.stderr,
        )
        return 1
    skipped: list[Path] = []
    try:
        files = find_files(paths, skipped)
    except IngestError as exc:  # named as it was given: "nope.md" alone doesn't say which folder was looked in
        print(f"ted ingest: {exc.path}: {exc.reason} (nothing was changed).", file=sys.stderr)
        return 1
    for f in list(skipped):
        try:
            live_already = load_document(db, parse_file(f).id) is not None
        except (IngestError, OSError, ValueError):
            live_already = False
        if live_already:  # ingested before: skipped now, --replace would remove it, or it would go stale
            skipped.remove(f)
            files.append(f)
        else:
            what = "a hidden or lock file" if f.name.startswith((".", "~$")) else "a note beside the documents"
            print(f"ted ingest: skipped {f}: {what}, not a policy (name it to ingest it).", file=sys.stderr)
    if not files and skipped:
        print(
            "ted ingest: only notes beside documents found (README, SOURCE, LICENSE…); name one to ingest it. "
            "Nothing was changed.",
            file=sys.stderr,
        )
        return 1
    if not files:
        print("ted ingest: no supported files found (.md .txt .html .docx .pdf).", file=sys.stderr)
        return 1
    docs, seen = [], {}
    bar = tqdm(files, unit="file", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)
    for f in bar:
        bar.set_postfix_str(f.name[:30])
        try:
            doc = parse_file(f)
        except IngestError as exc:
            print(f"ted ingest: {exc.path}: {exc.reason} (nothing was changed).", file=sys.stderr)
            return 1
        except (OSError, ValueError) as exc:  # unreadable, or text in no encoding the parser knows
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            print(f"ted ingest: {f}: cannot be read ({why}; nothing was changed).", file=sys.stderr)
            return 1
        if doc.id in seen:
            print(
                f"ted ingest: {f} and {seen[doc.id]} would both be document '{doc.id}'; rename one "
                "(nothing was changed).",
                file=sys.stderr,
            )
            return 1
        seen[doc.id] = f
        docs.append(doc)
    if draft:
        return _drafts(db, docs, doc_id, quiet)
    # Published at once, a new version is what a draft published would be: the owner and review details the file
    # doesn't give, and each unchanged clause's enrichment, carry over from the version it replaces.
    live = {d.id: load_document(db, d.id) for d in docs}
    docs = [carry_over(d, live[d.id]) for d in docs]
    results = save_documents(db, docs, replace_all=replace, embedder=embedder, actor=cli_actor(), progress=_bars(quiet))
    counts = Counter(r for _, r in results)
    clauses = sum(len(d.clauses) for d in docs)
    parts = [f"{n} {what}" for what, n in sorted(counts.items())]
    print(f"Ingested {len(docs)} document(s), {clauses} clauses/passages: {', '.join(parts)}.")
    for d in docs:
        old = live[d.id]
        before = sum(bool(c.questions) for c in old.clauses) if old else 0
        after = sum(bool(c.questions) for c in d.clauses)
        if after < before:
            seq = ted_version_before(db, d.id)
            print(
                f"ted ingest: note: {d.id} had example questions written for {before} clauses and {after} kept them "
                "(a clause keeps them only where its number and words are unchanged), so TED will answer its "
                "questions less well until the new clauses get theirs. If the replacement was a mistake, `ted kb "
                f"restore {d.id} {seq}`, then `ted kb publish {d.id}`, bring the version before back, its wording "
                "too (not for a real new edition: that would put the old wording back in front of staff).",
                file=sys.stderr,
            )
    return 0


def ted_version_before(db: sqlite_utils.Database, doc_id: str) -> int:
    """The version number of the one the live version replaced."""
    row = db.execute(
        "select seq from doc_versions where doc_id = ? and status = 'superseded' order by seq desc limit 1", [doc_id]
    ).fetchone()
    return row[0] if row else 0


def _bars(quiet: bool):
    """Progress bars on a terminal for the slow steps of an ingest (encoding passages, indexing them)."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda desc, total: tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, leave=False)


def _drafts(db: sqlite_utils.Database, docs: list, doc_id: str, quiet: bool) -> int:
    if doc_id and len(docs) != 1:
        print("ted ingest: --doc names the document for one file only. Nothing was changed.", file=sys.stderr)
        return 1
    for doc in docs:
        try:
            row = create_draft(db, doc, cli_actor(), doc_id)
        except CurationError as exc:
            print(f"ted ingest: {exc} Nothing was changed.", file=sys.stderr)
            return 1
        print(
            f"Draft {row['doc_id']} version {row['seq']}: “{row['title']}”, {row['clause_count']} "
            f"clauses/passages (not searched until published). Check it with the preview in /admin/knowledge, "
            f"then `ted kb publish {row['doc_id']}`."
        )
        for c in () if quiet else doc.clauses:
            text = " ".join(c.text.split())
            print(f"  {c.number:<8} {c.heading[:40]:<40}  {text[:70]}{'…' if len(text) > 70 else ''}")
        for warning in preview(row, db)["warnings"]:  # said where it can't be missed, quiet or not
            print(f"ted ingest: before you publish it, check: {warning}", file=sys.stderr)
    return 0
