"""`ted kb teach`, `ted kb not-covered`, `ted kb taught`, `ted kb forget`: teaching TED from the command line."""

from __future__ import annotations

import json
import sys

from knowledge import teach
from knowledge.audit import cli_actor as _actor
from knowledge.impact import Impact, describe
from knowledge.lifecycle import CurationError


def configure_teaching(add) -> None:
    t = add(
        "teach",
        "Teach that a question is answered by a clause (with no QUESTION: lines CLAUSE<TAB>QUESTION "
        "on standard input).",
    )
    t.add_argument("--clause", help="the clause number that answers it, e.g. 5.13")
    t.add_argument("--doc", help="document id (when several documents have that clause number)")
    t.add_argument("question", nargs="?")
    n = add(
        "not-covered",
        "Teach that a document does not cover a question (with no QUESTION: one per line on standard input).",
    )
    n.add_argument("--doc", help="document id (needed when more than one document is live)")
    n.add_argument("question", nargs="?")
    w = add("taught", "List what was taught, with who taught it and when (orphaned entries included).")
    w.add_argument("--json", action="store_true")
    w.add_argument("--all", action="store_true", help="include entries that were undone")
    add("forget", "Undo a taught entry (its id from `ted kb taught`).").add_argument("id", type=int)


def _teach(ted, args) -> int:
    embedder, who = ted.answerer.index.embedder, _actor()
    if args.question is not None:
        if not args.clause:
            raise CurationError("Which clause answers it? Give --clause NUMBER.")
        pairs = [(0, args.clause, args.question)]
    else:
        pairs = []
        for n, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            clause, tab, question = line.rstrip("\n").partition("\t")
            if not tab:
                raise CurationError(f"line {n}: expected CLAUSE<TAB>QUESTION. Nothing was taught.")
            pairs.append((n, clause.strip(), question))
    # Every line is checked before any is taught: a batch is taught whole or not at all, without holding the
    # database's write lock while each question is encoded.
    for n, clause, question in pairs:
        try:
            teach.check_phrasing(ted.db, clause, question, args.doc or "")
        except CurationError as exc:
            raise CurationError(f"{f'line {n}: ' if n else ''}{exc} Nothing was taught.") from exc
    impact = Impact(ted.answerer, [q for _, _, q in pairs])
    for _, clause, question in pairs:
        tid = teach.teach(ted.db, clause, question, who, args.doc or "", embedder=embedder)
        print(f"[{tid}] taught to {clause}: {' '.join(question.split())}")
    _warn(impact)
    return 0


def _warn(impact: Impact) -> None:
    note = describe(impact.changes())
    if note:
        print(f"Note: {note} Undo with `ted kb forget ID` if that is not what you meant.", file=sys.stderr)


def _not_covered(ted, args) -> int:
    questions = (
        [(0, args.question)] if args.question is not None else [(n, q) for n, q in enumerate(sys.stdin, 1) if q.strip()]
    )
    for n, q in questions:  # every line checked first: taught whole or not at all
        try:
            teach.check_not_covered(ted.db, q, args.doc or "")
        except CurationError as exc:
            raise CurationError(f"{f'line {n}: ' if n else ''}{exc} Nothing was taught.") from exc
    impact = Impact(ted.answerer, [q for _, q in questions])
    for _, q in questions:
        tid = teach.not_covered(ted.db, q, _actor(), args.doc or "", embedder=ted.answerer.index.embedder)
        print(f"[{tid}] not covered: {' '.join(q.split())}")
    _warn(impact)
    return 0


def _taught(ted, args) -> int:
    rows = teach.taught(ted.db, include_forgotten=args.all)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("Nothing taught yet. Teach from /admin/knowledge or with `ted kb teach`.")
    for r in rows:
        what = f"{r['doc_id']} {r['clause']}" if r["kind"] == teach.PHRASING else f"not covered by {r['doc_id']}"
        status = "" if r["status"] == teach.ACTIVE else f" ({r['status']})"
        print(f"[{r['id']}] {what}{status}: {r['question']}  — {r['added_by']}, {r['added_at']}")
    return 0


def _forget(ted, args) -> int:
    row = teach.forget(ted.db, args.id, _actor())
    print(f"Forgot [{row['id']}]: {row['question']}")
    return 0


TEACHING = {"teach": _teach, "not-covered": _not_covered, "taught": _taught, "forget": _forget}
