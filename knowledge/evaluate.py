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
    # Of the questions TED answered with a citation (intent "policy"): how many were right, and how many wrong.
    answered: int = 0
    answered_right: int = 0
    # Fallbacks that offered the closest clauses ("Did you mean"): of the policy questions TED fell back on, how
    # many it offered clauses for and how many of those offers held the right one; out-of-scope ones offered any.
    fell_back: int = 0
    offered: int = 0
    offered_right: int = 0
    out_of_scope_offered: int = 0

    @property
    def precision(self) -> float:
        return self.answered_right / self.answered if self.answered else 1.0

    @property
    def confident_wrong(self) -> int:
        return self.answered - self.answered_right

    @property
    def answers(self) -> dict:
        return {
            "answered": self.answered,
            "right": self.answered_right,
            "wrong": self.confident_wrong,
            "precision": round(self.precision, 4),
            "fell_back": self.fell_back,
            "offered": self.offered,
            "offered_right": self.offered_right,
            "out_of_scope_offered": self.out_of_scope_offered,
        }

    def line(self) -> str:
        parts = []
        for kind, row in self.summary().items():
            if kind == "policy":
                parts.append(
                    f"top-1 {row['passed']}/{row['total']} ({row['top1']:.1%}), "
                    f"top-3 {row['top3_passed']}/{row['total']} ({row['top3']:.1%})"
                )
            else:
                parts.append(f"{kind} {row['passed']}/{row['total']} ({row['rate']:.1%})")
        parts.append(
            f"answer precision {self.answered_right}/{self.answered} ({self.precision:.1%}), "
            f"confident wrong {self.confident_wrong}"
        )
        if self.fell_back or self.out_of_scope_offered:
            parts.append(
                f"fallbacks offering the right clause {self.offered_right}/{self.fell_back} "
                f"(offered {self.offered}); out of scope offered clauses {self.out_of_scope_offered}"
            )
        return "; ".join(parts)

    def rate(self, kind: str) -> float:
        return self.passed.get(kind, 0) / self.total[kind] if self.total.get(kind) else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total["policy"] if self.total.get("policy") else 0.0

    def summary(self) -> dict:
        out = {
            k: {"passed": self.passed.get(k, 0), "total": n, "rate": round(self.rate(k), 4)}
            for k, n in sorted(self.total.items())
        }
        if "policy" in out:
            out["policy"]["top1"] = out["policy"]["rate"]
            out["policy"]["top3"] = round(self.top3_rate, 4)
            out["policy"]["top3_passed"] = self.top3
        return out


KINDS = ("policy", "out_of_scope", "report", "smalltalk")  # the shared scoring rule's (eval/SCORING.md)


def _is_question(row) -> bool:
    return (
        isinstance(row, dict)
        and isinstance(row.get("question"), str)
        and row.get("kind") in KINDS
        and isinstance(row.get("expect", []), list)
    )


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
                raise ValueError(f"{path}:{n}: not a JSON object ({getattr(exc, 'msg', 'too deeply nested')})") from exc
            turns = row.get("turns") if isinstance(row, dict) else None
            if isinstance(turns, list) and turns and all(_is_question(t) for t in turns):
                out.append(row)  # a conversation: its turns in order
                continue
            if not _is_question(row):
                raise ValueError(
                    f'{path}:{n}: each line must be a JSON object with "question" (text), "kind" (one of '
                    f"{', '.join(KINDS)}) "
                    'and, for policy questions, "expect" (a list) — or a conversation, {"turns": [...]} '
                    "of such objects"
                )
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
            if a.get("intent") == "fallback":
                offered = a.get("did_you_mean", [])
                s.fell_back += 1
                s.offered += bool(offered)
                s.offered_right += any(any(e in norm(c.get("text", "")) for e in exp) for c in offered)
        else:
            top1 = a.get("intent") == _EXPECTED_INTENT.get(kind, kind)
            s.out_of_scope_offered += (
                kind == "out_of_scope" and a.get("intent") == "fallback" and bool(a.get("did_you_mean"))
            )
        if a.get("intent") == "policy" and a.get("citations"):
            s.answered += 1
            s.answered_right += bool(kind == "policy" and top1)
        if top1:
            s.passed[kind] = s.passed.get(kind, 0) + 1
        else:
            got = a.get("citations", [])
            s.failures.append(
                {
                    "id": q.get("id"),
                    "kind": kind,
                    "question": q["question"],
                    "intent": a.get("intent"),
                    "confidence": a.get("confidence"),
                    "got": [c.get("clause") for c in got[:3]],
                }
            )
    return s


def is_conversation_file(items: list[dict]) -> bool:
    return bool(items) and "turns" in items[0]


@dataclass
class ConversationScore:
    """Turns of multi-turn conversations, each scored by the same rule as a single question."""

    turns: Score = field(default_factory=Score)
    conversations: int = 0
    whole_right: int = 0  # conversations with every turn right
    out_of_scope_logged: int = 0  # out-of-scope turns that fell back AND reached the unanswered log

    def summary(self) -> dict:
        total = sum(self.turns.total.values())
        passed = sum(self.turns.passed.values())
        return {
            "conversations": self.conversations,
            "whole_right": self.whole_right,
            "turns": total,
            "turns_right": passed,
            "rate": round(passed / total, 4) if total else 0.0,
            "out_of_scope_logged": self.out_of_scope_logged,
            "by_kind": self.turns.summary(),
            "answers": self.turns.answers,
        }


def score_conversations(
    conversations: Iterable[dict], start: Callable[[str], Callable[[str], dict]], logged: Callable[[], int]
) -> ConversationScore:
    """`start(conversation_id)` opens a conversation and returns its `say(text) -> answer JSON`; `logged()` counts
    the unanswered log, so each out-of-scope turn can be checked to have reached it."""
    out = ConversationScore()
    for conv in conversations:
        out.conversations += 1
        say = start(str(conv.get("id", out.conversations)))
        before_fail = len(out.turns.failures)
        for turn in conv["turns"]:
            n = logged()
            one = score([turn], say)
            for k, v in one.total.items():
                out.turns.total[k] = out.turns.total.get(k, 0) + v
            for k, v in one.passed.items():
                out.turns.passed[k] = out.turns.passed.get(k, 0) + v
            out.turns.top3 += one.top3
            out.turns.answered += one.answered
            out.turns.answered_right += one.answered_right
            out.turns.fell_back += one.fell_back
            out.turns.offered += one.offered
            out.turns.offered_right += one.offered_right
            out.turns.out_of_scope_offered += one.out_of_scope_offered
            for f in one.failures:
                out.turns.failures.append({**f, "conversation": conv.get("id")})
            if turn["kind"] == "out_of_scope" and one.passed.get("out_of_scope") and logged() > n:
                out.out_of_scope_logged += 1
        out.whole_right += len(out.turns.failures) == before_fail
    return out
