"""Ship the sentence vectors of the bundled policies, so a fresh database encodes nothing on first use.

    .venv/bin/python bench/build_vectors.py

Writes knowledge/policies/<id>.vectors.npz (float16, keyed by a hash of each text) for every bundled policy:
its passages, example questions and "not covered" examples; and handlers/ask/intents.vectors.npz for the
smalltalk and report examples. Run it after editing a bundled policy or its
enrichment; tests/test_vectors.py fails while the shipped file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.ask.examples import load_examples  # noqa: E402
from knowledge.bundled import bundled_documents  # noqa: E402
from knowledge.vectors import bundle_texts, make_embedder, write_bundle  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

embedder = make_embedder()
if embedder is None:
    sys.exit("build_vectors: the model is not installed (make install)")
for doc in bundled_documents():
    out = ROOT / "knowledge" / "policies" / f"{doc.id}.vectors.npz"
    n = write_bundle(out, embedder, bundle_texts(doc))
    print(f"{out.relative_to(ROOT)}: {n} vectors")
intents = load_examples()
out = ROOT / "handlers" / "ask" / "intents.vectors.npz"
n = write_bundle(out, embedder, intents["smalltalk"] + intents["report"])
print(f"{out.relative_to(ROOT)}: {n} vectors")
