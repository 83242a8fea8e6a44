"""`ted backup --out FILE`: a consistent copy of the live database, safe to take while TED serves.

SQLite's online backup API (`Connection.backup`, https://www.sqlite.org/backup.html) copies every page in one
step inside one read transaction, so the copy is the database as it was at one moment, whatever other
connections write meanwhile (in WAL mode readers and writers do not wait for each other). The copy is written to
a hidden file beside FILE, checked with `PRAGMA integrity_check`, switched out of WAL mode (so it is one
self-contained file), and only then renamed to FILE: a backup that failed half-way never looks like a backup.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from core import integrity
from core.db import check_file
from core.problems import Problem

BUSY_TIMEOUT_S = 30


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    tables: int


def backup(source: str | Path, out: str | Path, force: bool = False) -> Backup:
    src, dest = Path(source), Path(out)
    if str(source) == ":memory:":
        raise Problem("an in-memory database cannot be backed up: give the database file with --db or TED_DB")
    if not src.is_file():
        raise Problem(f"there is no database at {src} to back up: give the right file with --db or TED_DB")
    if dest.exists() and dest.resolve() == src.resolve():
        raise Problem(f"{dest} is the database itself: write the backup somewhere else")
    beside = {src.resolve().with_name(src.resolve().name + end) for end in ("-wal", "-shm", "-journal", ".lock")}
    if dest.resolve() in beside:  # replacing one would corrupt the database or let a second `ted serve` start
        raise Problem(f"{dest} is one of the database's own files: write the backup somewhere else")
    if dest.is_dir():
        raise Problem(f"{dest} is a folder: give the backup a file name, e.g. {dest / 'ted-backup.db'}")
    if dest.exists() and not force:
        raise Problem(
            f"{dest} already exists, so nothing was written: choose another name, or add --force to replace it"
        )
    if not dest.parent.is_dir():
        raise Problem(f"the folder {dest.parent} does not exist: create it first")
    check_file(src)  # never a plain read of a file this process holds open (core/db.py)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        tables = _copy(src, tmp, dest)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except OSError as exc:
        raise Problem(f"cannot write the backup {dest} ({exc.strerror}); nothing was written") from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            with contextlib.suppress(OSError):  # a read-only folder: the error above already says so
                leftover.unlink(missing_ok=True)
    return Backup(dest, dest.stat().st_size, tables)


def _copy(src: Path, tmp: Path, dest: Path) -> int:
    tmp.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(str(src), timeout=BUSY_TIMEOUT_S)
        source.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise Problem(integrity.describe(src, exc) + "; nothing was written") from exc
    try:
        copy = sqlite3.connect(str(tmp))
        try:
            source.backup(copy)  # all pages, one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode = DELETE")
            rows = [r[0] for r in copy.execute("PRAGMA integrity_check").fetchall()]
            tables = copy.execute("select count(*) from sqlite_master where type = 'table'").fetchone()[0]
        finally:
            copy.close()
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or getattr(exc, "sqlite_errorname", "").startswith(
            ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        ):
            rows = [str(exc)]
        else:  # the copy's side: its disk is full or read-only
            raise Problem(integrity.describe(dest, exc) + "; nothing was written") from exc
    finally:
        source.close()
    if rows != ["ok"]:
        raise Problem(
            f"the copy of {src} failed SQLite's integrity check ({'; '.join(map(str, rows))[:200]}), so "
            f"{src} itself is damaged; nothing was written: keep your earlier backups, and restore the "
            "latest good one (see “Backups” in the README)"
        )
    return tables
