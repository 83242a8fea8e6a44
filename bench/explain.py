"""Show how TED read a question and ranked the clauses: `python bench/explain.py [--db PATH] "question" ...`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge import calibration  # noqa: E402
from knowledge.search import ranking_params  # noqa: E402

args = sys.argv[1:]
db = ":memory:"
if args and args[0] == "--db":
    db, args = args[1], args[2:]
ted = build(Settings(), db)
for q in args:
    query, hits = ted.answerer.index.search(q, limit=6)
    semantic = ted.answerer.semantic  # after the search: the index (and its vectors) load with the first one
    print(f"\n{q}")
    print(
        "  groups: "
        + "; ".join(
            f"{g.word}(idf {g.idf:.2f}: {', '.join(f'{a}:{f}' for a, f in g.alts.items())})" for g in query.groups
        )
    )
    if query.corrections:
        print(f"  corrections: {query.corrections}")
    if hits:
        conf = calibration.confidence(hits, ranking_params(), semantic)
        print(
            f"  confidence {conf:.2f} (threshold {calibration.threshold(ranking_params(), hits, semantic):.2f}); "
            f"features { ({k: round(v, 3) for k, v in calibration.features(hits).items()}) }"
        )
    for h in hits:
        print(
            f"  {h.number:6} score={h.score:.3f} sem={h.sem:.2f} nc={h.not_covered:.2f} cov={h.coverage:.2f} "
            f"qsim={h.qsim:.2f} bm25={h.bm25:.2f} nb={h.nb:.2f}  {h.title}"
        )
