"""`ted serve` as a process: one TED per database, a busy port, and a database that is damaged or cannot be
written are each refused at start in one sentence (non-zero exit, no traceback)."""

from __future__ import annotations

import os
import queue
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core import db as dbmod

ROOT = Path(__file__).resolve().parents[1]
TED = [sys.executable, "-c", "import sys, app; sys.exit(app.main())"]


def env(**extra) -> dict:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "TED_SEMANTIC": "0", "TED_PORT": "0", "TED_HOST": "127.0.0.1", **extra}
    e.pop("TED_LOG_LEVEL", None)
    e.pop("TED_DB", None)
    return e


class Server:
    """A `ted serve` subprocess, stopped (by its own pid) when the test ends."""

    def __init__(self, db: Path, prefix: list[str] | None = None, **extra):
        self.proc = subprocess.Popen(
            (prefix or []) + TED + ["serve", "--db", str(db)],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env(**extra),
            cwd=db.parent,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"ted serve stopped: {''.join(self.seen)}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} from ted serve within {timeout}s: {''.join(self.seen)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def refused(db: Path, prefix: list[str] | None = None, **extra) -> str:
    """Run `ted serve` expecting it to refuse; returns its one sentence."""
    out = subprocess.run(
        (prefix or []) + TED + ["serve", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env(**extra),
        cwd=db.parent,
        timeout=60,
    )
    err = out.stderr.strip()
    assert out.returncode != 0, err
    assert "Traceback" not in out.stderr and len(err.splitlines()) == 1, out.stderr
    assert err.startswith("ted serve: ") and err.endswith("."), err
    return err


def make_db(path: Path, rows: int = 400) -> Path:
    """A real TED database with some rows in it, closed cleanly (no write-ahead log left beside it)."""
    db = dbmod.connect(path)
    db["unanswered"].insert_all(
        {"asked_at": "2026-01-01T00:00:00+00:00", "channel": "web", "question": f"question {i} " + "x" * 300}
        for i in range(rows)
    )
    db.conn.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def server():
    started: list[Server] = []

    def start(db: Path, **extra) -> Server:
        s = Server(db, **extra)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def test_a_second_ted_serve_on_the_same_database_is_refused_in_one_sentence(tmp_path, server):
    db = tmp_path / "ted.db"
    first = server(db)
    first.wait_for("TED listening on")
    err = refused(db)
    assert "already serving" in err and str(db) in err and f"process {first.proc.pid}" in err
    assert first.proc.poll() is None  # the first one carries on
    first.stop()
    again = server(db)  # the operating system released the lock with the process
    again.wait_for("TED listening on")


def test_a_busy_port_is_said_in_one_sentence(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        err = refused(tmp_path / "ted.db", TED_PORT=str(port))
    assert f"port {port}" in err and "already in use" in err and "TED_PORT" in err


def _random_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    rng = random.Random(7)
    for start in range(3 * page, len(data) - page, 5 * page):  # every fifth page after the first three
        data[start : start + page] = rng.randbytes(page)
    path.write_bytes(bytes(data))


def _garbage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:100] = random.Random(8).randbytes(100)
    path.write_bytes(bytes(data))


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2 + 123])


def _text_file(path: Path) -> None:
    path.write_text("This is the minutes of the staff meeting, saved over the database.\n" * 50, "utf-8")


@pytest.mark.parametrize(
    "damage, says",
    [
        (_random_pages, "is damaged"),
        (_garbage_header, "not an SQLite database"),
        (_truncated, "is cut short"),
        (_text_file, "not an SQLite database"),
    ],
    ids=["random-bytes-inside", "garbage-header", "truncated", "not-sqlite-at-all"],
)
def test_a_damaged_database_is_refused_at_start_in_one_sentence(tmp_path, damage, says):
    db = make_db(tmp_path / "ted.db")
    damage(db)
    err = refused(db)
    assert str(db) in err and says in err and "backup" in err, err


def test_other_commands_say_the_same_about_a_damaged_database(tmp_path):
    db = make_db(tmp_path / "ted.db")
    _garbage_header(db)
    out = subprocess.run(
        TED + ["reports", "list", "--db", str(db)], capture_output=True, text=True, env=env(), timeout=60
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().startswith(f"ted reports: {db} is not an SQLite database")


def _read_only_prefix(target: Path) -> list[str] | None:
    """As root, chmod does not stop writes: make *target* read-only with a bind mount in a private mount
    namespace instead (a real read-only file system as far as TED can tell). None when that is not possible."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", script, str(target)]
    probe = subprocess.run(prefix + ["true"], capture_output=True, timeout=30)
    return prefix if probe.returncode == 0 else None


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_unwritable_database_is_refused_at_start_in_one_sentence(tmp_path, what):
    folder = tmp_path / "var"
    folder.mkdir()
    db = make_db(folder / "ted.db")
    target = db if what == "file" else folder
    prefix = None
    if os.geteuid() == 0:
        prefix = _read_only_prefix(target)
        if prefix is None:
            pytest.skip(
                "running as root, where chmod does not stop writes, and no unshare/mount to make a "
                "read-only file system instead"
            )
        err = refused(db, prefix)
    else:
        target.chmod(0o444 if what == "file" else 0o555)
        try:
            err = refused(db)
        finally:
            target.chmod(0o644 if what == "file" else 0o755)
    assert str(db) in err, err
    assert "read-only" in err and "writable" in err, err
    assert sqlite3.connect(db).execute("select count(*) from unanswered").fetchone()[0] == 400
