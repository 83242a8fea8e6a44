"""Screenshots attached to reports from the web chat.

Each upload is an image (PNG, JPEG, GIF or WebP, recognised by its first bytes, never by the name or the
browser's say-so), at most MAX_BYTES, stored under a random name in one folder with a small JSON sidecar
(who uploaded it, the original name, type, size). The report keeps {id, name, mimetype, size, url} in its
attachments, as the Slack adapter keeps Slack's file ids. Only the uploader, the report's recipients and the
communications team may fetch one back.

The database's `uploads` table is the ledger: each person may store at most TED_UPLOAD_QUOTA_COUNT screenshots
and TED_UPLOAD_QUOTA_MB megabytes an hour, and the scheduler removes a screenshot no report refers to once it is
TED_UPLOAD_ORPHAN_HOURS old (`sweep`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import sqlite_utils
from aiohttp import BodyPartReader

from bot.web.html import NOT_TEXT
from core.db import utcnow
from handlers import messages

log = logging.getLogger("ted.web.uploads")
MAX_BYTES = 5 * 1024 * 1024
MB = 1024 * 1024
MAX_NAME = 120
_ID = re.compile(r"^[A-Za-z0-9_-]{24}$")
_NAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\<>:\"|?*\u202a-\u202e\u2066-\u2069]")
KINDS = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class UploadError(ValueError):
    """A polite reason the upload was refused."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def sniff(head: bytes) -> str:
    for magic, mimetype in KINDS:
        if head.startswith(magic):
            return mimetype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def safe_name(name: str | None) -> str:
    """The file's own name, fit to store and show: no folders, no control or bidi characters, no bytes that were
    never text, and at most MAX_NAME characters with its extension kept ("….png")."""
    raw = NOT_TEXT.sub("", unquote(name or "", errors="replace"))  # a name that was never UTF-8
    base = _NAME_BAD.sub("", os.path.basename(raw.replace("\\", "/"))).strip(" ")
    stem, dot, ext = base.rpartition(".")
    if not (dot and 0 < len(ext) <= 10 and ext.isalnum()):
        return base.strip(" .")[:MAX_NAME] or "screenshot"
    stem = stem.strip(" .") or "screenshot"
    return f"{stem[: MAX_NAME - len(ext) - 1]}.{ext}"


EXTENSIONS = {"image/png": ("png",), "image/jpeg": ("jpg", "jpeg"), "image/gif": ("gif",), "image/webp": ("webp",)}


def named_as(name: str, mimetype: str) -> str:
    """The name with the extension of what the file is ("shot.exe" holding a PNG is "shot.png"), so whoever opens
    the copy they download gets what the name says."""
    stem, dot, ext = name.rpartition(".")
    allowed = EXTENSIONS.get(mimetype, ())
    if not allowed or (dot and ext.lower() in allowed):
        return name
    return f"{stem if dot else name}.{allowed[0]}"


def default_folder(db: sqlite_utils.Database) -> Path:
    """Beside the database file ("uploads"), or a fresh temporary folder for an in-memory database."""
    for _, name, file in db.execute("pragma database_list").fetchall():
        if name == "main" and file:
            return Path(file).resolve().parent / "uploads"
    return Path(tempfile.mkdtemp(prefix="ted-uploads-"))


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


class UploadStore:
    def __init__(
        self,
        folder: Path,
        db: sqlite_utils.Database,
        max_bytes: int = MAX_BYTES,
        quota_count: int = 0,
        quota_mb: float = 0,
    ):
        """`quota_count` / `quota_mb`: per person per hour; 0 means no limit."""
        self.folder = Path(folder)
        self.db = db
        self.max_bytes = max_bytes
        self.quota_count = quota_count
        self.quota_bytes = int(quota_mb * MB)

    def used(self, owner: str, now: datetime | None = None) -> tuple[int, int]:
        """How many screenshots, and bytes, *owner* stored in the hour before *now*."""
        since = _iso((now or datetime.now(UTC)) - timedelta(hours=1))
        n, total = self.db.execute(
            "select count(*), coalesce(sum(size), 0) from uploads where owner = ? and uploaded_at > ?", [owner, since]
        ).fetchone()
        return n, total

    def allowance(self, owner: str) -> int:
        """The most bytes *owner*'s next screenshot may have; UploadError (429) when their hour's quota is spent."""
        n, total = self.used(owner)
        room = self.max_bytes if not self.quota_bytes else min(self.max_bytes, self.quota_bytes - total)
        if (self.quota_count and n >= self.quota_count) or room <= 0:
            raise self.quota_error(n, total)
        return room

    def quota_error(self, n: int, total: int) -> UploadError:
        log.info("upload refused: hourly quota reached count=%s bytes=%s", n, total)
        return UploadError(messages.WEB_UPLOAD_QUOTA.format(count=n, mb=f"{total / MB:.1f}"), 429)

    def _paths(self, upload_id: str) -> tuple[Path, Path] | None:
        if not isinstance(upload_id, str) or not _ID.match(upload_id):
            return None
        return self.folder / f"{upload_id}.img", self.folder / f"{upload_id}.json"

    async def save(self, part: BodyPartReader, owner: str) -> dict:
        """Stream one multipart file part to disk; refuse it (and keep nothing) if it is too big, no image, or
        more than is left of the person's hourly quota."""
        room = self.allowance(owner)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        upload_id = secrets.token_urlsafe(18)
        data_path, meta_path = self._paths(upload_id)
        tmp = self.folder / f".{upload_id}.part"
        size, head = 0, b""
        try:
            with open(tmp, "wb") as out:
                while chunk := await part.read_chunk(64 * 1024):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise UploadError(messages.WEB_UPLOAD_TOO_BIG.format(mb=self.max_bytes // MB), 413)
                    if size > room:
                        raise self.quota_error(*self.used(owner))
                    if len(head) < 16:
                        head = (head + chunk)[:16]
                    out.write(chunk)
            mimetype = sniff(head)
            if not size or not mimetype:
                raise UploadError(messages.WEB_UPLOAD_NOT_IMAGE)
            meta = {
                "id": upload_id,
                "name": named_as(safe_name(part.filename), mimetype),
                "mimetype": mimetype,
                "size": size,
                "owner": owner,
                "uploaded_at": utcnow(),
            }
            self.db["uploads"].insert(
                {"id": upload_id, "owner": owner, "size": size, "uploaded_at": meta["uploaded_at"], "kept": 0}
            )
            os.replace(tmp, data_path)
        finally:
            tmp.unlink(missing_ok=True)
        meta_path.write_text(json.dumps(meta), "utf-8")
        return meta

    def meta(self, upload_id: str) -> dict | None:
        paths = self._paths(upload_id)
        if paths is None or not paths[0].is_file() or not paths[1].is_file():
            return None
        try:
            return json.loads(paths[1].read_text("utf-8"))
        except ValueError as exc:  # a damaged sidecar: the upload is treated as missing
            log.warning("upload id=%s: its metadata is unreadable error=%s", upload_id, type(exc).__name__)
            return None

    def data_path(self, upload_id: str) -> Path | None:
        paths = self._paths(upload_id)
        return paths[0] if paths and paths[0].is_file() else None

    def remove(self, upload_id: str) -> None:
        """Delete an upload (retention purge, or never attached); unknown ids are ignored."""
        paths = self._paths(upload_id)
        for path in paths or ():
            path.unlink(missing_ok=True)
        if paths:
            self.db.execute("delete from uploads where id = ?", [upload_id])

    def sweep(self, older_than: datetime, attached: Callable[[str], bool]) -> int:
        """Remove screenshots uploaded before *older_than* that no report refers to (someone attached one and never
        sent the form); those a report does refer to are marked kept and not looked at again. Returns how many
        were removed."""
        removed = 0
        for (upload_id,) in self.db.execute(
            "select id from uploads where kept = 0 and uploaded_at < ?", [_iso(older_than)]
        ).fetchall():
            if attached(upload_id):
                self.db.execute("update uploads set kept = 1 where id = ?", [upload_id])
            else:
                self.remove(upload_id)
                removed += 1
        return removed

    def adopt(self) -> int:
        """Enter screenshots stored before the ledger existed (their sidecars say who and when) in the ledger, so
        the quota counts them and the sweep looks at them."""
        if not self.folder.is_dir():
            return 0
        known = {r[0] for r in self.db.execute("select id from uploads")}
        rows = []
        for sidecar in self.folder.glob("*.json"):
            if sidecar.stem not in known and (m := self.meta(sidecar.stem)):
                rows.append(
                    {
                        "id": m["id"],
                        "owner": m.get("owner", ""),
                        "size": int(m.get("size", 0)),
                        "uploaded_at": m.get("uploaded_at", ""),
                        "kept": 0,
                    }
                )
        if rows:
            self.db["uploads"].insert_all(rows, ignore=True)
        return len(rows)

    def attachments(self, ids: list[str], owner: str) -> list[dict]:
        """What a report keeps for each upload id; UploadError if one is unknown or someone else's."""
        out = []
        for upload_id in ids:
            m = self.meta(upload_id)
            if m is None or m.get("owner") != owner:
                raise UploadError(messages.WEB_UPLOAD_MISSING)
            out.append(
                {
                    "id": m["id"],
                    "name": m["name"],
                    "mimetype": m["mimetype"],
                    "size": m["size"],
                    "url": f"/uploads/{m['id']}",
                }
            )
        return out
