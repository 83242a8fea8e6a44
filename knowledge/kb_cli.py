"""`ted kb list` and `ted kb show NUMBER`."""

from __future__ import annotations

import argparse
import json
import sys

from knowledge.answer import document_name
from knowledge.store import list_documents, load_document


def kb_command(ted, args: argparse.Namespace) -> int:
    docs = list_documents(ted.db)
    if args.action == "list":
        if not docs:
            print("The knowledge base is empty. Add documents with `ted ingest PATH`.")
        for d in docs:
            print(f"{d['id']}: {document_name(d['title'], d['version'] or '')} — {d['clause_count']} clauses/passages, "
                  f"ingested {d['ingested_at']}")
            if d["owner"] or d["review_cycle"]:
                print(f"    owner: {d['owner'] or '—'}; review: {d['review_cycle'] or '—'}")
            related = json.loads(d["related"] or "[]")
            if related:
                print(f"    related: {', '.join(related)}")
        return 0
    if not args.clause:
        print("ted kb show: which clause? e.g. `ted kb show 5.13`", file=sys.stderr)
        return 2
    found = []
    for d in docs:
        if args.doc and d["id"] != args.doc:
            continue
        doc = load_document(ted.db, d["id"])
        found += [(doc, c) for c in doc.clauses if c.number == args.clause]
    if not found:
        print(f"ted kb show: no clause {args.clause}" + (f" in {args.doc}" if args.doc else ""), file=sys.stderr)
        return 1
    if len(found) > 1:
        print(f"Clause {args.clause} is in several documents; pick one with --doc: "
              + ", ".join(doc.id for doc, _ in found), file=sys.stderr)
        return 1
    doc, c = found[0]
    print(f"{doc.title} ({doc.id}) — {c.number}{' — ' + c.title if c.title else ''}")
    if c.heading:
        print(f"Section: {c.section} {c.heading}")
    print(f"\n{c.text}\n")
    if c.summary:
        print(f"Summary: {c.summary}")
    if c.keywords:
        print(f"Keywords: {', '.join(c.keywords)}")
    if c.questions:
        print("Example questions:\n" + "\n".join(f"  - {q}" for q in c.questions))
    return 0
