"""The one SQLite database behind TED, with a migration history.

Everything durable lives here: the knowledge base, unanswered questions, feedback, and
later reports and the outbox. Connections run in WAL mode with an explicit busy timeout so
the server and the command line can share one file.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from core import integrity
from core.migrations import MIGRATIONS, Migration  # noqa: F401  (re-exported: the schema's history)
from core.settings import DEFAULT_DB

BUSY_TIMEOUT_MS = 5000


# Which database files this process has open through SQLite (see check_file). Process state, not TED's: it
# describes this process's file handles, which is what POSIX locks belong to, so it cannot live in the database.
_opened: set[str] = set()

# Writes the database refused lately, by file: (when, SQLite's error name). /healthz reads them (bot/health.py), so
# a full disk or a read-only mount shows as "failing" even though reading still works.
_refused: dict[str, tuple[float, str]] = {}
REFUSED_WRITE_SECONDS = 300.0


def _file_of(db: sqlite_utils.Database) -> str:
    row = db.execute("pragma database_list").fetchone()
    return str(row[2] or id(db)) if row else str(id(db))


def note_refused_write(db: sqlite_utils.Database, exc: BaseException) -> None:
    """A write failed for a reason that isn't another writer (a full disk, a read-only file, an I/O error)."""
    if integrity.is_busy(exc):
        return
    name = getattr(exc, "sqlite_errorname", "") or type(exc).__name__
    try:
        _refused[_file_of(db)] = (time.monotonic(), name)
    except sqlite3.Error:  # the database can't even say its file: the error is reported where it happened
        pass


def refused_write(db: sqlite_utils.Database) -> str:
    """SQLite's name for the last write refused in the last few minutes, or ""."""
    when, name = _refused.get(_file_of(db), (0.0, ""))
    return name if name and time.monotonic() - when < REFUSED_WRITE_SECONDS else ""


MAX_ROWID = 2**63 - 1  # the largest id SQLite can hold


def row_id(value: object) -> int | None:
    """An id as a button, form or URL gave it ("12", 12), or None when it is not one SQLite could hold: a forged
    "9999999999999999999" is an unknown id, not an OverflowError."""
    if isinstance(value, bool):
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if 0 < n <= MAX_ROWID else None


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_file(p: Path) -> None:
    """integrity.check_header, but only before this process has the file open through SQLite: it reads with a
    plain file handle, and closing any handle on a file drops every POSIX lock the process holds on it; another
    process would then take TED for gone, checkpoint and delete the write-ahead log TED is still writing to."""
    if str(p.resolve()) not in _opened:
        integrity.check_header(p)


def database_folder(p: Path) -> None:
    """The database's folder: only TED's own default (var/) is made. A folder named in TED_DB or --db that isn't
    there is more likely a typo than a wish for a new, empty TED, so it is refused (`ted serve`'s lock too)."""
    if not p.parent.exists() and p.parent.resolve() != Path(DEFAULT_DB).parent.resolve():
        raise integrity.DatabaseProblem(
            f"the folder {p.parent} for the database {p} does not exist: create it first, or point TED_DB "
            "(or --db) at a database in a folder that exists"
        )
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise integrity.DatabaseProblem(
            f"TED cannot create the folder {p.parent} for its database "
            f"({exc.strerror}): create it, or point TED_DB (or --db) elsewhere"
        ) from exc


def connect(path: str | Path, check: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the database at *path*, or in memory for ':memory:'.

    A file that is not a whole SQLite database, or that cannot be opened, raises DatabaseProblem (one sentence
    naming the file). `check=True` (`ted serve`, at start) also runs SQLite's quick check and a write probe."""
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        migrate(db)
        return db
    p = Path(path).expanduser()
    check_file(p)
    database_folder(p)
    try:
        conn = sqlite3.connect(str(p), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        refuse_foreign(conn, p)  # before anything is written to it, the journal mode included
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")  # deleted rows (retention purges) are zeroed, not left on disk
        if check:
            integrity.quick_check(conn, p)
        db = sqlite_utils.Database(conn)
        migrate(db)
        if check:
            integrity.probe_write(conn, p)
    except sqlite3.DatabaseError as exc:
        raise integrity.DatabaseProblem(integrity.describe(p, exc)) from exc
    _opened.add(str(p.resolve()))
    return db


def refuse_foreign(conn: sqlite3.Connection, p: Path) -> None:
    """Another program's SQLite file, or one a newer TED made, is never written to: TED would add its tables to
    the first, and older code would change the second under a schema it doesn't know."""
    tables = {n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")}
    if not tables:
        return
    if "_migrations" not in tables:
        raise integrity.DatabaseProblem(
            f"{p} is an SQLite database, but not TED's (it has tables and none of TED's), so TED left it as it "
            "was: point TED_DB (or --db) at TED's database, or at a new file"
        )
    known = {name for name, _ in MIGRATIONS}
    newer = sorted({n for (n,) in conn.execute("select name from _migrations")} - known)
    if newer:
        raise integrity.DatabaseProblem(
            f"{p} was made by a newer TED (it has migration {newer[-1]}, which this one doesn't know), so this "
            "TED left it as it was: run the newer TED, or restore a backup made by this version"
        )


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [r["name"] for r in db["_migrations"].rows_where(order_by="name")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply any migrations not yet applied, each in its own transaction. Returns their names."""
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = set(applied_migrations(db))
    ran = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with transaction(db):
            fn(db)
            db["_migrations"].insert({"name": name, "applied_at": utcnow()})
        ran.append(name)
    return ran


class transaction:
    """`with transaction(db):` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception.

    Connections are in autocommit mode (isolation_level=None), so this is the one place
    transactions are opened; nesting is flattened into the outermost transaction.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.outer = True
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # SQLite may have rolled back already (a full disk, an I/O error)
            self.conn.execute("ROLLBACK")
