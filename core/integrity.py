"""Is the database file whole, and can TED write to it? Said in one sentence when it is not.

`check_header` reads the first 100 bytes (the SQLite header, https://www.sqlite.org/fileformat.html#the_database_header)
before SQLite opens the file: a file that is not SQLite, or one cut short, is named as such instead of SQLite's
"file is not a database". `quick_check` runs `PRAGMA quick_check` (every page and b-tree, without the slower index
cross-check of integrity_check); `probe_write` tries a write and rolls it back, so a read-only file or file system
is found when TED starts, not when someone files a report. `describe` turns any SQLite error into a sentence
naming the file and what to do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.problems import Problem

MAGIC = b"SQLite format 3\x00"
RESTORE = "restore it from your latest backup (see “Backups” in the README: `ted backup` makes one)"


class DatabaseProblem(Problem):
    """The database file is missing a piece, damaged, not SQLite, or cannot be written."""


def check_header(path: Path) -> None:
    """Raise DatabaseProblem if *path* exists and is not a whole SQLite file. An empty file is a new database."""
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a database file: point TED_DB (or --db) at a file")
    try:
        size = path.stat().st_size
        if size == 0:
            return
        with open(path, "rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DatabaseProblem(
            f"TED cannot read {path} ({exc.strerror}): make the file readable by the user TED runs as"
        ) from exc
    if not (head.startswith(MAGIC) or MAGIC.startswith(head)):
        raise DatabaseProblem(
            f"{path} is not an SQLite database (its first bytes are not SQLite's header): "
            f"{RESTORE}, or point TED_DB (or --db) at the right file"
        )
    if len(head) < 100:
        raise DatabaseProblem(f"{path} is cut short ({size} bytes, less than SQLite's 100-byte header): {RESTORE}")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The page count is trusted only when SQLite says it is current (offset 92 equals the change counter at 24),
    # and only when no write-ahead log exists: while a checkpoint runs, page 1 can be ahead of the file's end.
    wal = path.with_name(path.name + "-wal")
    if pages and head[24:28] == head[92:96] and not wal.exists() and size < page_size * pages:
        raise DatabaseProblem(
            f"{path} is cut short ({size:,} of the {page_size * pages:,} bytes its header promises): {RESTORE}"
        )


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
    if rows != ["ok"]:
        said = " ".join("; ".join(map(str, rows)).split())  # SQLite's report has line breaks: one sentence
        raise DatabaseProblem(f"{path} is damaged (SQLite's check says: {said[:200]}): stop TED and {RESTORE}")


def probe_write(conn: sqlite3.Connection, path: Path) -> None:
    """Try a write and roll it back: SQLite opens a read-only file without complaint and fails at the first write."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('~write-probe', '')")
    finally:
        conn.execute("ROLLBACK")


def is_busy(exc: BaseException) -> bool:
    """Another writer held the database past the busy timeout: nothing is wrong with the file itself."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def describe(path: Path | str, exc: BaseException) -> str:
    """One sentence for an SQLite error on *path*: what is wrong with which file, and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    what = str(exc) or type(exc).__name__
    if name == "SQLITE_NOTADB" or "not a database" in what:
        return (
            f"{path} is not an SQLite database (SQLite says: {what}): {RESTORE}, or point TED_DB (or --db) "
            "at the right file"
        )
    if name.startswith("SQLITE_CORRUPT") or "malformed" in what:
        return f"{path} is damaged (SQLite says: {what}): stop TED and {RESTORE}"
    if name == "SQLITE_FULL" or "disk is full" in what:
        return f"the disk holding {path} is full (SQLite says: {what}): free some space, then try again"
    if (
        name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"))
        or "readonly" in what
        or "unable to open" in what
    ):
        return (
            f"TED cannot write to {path} (SQLite says: {what}): make the file and its folder writable by the "
            "user TED runs as, and check that the disk is not mounted read-only"
        )
    if is_busy(exc):
        return f"{path} is locked by another program (SQLite says: {what}): try again in a moment"
    if name.startswith("SQLITE_IOERR") or "disk I/O" in what:
        return (
            f"TED could not read or write {path} (SQLite says: {what}): check the disk; if the file is damaged, "
            f"{RESTORE}"
        )
    return f"the database {path} failed (SQLite says: {what})"
