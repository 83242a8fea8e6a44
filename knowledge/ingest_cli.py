"""`ted ingest`: files and folders -> documents -> the knowledge base, all or nothing."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import sqlite_utils
from tqdm import tqdm

from knowledge.ingest import IngestError, find_files, parse_file
from knowledge.store import save_documents


def ingest_paths(db: sqlite_utils.Database, paths: list[Path], replace: bool = False,
                 quiet: bool = False, embedder=None) -> int:
    try:
        files = find_files(paths)
    except IngestError as exc:
        print(f"ted ingest: {exc}", file=sys.stderr)
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
            print(f"ted ingest: {exc} (nothing was changed).", file=sys.stderr)
            return 1
        except (OSError, ValueError) as exc:  # unreadable, or text in no encoding the parser knows
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            print(f"ted ingest: {f}: cannot be read ({why}; nothing was changed).", file=sys.stderr)
            return 1
        if doc.id in seen:
            print(f"ted ingest: {f} and {seen[doc.id]} would both be document '{doc.id}'; rename one "
                  "(nothing was changed).", file=sys.stderr)
            return 1
        seen[doc.id] = f
        docs.append(doc)
    results = save_documents(db, docs, replace_all=replace, embedder=embedder)
    counts = Counter(r for _, r in results)
    clauses = sum(len(d.clauses) for d in docs)
    parts = [f"{n} {what}" for what, n in sorted(counts.items())]
    print(f"Ingested {len(docs)} document(s), {clauses} clauses/passages: {', '.join(parts)}.")
    return 0
