"""Show how TED read a question and ranked the clauses: `python bench/explain.py "question" ...`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge.answer import confidence_of  # noqa: E402

args = sys.argv[1:]
db = ":memory:"
if args and args[0] == "--db":
    db, args = args[1], args[2:]
ted = build(Settings(), db)
for q in args:
    query, hits = ted.answerer.index.search(q, limit=6)
    print(f"\n{q}")
    print("  groups: " + "; ".join(f"{g.word}(idf {g.idf:.2f}: {', '.join(f'{a}:{f}' for a, f in g.alts.items())})"
                                   for g in query.groups))
    if query.corrections:
        print(f"  corrections: {query.corrections}")
    for h in hits:
        print(f"  {h.number:5} score={h.score:.3f} conf={confidence_of(h.score, h.on_topic):.2f} "
              f"top={int(h.on_topic)} cov={h.coverage:.2f} "
              f"qsim={h.qsim:.2f} bm25={h.bm25:.2f}  {h.title}")
