"""`ted chat`: a conversation in the terminal, with follow-ups read in context."""

from __future__ import annotations

import sys
from typing import TextIO

from knowledge.answer import POLICY


def run_terminal_chat(ted, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    print("TED — ask about council policy. Type 'quit' to leave.", file=stdout)
    previous: str | None = None
    while True:
        if interactive:
            print("you> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        q = line.strip()
        if q.lower() in {"quit", "exit", ":q"}:
            break
        answer = ted.asker.ask(q, channel="terminal", follow_up_of=previous)
        print(f"ted> {answer.plain_text}", file=stdout)
        if answer.did_you_mean:
            print("     Did you mean: " + "; ".join(c.label for c in answer.did_you_mean), file=stdout)
        print(file=stdout, flush=True)
        if answer.intent == POLICY:
            previous = q
    return 0
