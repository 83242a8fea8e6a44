"""Scoring a question file by the shared rule (../shared/eval/README.md).

Text is compared after folding case, curly quotes to straight quotes and runs of white space
to one space. `policy` passes top-1 when the first citation contains an expected fragment and
top-3 when any of the first three does; citations over 1,500 characters don't count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.model import MAX_CITATION_CHARS

_EXPECTED_INTENT = {"out_of_scope": "fallback", "report": "report", "smalltalk": "smalltalk"}


def norm(s: str) -> str:
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


@dataclass
class Score:
    total: dict[str, int] = field(default_factory=dict)
    passed: dict[str, int] = field(default_factory=dict)
    top3: int = 0
    failures: list[dict] = field(default_factory=list)

    def rate(self, kind: str) -> float:
        return self.passed.get(kind, 0) / self.total[kind] if self.total.get(kind) else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total["policy"] if self.total.get("policy") else 0.0

    def summary(self) -> dict:
        out = {k: {"passed": self.passed.get(k, 0), "total": n, "rate": round(self.rate(k), 4)}
               for k, n in sorted(self.total.items())}
        if "policy" in out:
            out["policy"]["top1"] = out["policy"]["rate"]
            out["policy"]["top3"] = round(self.top3_rate, 4)
            out["policy"]["top3_passed"] = self.top3
        return out


def read_questions(path: Path) -> list[dict]:
    """The question file's rows; ValueError naming the file (and the line) when it is missing or malformed."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ValueError(f"{path} is a folder, not a question file (JSON lines)") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON lines") from exc
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror})") from exc
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                raise ValueError(f"{path}:{n}: not a JSON object ({getattr(exc, 'msg', 'too deeply nested')})") \
                    from exc
            if not isinstance(row, dict) or not isinstance(row.get("question"), str) \
                    or not isinstance(row.get("kind"), str) or not isinstance(row.get("expect", []), list):
                raise ValueError(f'{path}:{n}: each line must be a JSON object with "question" and "kind" (text) '
                                 'and, for policy questions, "expect" (a list)')
            out.append(row)
    return out


def score(questions: Iterable[dict], ask: Callable[[str], dict]) -> Score:
    s = Score()
    for q in questions:
        kind = q["kind"]
        s.total[kind] = s.total.get(kind, 0) + 1
        a = ask(q["question"])
        if kind == "policy":
            cites = [c for c in a.get("citations", []) if len(c.get("text", "")) <= MAX_CITATION_CHARS]
            exp = [norm(e) for e in q.get("expect", [])]
            ok_at = [any(e in norm(c["text"]) for e in exp) for c in cites[:3]]
            top1 = a.get("intent") == "policy" and bool(ok_at) and ok_at[0]
            if a.get("intent") == "policy" and any(ok_at):
                s.top3 += 1
        else:
            top1 = a.get("intent") == _EXPECTED_INTENT.get(kind, kind)
        if top1:
            s.passed[kind] = s.passed.get(kind, 0) + 1
        else:
            got = a.get("citations", [])
            s.failures.append({"id": q.get("id"), "kind": kind, "question": q["question"],
                               "intent": a.get("intent"), "confidence": a.get("confidence"),
                               "got": [c.get("clause") for c in got[:3]]})
    return s
