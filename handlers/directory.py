"""The staff directory: who people are, who manages them, and what roles they hold.

`ted directory import FILE.csv` with the header
email,name,slack_user_id,teams_user_id,manager_email,service_area,roles
Re-importing updates people in place; someone missing from a new import is marked as left,
never deleted, because reports keep pointing at them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import sqlite_utils

from core.db import transaction, utcnow

HEADER = ["email", "name", "slack_user_id", "teams_user_id", "manager_email", "service_area", "roles"]
ROLES = {"communications_manager", "communications", "service_area_manager", "head_of_service", "hr", "admin"}


class DirectoryError(ValueError):
    pass


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    slack_user_id: str = ""
    teams_user_id: str = ""
    manager_email: str = ""
    service_area: str = ""
    roles: frozenset[str] = frozenset()
    active: bool = True

    @property
    def is_comms(self) -> bool:
        return bool(self.roles & {"communications_manager", "communications"})

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & {"admin", "communications_manager", "communications"})


def _person(row: dict) -> Person:
    return Person(
        row["email"],
        row["name"],
        row["slack_user_id"] or "",
        row["teams_user_id"] or "",
        row["manager_email"] or "",
        row["service_area"] or "",
        frozenset(r for r in (row["roles"] or "").split(";") if r),
        bool(row["active"]),
    )


_EXTRA = "\x00extra"  # where csv puts the fields of a row longer than the header


def parse_csv(text: str) -> list[dict]:
    try:
        rows = _parse_csv(text)
    except csv.Error as exc:  # a NUL byte, a quote never closed: not a CSV file TED can trust
        raise DirectoryError(f"not a readable CSV file ({exc})") from exc
    if not rows:  # importing it would mark everyone as having left
        raise DirectoryError("it has the header but nobody in it, so everyone would be marked as left")
    return rows


_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")  # sean.o'brien@… is an address


def _parse_csv(text: str) -> list[dict]:
    lines = _Lines(text.lstrip("\ufeff"))
    reader = csv.DictReader(lines, restkey=_EXTRA, strict=True)
    if [h.strip() for h in (reader.fieldnames or [])] != HEADER:
        raise DirectoryError("the header must be exactly: " + ",".join(HEADER))
    rows, seen, platform_ids = [], set(), {}
    for raw in _rows(reader, lines):
        n = reader.line_num  # the file's own line number (blank lines and quoted line breaks counted)
        if raw.get(_EXTRA):
            raise DirectoryError(f"line {n}: more fields than the header's {len(HEADER)} (a comma in a name?)")
        if any(v is None for k, v in raw.items() if k != _EXTRA):
            # A row cut short would empty that person's roles and ids, admin or communications manager included.
            raise DirectoryError(f"line {n}: fewer fields than the header's {len(HEADER)} (a row cut short?)")
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        email = row["email"].lower()
        if not _EMAIL.match(email):
            raise DirectoryError(f"line {n}: a valid email is required")
        if email in seen:
            raise DirectoryError(f"line {n}: {email} appears twice")
        seen.add(email)
        for col in ("slack_user_id", "teams_user_id"):
            if row.get(col):
                other = platform_ids.setdefault((col, row[col]), email)
                if other != email:
                    raise DirectoryError(f"line {n}: {col} {row[col]} is also {other}'s")
        roles = [r.strip() for r in row["roles"].split(";") if r.strip()]
        unknown = set(roles) - ROLES
        if unknown:
            raise DirectoryError(
                f"line {n}: unknown role(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(ROLES))}"
            )
        manager = row["manager_email"].lower()
        if manager and not _EMAIL.match(manager):
            raise DirectoryError(f"line {n}: manager_email {row['manager_email']!r} is not an email address")
        if manager == email:  # HR exports often list the chief executive so: no manager above them
            manager = ""
            row["_own_manager"] = "yes"
        if any("\x00" in v for v in row.values()):
            raise DirectoryError(f"line {n}: a NUL byte in a field (not text a directory holds)")
        row.update(email=email, manager_email=manager, roles=";".join(roles))
        rows.append(row)
    return rows


def manager_warnings(rows: list[dict]) -> list[str]:
    """What an import allows but routing will notice: a manager who isn't in the file (their reports go without a
    line manager, flagged), and managers who manage each other in a loop (a report would go round it)."""
    manager = {r["email"]: r["manager_email"] for r in rows}
    out = []
    own = [r["email"] for r in rows if r.get("_own_manager")]
    if own:
        out.append(f"given as their own manager, so taken as having none: {', '.join(own[:5])}")
    missing = sorted({m for m in manager.values() if m and m not in manager})
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        out.append(f"managers not in the file (reports from their staff will go without a line manager): {shown}")
    looped: set[str] = set()
    for start in manager:
        seen, at = [], start
        while at and at in manager and at not in seen:
            seen.append(at)
            at = manager[at]
        if at in seen and at not in looped:
            loop = seen[seen.index(at) :]
            looped |= set(loop)
            out.append("managers in a loop (each is another's manager): " + " → ".join([*loop, at]))
    return out


class _Lines:
    """The file's lines for csv, noting where each row starts: the first line that isn't blank since the last
    row was read whole, so a row csv cannot read is named by its own line, blank lines before it counted."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text))
        self.number = 0
        self.start = 0  # where the row being read began; 0 between rows

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        if not self.start and line.strip():
            self.start = self.number
        return line


def _rows(reader: csv.DictReader, lines: _Lines):
    """The reader's rows; a row csv cannot read (a quote never closed, a NUL byte) is named by the line it
    starts on."""
    while True:
        lines.start = 0
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = lines.start or lines.number
            raise DirectoryError(f"line {where}: not readable as CSV ({exc}; a quote never closed?)") from exc
        yield raw


class Directory:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def import_rows(self, rows: list[dict]) -> dict[str, int]:
        """Upsert everyone in *rows*; mark people not in it as left. One transaction."""
        counts = {"added": 0, "updated": 0, "unchanged": 0, "left": 0}
        now = utcnow()
        with transaction(self.db):
            existing = {r["email"]: r for r in self.db["people"].rows}
            for row in rows:
                row = {k: v for k, v in row.items() if not k.startswith("_")}  # parse notes, not columns
                old = existing.get(row["email"])
                same = (
                    old is not None and old["active"] and all((old.get(k) or "") == (v or "") for k, v in row.items())
                )
                counts["added" if old is None else "unchanged" if same else "updated"] += 1
                if not same:
                    self.db["people"].upsert({**row, "active": 1, "updated_at": now, "left_at": None}, pk="email")
            keep = {r["email"] for r in rows}
            for email, old in existing.items():
                if email not in keep and old["active"]:
                    self.db["people"].update(email, {"active": 0, "left_at": now})
                    counts["left"] += 1
        return counts

    def get(self, email: str) -> Person | None:
        row = self.db.execute("select * from people where email = ?", [email.lower()]).fetchone()
        return _person(self._row(row)) if row else None

    def by_platform_id(self, platform: str, user_id: str) -> Person | None:
        col = {"slack": "slack_user_id", "teams": "teams_user_id", "web": "email"}.get(platform)
        if not col or not user_id:
            return None
        row = self.db.execute(f"select * from people where {col} = ? and active = 1", [user_id]).fetchone()
        return _person(self._row(row)) if row else None

    def with_role(self, role: str, service_area: str | None = None) -> list[Person]:
        out = []
        for row in self.db["people"].rows_where("active = 1", order_by="email"):
            p = _person(row)
            if role in p.roles and (service_area is None or p.service_area.lower() == service_area.lower()):
                out.append(p)
        return out

    def everyone(self, include_left: bool = False) -> list[Person]:
        where = None if include_left else "active = 1"
        return [_person(r) for r in self.db["people"].rows_where(where, order_by="name")]

    def service_areas(self) -> list[str]:
        return sorted({p.service_area for p in self.everyone() if p.service_area})

    def _row(self, row: tuple) -> dict:
        cols = [c.name for c in self.db["people"].columns]
        return dict(zip(cols, row, strict=True))
