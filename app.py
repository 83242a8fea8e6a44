"""Composition root and the `ted` command line.

settings -> database -> knowledge -> handlers -> adapters -> server. Each command below is
documented in README.md (a test checks that).
"""

from __future__ import annotations

import sys

# Ctrl-C while the libraries load (numpy takes a moment) stops as quietly as Ctrl-C at any other time.
try:
    import argparse
    import contextlib
    import errno
    import json
    import logging
    import os
    import sqlite3
    from dataclasses import dataclass
    from pathlib import Path

    import sqlite_utils

    from chat.router import Router
    from core import db as dbmod
    from core.integrity import describe
    from core.lock import ServeLock
    from core.problems import Problem
    from core.settings import Settings
    from handlers.ask.chat import ChatHandlers
    from handlers.ask.conversation import Conversations
    from handlers.ask.privacy import Pseudonyms
    from handlers.ask.service import AskService
    from handlers.directory import Directory
    from handlers.reports.chat import ReportChat
    from handlers.reports.delivery import OutboxWorker
    from handlers.reports.intake import Clock, ReportService, system_clock
    from knowledge.answer import Answerer
    from knowledge.bundled import load_bundled_if_empty, refresh_bundled
    from knowledge.kb_cli import configure as kb_configure
    from knowledge.vectors import make_embedder
except KeyboardInterrupt:  # pragma: no cover - timing-dependent
    sys.exit(130)


@dataclass
class Ted:
    settings: Settings
    db: sqlite_utils.Database
    answerer: Answerer
    asker: AskService
    conversations: Conversations
    router: Router
    directory: Directory
    reports: ReportService
    outbox: OutboxWorker
    db_path: str = ":memory:"

    def twin(self) -> Ted:
        """Another TED on the same database file: its own connection, router and knowledge index, the same settings
        and clock. `ted serve`'s worker threads each hold one (bot/pool.py); loading the bundled policies on first
        use was this TED's job, so a twin never does it."""
        return build(self.settings, self.db_path, first_use=False, clock=self.reports.clock)

    def forget_attachments(self, attachments: list[dict]) -> None:
        """Delete screenshots stored by the web chat (retention purge). Slack keeps its own files."""
        from bot.web.uploads import UploadStore, default_folder

        folder = self.settings.web_upload_dir
        store = UploadStore(Path(folder) if folder else default_folder(self.db), self.db)
        for a in attachments:
            if isinstance(a, dict) and a.get("id"):
                store.remove(str(a["id"]))


def build(
    settings: Settings,
    db_path: str | None = None,
    first_use: bool = True,
    clock: Clock = system_clock,
    check: bool = False,
) -> Ted:
    db_path = str(db_path or settings.db_path)
    db = dbmod.connect(db_path, check=check)
    embedder = make_embedder(settings.semantic)
    if first_use and not load_bundled_if_empty(db, embedder):
        try:
            refresh_bundled(db, embedder)
        except sqlite3.OperationalError as exc:  # a read-only or busy database: read it as it is, update next time
            logging.getLogger("ted.knowledge").warning(
                "the bundled policy was not updated to this release's (%s)", type(exc).__name__
            )
    answerer = Answerer(
        db, settings.min_confidence, settings.fallback_contact, embedder, suggest_confidence=settings.suggest_confidence
    )
    asker = AskService(db, answerer)
    conversations = Conversations(db, Pseudonyms(db, settings.pseudonymise_questions, settings.pseudonym_key))
    router = Router()
    ChatHandlers(asker, conversations, settings.base_url).register(router)
    directory = Directory(db)
    reports = ReportService(db, directory, settings, clock)
    ReportChat(reports, directory).register(router)
    return Ted(settings, db, answerer, asker, conversations, router, directory, reports, OutboxWorker(reports), db_path)


# -- commands --------------------------------------------------------------------------------
def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    ted = build(settings, args.db)
    questions = [args.question] if args.question is not None else (line.rstrip("\n") for line in sys.stdin)
    for q in questions:
        answer = ted.asker.ask(q, channel="cli")
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(answer.plain_text + "\n", flush=True)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import run_terminal_chat

    return run_terminal_chat(build(settings, args.db))


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.ingest_cli import ingest_paths

    if args.draft and args.replace:  # a draft changes nothing live, so "make these the whole knowledge base" can't
        raise Problem("--replace and --draft can't go together: a draft changes nothing until it is published")
    # On a knowledge base never used, the bundled policy comes first, as for any command: ingest adds to it
    # (only --replace makes the files the whole knowledge base).
    ted = build(settings, args.db, first_use=not args.replace)
    return ingest_paths(
        ted.db,
        [Path(p) for p in args.paths],
        replace=args.replace,
        quiet=args.quiet,
        embedder=ted.answerer.index.embedder,
        draft=args.draft,
        doc_id=args.doc or "",
    )


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.kb_cli import kb_command

    return kb_command(build(settings, args.db), args)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.evaluate import is_conversation_file, read_questions

    try:
        items = read_questions(Path(args.file))
    except ValueError as exc:
        raise Problem(f"{exc}; nothing was scored") from exc
    if not items:
        raise Problem(f"{args.file} has no questions in it (one JSON object a line); nothing was scored")
    ted = build(settings, args.db)
    marks = {t: ted.db.execute(f"select coalesce(max(id), 0) from {t}").fetchone()[0] for t in ("asked", "unanswered")}
    try:
        if is_conversation_file(items):
            return _eval_conversations(ted, items, args)
        return _eval_questions(ted, items, args)
    finally:  # the scored questions are not staff's: they never reach `ted unanswered`, /admin or the digest
        ted.db.execute("delete from unanswered where id > ? and channel = 'eval'", [marks["unanswered"]])
        ted.db.execute("delete from asked where id > ? and platform = 'eval'", [marks["asked"]])
        ted.db.execute("delete from threads where platform = 'eval'")


def _eval_questions(ted: Ted, items: list[dict], args: argparse.Namespace) -> int:
    from knowledge.evaluate import score

    s = score(items, lambda q: ted.asker.ask(q, channel="eval").to_json())
    if args.json:
        print(
            json.dumps(
                {"summary": s.summary(), "answers": s.answers, "failures": s.failures}, ensure_ascii=False, indent=2
            )
        )
    else:
        for kind, row in s.summary().items():
            extra = f"  top-3 {row['top3_passed']}/{row['total']} ({row['top3']:.1%})" if kind == "policy" else ""
            label = "top-1 " if kind == "policy" else ""
            print(f"{kind:13} {label}{row['passed']}/{row['total']} ({row['rate']:.1%}){extra}")
        a = s.answers
        if a["answered"]:
            print(
                f"answered      {a['right']}/{a['answered']} right (precision {a['precision']:.1%}), "
                f"{a['wrong']} confident wrong"
            )
        else:
            print("answered      none with a citation (no precision to give)")
        if a["fell_back"] or a["out_of_scope_offered"]:
            print(
                f"fell back     {a['fell_back']} policy questions: offered the closest clauses for {a['offered']}, "
                f"the right one among them for {a['offered_right']}; out of scope offered clauses "
                f"{a['out_of_scope_offered']}"
            )
        if args.verbose:
            for f in s.failures:
                print(
                    f"  FAIL {f['id']} [{f['kind']}] got {f['intent']} {f['got']} "
                    f"conf={f['confidence']}: {f['question']}"
                )
    return 0


def _eval_conversations(ted: Ted, conversations: list[dict], args: argparse.Namespace) -> int:
    """Each conversation goes through the router as a chat would ("eval" platform, one conversation id each)."""
    from chat.model import Message
    from knowledge.evaluate import score_conversations

    def start(cid: str):
        def say(text: str) -> dict:
            replies = ted.router.message(Message("eval", "eval-user", text, conversation_id=f"eval-{cid}"))
            r = replies[0] if replies else None
            offered = []  # the clauses its "Did you mean" chips land on
            for b in r.choices if r else ():
                doc, clause = (b.value.split("|") + [""])[:2]
                if cite := ted.answerer.clause(doc, clause):
                    offered.append(cite.to_json())
            return {
                "intent": r.intent if r else "",
                "confidence": r.confidence if r else 0.0,
                "citations": [c.to_json() for c in r.citations] if r else [],
                "did_you_mean": offered,
            }

        return say

    s = score_conversations(conversations, start, lambda: ted.db["unanswered"].count)
    summary = s.summary()
    if args.json:
        print(json.dumps({"summary": summary, "failures": s.turns.failures}, ensure_ascii=False, indent=2))
        return 0
    oos = s.turns.total.get("out_of_scope", 0)
    print(f"conversations {s.conversations} ({s.whole_right} with every turn right)")
    print(f"turns         {summary['turns_right']}/{summary['turns']} right ({summary['rate']:.1%})")
    for kind, row in summary["by_kind"].items():
        print(f"  {kind:12} {row['passed']}/{row['total']} ({row['rate']:.1%})")
    print(f"out of scope  {s.out_of_scope_logged}/{oos} fell back and were logged as unanswered")
    a = s.turns.answers
    if a["fell_back"] or a["out_of_scope_offered"]:
        print(
            f"fell back     {a['fell_back']} policy turns: offered the closest clauses for {a['offered']}, the right "
            f"one among them for {a['offered_right']}; out-of-scope turns offered clauses {a['out_of_scope_offered']}"
        )
    if args.verbose:
        for f in s.turns.failures:
            print(f"  FAIL {f['conversation']} [{f['kind']}] got {f['intent']} {f['got']}: {f['question']}")
    return 0


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.ask.service import unanswered

    ted = build(settings, args.db, first_use=False)
    rows = unanswered(ted.db, args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print("No unanswered questions recorded.")
    for r in rows if not args.json else ():
        chose = f"  (the asker chose {r['chosen_clause']})" if r.get("chosen_clause") else ""
        print(f"{r['asked_at']}  [{r['channel']}]  {r['question']}{chose}")
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.ask.conversation import list_feedback

    rows = list_feedback(build(settings, args.db, first_use=False).db, args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No feedback yet.")
    for r in rows:
        mark = "👍" if r["helpful"] else "👎"
        reason = f" — {r['reason']}" if r["reason"] else ""
        print(f"{r['given_at']}  {mark} {r['doc_id']} {r['clause'] or '(no clause)'}  {r['question']}{reason}")
    return 0


def cmd_directory(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.reports.cli import directory_command

    return directory_command(build(settings, args.db, first_use=False), args)


def cmd_reports(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.reports.cli import reports_command

    return reports_command(build(settings, args.db, first_use=False), args)


def cmd_teams(args: argparse.Namespace, settings: Settings) -> int:
    from bot.teams.package import teams_command

    return teams_command(args, settings, lambda: build(settings, args.db, first_use=False).db)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from core.backup import backup

    done = backup(args.db or settings.db_path, args.out, force=args.force)
    print(
        f"Backed up {args.db or settings.db_path} to {done.path} ({done.bytes:,} bytes, {done.tables} tables); "
        "the copy passed SQLite's integrity check."
    )
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import listen, serve

    path = args.db or settings.db_path
    if path != ":memory:":
        path = str(Path(path).expanduser())
        dbmod.database_folder(Path(path))  # before the lock, which sits beside the database: a typo starts no TED
    with ServeLock(path):  # one TED per database: a second `ted serve` on it is refused (core/lock.py)
        sock = listen(settings.host, settings.port)
        try:
            ted = build(settings, path, check=True)  # the database is checked whole and writable before serving
        except BaseException:
            sock.close()
            raise
        if settings.pseudonymise_questions:  # the logs name chats and people as the database stores them
            from handlers.ask.privacy import pseudonymise_logs

            pseudonymise_logs(ted.conversations.ids)
        return serve(ted, sock)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ted", description="TED, the council's staff policy assistant.")
    p.add_argument("--version", action="version", version="ted 0.1.0")

    def db_option(sp: argparse.ArgumentParser) -> None:
        # SUPPRESS: `ted --db X kb list`, `ted kb --db X list` and `ted kb list --db X` all work; a nested default
        # never hides a value given before it.
        sp.add_argument(
            "--db",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="SQLite database file (default: $TED_DB or var/ted.db)",
        )

    db_option(p)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn, help_: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        db_option(sp)
        sp.set_defaults(func=fn)
        return sp

    def actions(sp: argparse.ArgumentParser, **defaults):
        """Nested sub-commands (`kb list`, `kb show`): each has its own --help; `args.action` names it."""
        nested = sp.add_subparsers(dest="action", required=True, metavar="ACTION")

        def action(name: str, help_: str) -> argparse.ArgumentParser:
            leaf = nested.add_parser(name, help=help_, description=help_)
            db_option(leaf)
            leaf.set_defaults(**defaults)
            return leaf

        return action

    common = argparse.ArgumentParser(add_help=False)  # --db after a sub-command's action too: `kb list --db X`
    db_option(common)

    a = add("ask", cmd_ask, "Answer a question, or one question per line from standard input.")
    a.add_argument("--json", action="store_true", help="print one JSON answer object per question")
    a.add_argument("question", nargs="?", help="the question (omit to read questions from stdin)")
    add("chat", cmd_chat, "Talk to TED in the terminal.")
    i = add("ingest", cmd_ingest, "Add or update policy documents (.md .txt .html .docx .pdf, files or folders).")
    i.add_argument("--replace", action="store_true", help="replace the whole knowledge base with these documents")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    i.add_argument(
        "--draft", action="store_true", help="keep them as drafts (not searched or cited) until `ted kb publish DOC_ID`"
    )
    i.add_argument("--doc", metavar="DOC_ID", help="with --draft and one file: a new version of this document")
    i.add_argument("paths", nargs="+", metavar="PATH")
    k = add(
        "kb",
        cmd_kb,
        "Look inside and curate the knowledge base: list, show, publish, retire, restore, edit, history, "
        "teach, not-covered, taught, forget.",
    )
    kb_configure(k, common)
    e = add("eval", cmd_eval, "Score a question file (JSON lines) by the shared scoring rule.")
    e.add_argument("file")
    e.add_argument("--json", action="store_true", help="print the summary and failures as JSON")
    e.add_argument("-v", "--verbose", action="store_true", help="list every question that failed")
    u = add("unanswered", cmd_unanswered, "List questions TED could not answer, newest first.")
    u.add_argument("--limit", type=_positive, default=100, help="at most this many (1 or more)")
    u.add_argument("--json", action="store_true")
    f = add("feedback", cmd_feedback, "List 👍/👎 feedback on answers, newest first, with any reasons given.")
    f.add_argument("--limit", type=_positive, default=100, help="at most this many (1 or more)")
    f.add_argument("--json", action="store_true")
    d = actions(
        add("directory", cmd_directory, "Staff directory: `directory import FILE.csv`, `directory list`."), file=None
    )
    d("import", "Import the staff directory from a CSV file; people missing from it are marked as left.").add_argument(
        "file", help="the CSV file"
    )
    d("list", "List everyone in the directory, with roles, including people who have left.")
    r = actions(
        add("reports", cmd_reports, "Reports: list, show REF, export --email, purge, hold/release REF, tick."),
        ref=None,
        status=None,
        email=None,
        dry_run=False,
        json=False,
    )
    rl = r("list", "List reports with their status and acknowledgement deadline.")
    rl.add_argument("--status", choices=["open", "acknowledged", "resolved"], help="only reports with this status")
    rl.add_argument("--json", action="store_true")
    rs = r("show", "Show one report: summary, recipients and its audit log.")
    rs.add_argument("ref", help="report reference, e.g. TED-2026-0042")
    rs.add_argument("--json", action="store_true")
    r("export", "Everything TED holds about one person, as JSON (subject access request).").add_argument(
        "--email", required=True, help="the person whose data to gather"
    )
    r("purge", "Remove the personal content of reports past retention.").add_argument(
        "--dry-run", action="store_true", help="list what would be purged"
    )
    r("hold", "Put a report on legal hold (never purged).").add_argument("ref", help="report reference")
    r("release", "Take a report off legal hold.").add_argument("ref", help="report reference")
    r("tick", "Run the escalation scheduler once.")
    t = actions(
        add(
            "teams",
            cmd_teams,
            "Microsoft Teams: `teams package` builds the app package to upload; "
            "`teams channels` lists the channels TED is in.",
        ),
        out=None,
        app_version="1.0.0",
    )
    tp = t("package", "Build the Teams app package (a zip) to upload in the Teams admin centre.")
    tp.add_argument("--out", metavar="FILE", help="the zip to write (default var/teams/ted-teams-app.zip)")
    tp.add_argument("--app-version", default="1.0.0", help="the app's version; raise it for each update")
    t("channels", "List the Teams channels TED has been added to, with their conversation ids.")
    b = add("backup", cmd_backup, "Write a consistent copy of the database (safe while TED serves).")
    b.add_argument("--out", metavar="FILE", required=True, help="the backup file to write")
    b.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    add("serve", cmd_serve, "Serve the web chat, Slack and Teams on one HTTP server.")
    return p


def _is_empty(value) -> bool:
    if isinstance(value, list):
        return any(_is_empty(v) for v in value)
    return isinstance(value, str) and not value.strip()


def _text_streams() -> None:
    """Bytes that aren't UTF-8 on standard input, or a terminal that can't show a character, are a character
    replaced, never a crash halfway through a batch."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")


def _positive(text: str) -> int:
    """A count for --limit: a whole number of 1 or more (0 would list nothing, and say there was nothing)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {n}")
    if n > MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_LIMIT:,}, not {n}")
    return n


MAX_LIMIT = 1_000_000


def main(argv: list[str] | None = None) -> int:
    _text_streams()
    try:
        # An argument that wasn't UTF-8 keeps stand-ins for its bytes (surrogateescape): a file name stays one;
        # a question is cleaned where it is read (handlers/ask/service.py).
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # Ctrl-C: the person meant to stop, so stop without a traceback
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ted … | head`: whoever read the output has all they wanted
        _quiet_stdout()
        return 141
    except OSError as exc:
        if exc.errno not in _FULL:
            raise
        # The output's disk is full (`ted kb list > /dev/full`, a log volume that filled up): one sentence.
        _quiet_stdout()
        print(
            f"ted: could not write the output ({os.strerror(exc.errno).lower()}): free some space and try again.",
            file=sys.stderr,
        )
        return 1


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _quiet_stdout() -> None:
    """Whatever is still buffered for standard output goes nowhere, so exiting prints no second error."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if not hasattr(args, "db"):
        args.db = None
    empty = [name for name in ("db", "out", "paths", "file", "path") if _is_empty(getattr(args, name, None))]
    if empty:  # an unset variable in a script: "" would mean the default database, or the current folder
        print(f"ted {args.command}: an empty {empty[0].rstrip('s')} was given: name one", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env().check()
    except ValueError as exc:
        print(f"ted: {exc}", file=sys.stderr)
        return 2
    # The command line stays quiet unless asked; the server logs at INFO by default.
    level = settings.log_level if (args.command == "serve" or settings.log_level_set) else "WARNING"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)
    # Platform libraries log whole request and response bodies at DEBUG (message text, report contents):
    # TED's logs carry ids only, so they never go below INFO, whatever TED_LOG_LEVEL says.
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
    try:
        return args.func(args, settings)
    except Problem as exc:  # a sentence for whoever runs TED, never a traceback
        print(f"ted {args.command}: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # damage or a full disk found part-way through a command
        print(f"ted {args.command}: {Problem(describe(args.db or settings.db_path, exc))}", file=sys.stderr)
        return 1
    except UnicodeEncodeError:  # an argument's bytes weren't UTF-8 (kept as stand-ins) reached the database
        print(
            f"ted {args.command}: one of the arguments is not UTF-8 text (a name or question typed in another "
            "encoding), so nothing was changed: type it again in UTF-8",
            file=sys.stderr,
        )
        return 2


QUIET_LIBRARIES = (
    "slack_sdk",
    "slack_bolt",
    "botbuilder",
    "botframework",
    "msrest",
    "msal",
    "urllib3",
    "requests_oauthlib",
    "aiohttp.client",
    "microsoft_agents",
)


if __name__ == "__main__":
    sys.exit(main())
