"""`ted kb …`: look inside the knowledge base and curate it from the command line.

list, show NUMBER, publish DOC_ID, retire DOC_ID, restore DOC_ID VERSION, edit DOC_ID, history DOC_ID (this
module); teach, not-covered, taught, forget (knowledge/teach_cli.py). The same operations as /admin/knowledge,
audited under the name of the person running the command.
"""

from __future__ import annotations

import argparse
import json
import sys

from knowledge import audit, lifecycle, versions
from knowledge.answer import document_name
from knowledge.audit import cli_actor as actor
from knowledge.store import list_documents, load_document
from knowledge.teach_cli import TEACHING, configure_teaching


def configure(k: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """The `ted kb` sub-commands (`common` carries --db)."""
    sub = k.add_subparsers(dest="action", required=True, metavar="ACTION")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=[common])

    add("list", "List the documents with status and version (drafts waiting too).").add_argument(
        "--all", action="store_true", help="also list retired documents"
    )
    s = add("show", "Show one live clause: text, title, summary, keywords, example and taught questions.")
    s.add_argument("clause", help="clause number, e.g. 5.13")
    s.add_argument("--doc", help="document id (when several documents have that clause number)")
    add("publish", "Publish the draft waiting for a document: it replaces the live version.").add_argument(
        "doc_id", help="document id (or a draft's version id)"
    )
    add("retire", "Retire a live document: it is never searched or cited again.").add_argument("doc_id")
    r = add("restore", "Make an earlier version of a document (as it was) the draft waiting to be published.")
    r.add_argument("doc_id")
    r.add_argument("version", type=int, help="the version number `ted kb history` shows")
    r.add_argument("--force", action="store_true", help="discard a draft waiting for the document")
    h = add("history", "A document's versions and every change made to it (who, what, when, before/after).")
    h.add_argument("doc_id")
    h.add_argument("--json", action="store_true")
    e = add("edit", "Change a live document's title, owner, version, date or review date (--draft: its draft's).")
    e.add_argument("doc_id", help="document id")
    e.add_argument("--draft", action="store_true", help="change the draft waiting for that document instead")
    for opt in versions.DETAILS:
        e.add_argument(f"--{opt.replace('_', '-')}", dest=opt, help=f"the new {opt.replace('_', ' ')}")
    configure_teaching(add)


def kb_command(ted, args: argparse.Namespace) -> int:
    run = {
        "list": _list,
        "show": _show,
        "publish": _publish,
        "retire": _retire,
        "history": _history,
        "restore": _restore,
        "edit": _edit,
        **TEACHING,
    }[args.action]
    try:
        return run(ted, args)
    except lifecycle.CurationError as exc:
        print(f"ted kb {args.action}: {exc}", file=sys.stderr)
        return 1


def _list(ted, args) -> int:
    live = {d["id"]: d for d in list_documents(ted.db)}
    rows = [r for r in versions.overview(ted.db) if args.all or r["status"] != versions.RETIRED]
    if not rows:
        print("The knowledge base is empty. Add documents with `ted ingest PATH`.")
    for r in rows:
        cur, draft, d = r["current"], r["draft"], live.get(r["doc_id"])
        if d is not None:
            seq = f" (version {cur['seq']})" if cur else ""
            print(
                f"{d['id']}: {document_name(d['title'], d['version'] or '')} — live{seq}, "
                f"{d['clause_count']} clauses/passages, ingested {d['ingested_at']}"
            )
            if d["owner"] or d["review_cycle"] or d["next_review"]:
                print(
                    f"    owner: {d['owner'] or '—'}; review: {d['review_cycle'] or '—'}"
                    + (f"; next review {d['next_review']}" if d["next_review"] else "")
                )
            related = json.loads(d["related"] or "[]")
            if related:
                print(f"    related: {', '.join(related)}")
        elif cur is not None:
            print(
                f"{r['doc_id']}: {document_name(cur['title'], cur['version'] or '')} — {cur['status']} "
                f"(version {cur['seq']}) {cur['ended_at'] or ''} by {cur['ended_by'] or '—'}"
            )
        else:
            print(f"{r['doc_id']}: {draft['title']} — draft only, never published")
        if draft is not None:
            print(
                f"    draft waiting: version {draft['seq']}, {draft['clause_count']} clauses/passages, uploaded "
                f"{draft['created_at']} by {draft['created_by']} — `ted kb publish {r['doc_id']}`"
            )
    return 0


def _show(ted, args) -> int:
    found = []
    for d in list_documents(ted.db):
        if args.doc and d["id"] != args.doc:
            continue
        doc = load_document(ted.db, d["id"])
        found += [(doc, c) for c in doc.clauses if c.number == args.clause]
    if not found:
        print(f"ted kb show: no clause {args.clause}" + (f" in {args.doc}" if args.doc else ""), file=sys.stderr)
        return 1
    if len(found) > 1:
        print(
            f"Clause {args.clause} is in several documents; pick one with --doc: "
            + ", ".join(doc.id for doc, _ in found),
            file=sys.stderr,
        )
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
    taught = ted.db.execute(
        "select id, question from taught where kind = 'phrasing' and status = 'active' and "
        "doc_id = ? and clause = ? order by id",
        [doc.id, c.number],
    ).fetchall()
    if taught:
        print("Taught questions:\n" + "\n".join(f"  - [{tid}] {q}" for tid, q in taught))
    return 0


def _doc_or_version(ted, ref: str) -> str | int:
    """A document id, or, for digits that name no document at all (never live, never drafted), a draft's version
    id as `ted kb history --json` shows it: a document called "2" is always itself."""
    if ref.isdigit() and load_document(ted.db, ref) is None and not versions.history(ted.db, ref):
        return int(ref)
    return ref


def _publish(ted, args) -> int:
    row = lifecycle.publish(ted.db, _doc_or_version(ted, args.doc_id), actor(), ted.answerer.index.embedder)
    print(
        f"Published {row['doc_id']} version {row['seq']} ({row['clause_count']} clauses/passages): it is now "
        f"the live version ({row['result']})."
    )
    return 0


def _retire(ted, args) -> int:
    lifecycle.retire(ted.db, args.doc_id, actor())
    print(
        f"Retired {args.doc_id}: TED will not search or cite it again. `ted kb history {args.doc_id}` keeps "
        "its versions."
    )
    return 0


def _restore(ted, args) -> int:
    row = lifecycle.restore(ted.db, args.doc_id, args.version, actor(), force=args.force)
    print(
        f"Version {args.version} of {args.doc_id} is now the draft waiting for it, as version {row['seq']} "
        f"({row['clause_count']} clauses/passages). Nothing staff see has changed: check it with "
        f"`ted kb history {args.doc_id}`, then `ted kb publish {args.doc_id}`."
    )
    return 0


def _edit(ted, args) -> int:
    changes = {k: getattr(args, k) for k in versions.DETAILS if getattr(args, k) is not None}
    if not changes:
        print(
            "ted kb edit: nothing to change; give --title, --owner, --version, --date or --next-review.",
            file=sys.stderr,
        )
        return 2
    ref = lifecycle.draft_for(ted.db, args.doc_id)["id"] if args.draft else _doc_or_version(ted, args.doc_id)
    done = lifecycle.edit_details(ted.db, ref, changes, actor())
    print(f"Updated {args.doc_id}: " + ", ".join(f"{k} = {v or '—'}" for k, v in done.items()))
    return 0


def _history(ted, args) -> int:
    rows, log = versions.history(ted.db, args.doc_id), audit.entries(ted.db, args.doc_id)
    if not rows and not log:
        print(f"ted kb history: no document “{args.doc_id}”.", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"versions": rows, "changes": log}, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.doc_id} — versions (newest first)")
    for r in rows:
        when = r["published_at"] or r["created_at"] or ""
        ended = f", {r['status']} {r['ended_at']} by {r['ended_by']}" if r["ended_at"] else ""
        print(
            f"  version {r['seq']:<3} {r['status']:<10} {document_name(r['title'], r['version'] or '')}; "
            f"{r['clause_count']} clauses/passages; from {when} by {r['published_by'] or r['created_by'] or '—'}"
            f"{ended}"
        )
    print("Changes (newest first)")
    for e in log:
        target = f" {e['target']}" if e["target"] else ""
        detail = audit.describe(e)
        print(f"  {e['at']}  {e['actor']}  {e['action']}{target}" + (f" — {detail}" if detail else ""))
    return 0
