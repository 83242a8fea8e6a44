"""One TED per database: `ted serve` holds an exclusive lock on "<database>.lock" for as long as it serves.

Two servers on one database would both run the outbox and the escalation scheduler, so every notification could
go out twice. The lock is an OS file lock (`fcntl.flock`, exclusive, non-blocking) on a small file beside the
database: the operating system releases it when the process ends, however it ends, so a crash never leaves a
stale lock behind. The file holds the serving process's id, for the refusal message. Other commands (`ted ask`,
`ted backup`, `ted reports …`) do not take it: SQLite's own locking lets them share the file with the server.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from core.problems import Problem

log = logging.getLogger("ted.lock")

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock (TED is served from Linux)
    fcntl = None


class AlreadyServing(Problem):
    """Another `ted serve` holds the lock on this database."""


def lock_path(db_path: str | Path) -> Path:
    """Beside the database file itself: a symlink to it, or another path to it, names the same lock."""
    p = Path(db_path).resolve()
    return p.with_name(p.name + ".lock")


class ServeLock:
    """`with ServeLock(db_path):` — the exclusive right to serve this database, or AlreadyServing."""

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self.fd: int | None = None

    def acquire(self) -> ServeLock:
        if str(self.db_path) == ":memory:" or fcntl is None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise Problem(
                f"TED cannot create its lock file {self.path} beside the database ({exc.strerror}): make "
                "the folder writable by the user TED runs as, and check that the disk is not mounted "
                "read-only"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            os.close(fd)
            who = f" (process {holder})" if holder else ""
            raise AlreadyServing(
                f"another TED is already serving {self.db_path}{who}, so this one will not start: "
                "stop that one first, or give this one its own database with --db or TED_DB"
            ) from exc
        if not _still_there(fd, self.path):
            # Between opening and locking, the file was removed or replaced (another TED starting, an operator
            # tidying up): a lock on a file nobody else can find protects nothing, so take the one at the path.
            os.close(fd)
            return self.acquire()
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the file releases the lock; the file itself stays (harmless)
            self.fd = None

    def __enter__(self) -> ServeLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _still_there(fd: int, path: Path) -> bool:
    try:
        here, ours = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (ours.st_dev, ours.st_ino)


def _read_pid(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError as exc:  # the refusal still says what matters, without the process id
        log.debug("lock file unreadable error=%s", type(exc).__name__)
        return ""
    return text if text.isdigit() else ""
