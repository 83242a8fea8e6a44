"""`ted chat`: a conversation in the terminal, a channel like the others.

Each line typed is a Message (platform "terminal", surface TERMINAL) through the same router as Slack, Teams and
the web chat, so follow-ups are read in context by the same conversation memory, and each reply is drawn by a
pure renderer (reply_text). A terminal has no buttons or forms: a reply's words say what to do, and its
"Did you mean" choices are listed by name.
"""

from __future__ import annotations

import sys
import uuid
from typing import Protocol, TextIO

from chat.model import TERMINAL, Message, Reply
from chat.router import Router
from handlers import messages

PLATFORM = "terminal"
USER = "local"  # whoever runs `ted chat` on this machine; the terminal knows no staff identity
PROMPT, PREFIX, INDENT = "you> ", "ted> ", "     "
QUIT = {"quit", "exit", ":q"}


class HasRouter(Protocol):
    router: Router


def reply_text(reply: Reply) -> str:
    """Reply -> the text the terminal prints: the whole reply in words, then any "Did you mean" choices."""
    words = reply.plain_text
    if reply.form is not None or messages.REPORT_OFFER in words:  # no form here: say where reporting is done
        words = words.replace(messages.REPORT_OFFER, "").strip()
        words = f"{messages.TERMINAL_REPORT}\n\n{words}" if words and reply.form is None else messages.TERMINAL_REPORT
    lines = [PREFIX + words]
    if reply.choices and not all(b.label in words for b in reply.choices):  # a "not covered" names them already
        lines.append(INDENT + "Did you mean: " + "; ".join(b.label for b in reply.choices))
    return "\n".join(lines)


def run_terminal_chat(ted: HasRouter, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    conversation = f"terminal-{uuid.uuid4().hex}"  # one conversation per run: follow-ups never cross runs
    print("TED — ask about council policy. Type 'quit' to leave.", file=stdout, flush=True)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if text.lower() in QUIT:
            break
        msg = Message(platform=PLATFORM, user_id=USER, text=text, conversation_id=conversation, surface=TERMINAL)
        for reply in ted.router.message(msg):
            print(reply_text(reply), file=stdout)
        print(file=stdout, flush=True)
    return 0
