"""`ted teams package`: the Teams app package IT uploads (manifest.json + two icons in a zip), and
`ted teams channels`: the Teams channels TED holds a reference for (for TED_COMMS_TEAMS_CONVERSATION).

The manifest is bot/teams/manifest.json with ${{…}} filled in (schema v1.16:
https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema). The icons are
drawn here as PNGs with zlib and struct (no imaging library): a 192×192 colour icon and a 32×32 white
outline on transparency, as Teams requires (https://learn.microsoft.com/microsoftteams/platform/concepts/
build-and-test/apps-package#app-icons).
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from core.problems import Problem

TEMPLATE = Path(__file__).resolve().parent / "manifest.json"  # package data: a built wheel carries it
DEFAULT_OUT = "var/teams/ted-teams-app.zip"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
VERSION = re.compile(r"^\d{1,5}\.\d{1,5}\.\d{1,5}$")
ACCENT = (0x1F, 0x4E, 0x79)  # the manifest's accentColor
WHITE = (255, 255, 255)

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG (https://www.w3.org/TR/png/): signature, IHDR, one zlib IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, no filter, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _in_t(x: int, y: int, size: int, inset: float) -> bool:
    """Whether (x, y) is on a letter T drawn inside a square of `size`, `inset` of it left clear all round."""
    u, v = (x + 0.5) / size, (y + 0.5) / size
    lo, hi = inset, 1 - inset
    span = hi - lo
    bar = lo <= u <= hi and lo <= v <= lo + span * 0.22
    stem = 0.5 - span * 0.13 <= u <= 0.5 + span * 0.13 and lo <= v <= hi
    return bar or stem


def color_icon(size: int = 192) -> bytes:
    """Full-bleed accent colour with a white T."""
    return png(size, size, lambda x, y: (*WHITE, 255) if _in_t(x, y, size, 0.25) else (*ACCENT, 255))


def outline_icon(size: int = 32) -> bytes:
    """A white T on transparency (Teams tints it; any other colour is rejected)."""
    return png(size, size, lambda x, y: (*WHITE, 255) if _in_t(x, y, size, 0.12) else (0, 0, 0, 0))


def _fill(node, values: dict[str, str]):
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [
            _fill(v, values)
            for v in node
            if not (isinstance(v, str) and v.startswith("${{") and not values.get(v[3:-2]))
        ]
    if isinstance(node, str):
        return re.sub(r"\$\{\{(\w+)\}\}", lambda m: values.get(m.group(1), ""), node)
    return node


def manifest(app_id: str, version: str = "1.0.0", public_url: str = "") -> dict:
    if not GUID.match(app_id or ""):
        raise ValueError("TEAMS_APP_ID must be the Azure Bot's Microsoft App ID (a GUID) to build the Teams package")
    if not VERSION.match(version):
        raise ValueError(f"the app version must look like 1.0.0, not {version!r}")
    host = urlparse(public_url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        host = ""
    template = json.loads(TEMPLATE.read_text("utf-8"))
    filled = _fill(template, {"TEAMS_APP_ID": app_id.lower(), "APP_VERSION": version, "PUBLIC_HOST": host})
    if host and public_url.startswith("https://"):  # Teams shows this link as the app's privacy policy
        filled["developer"]["privacyUrl"] = f"{public_url.rstrip('/')}/privacy"
    return filled


def build_package(out: Path, app_id: str, version: str = "1.0.0", public_url: str = "") -> Path:
    data = json.dumps(manifest(app_id, version, public_url), ensure_ascii=False, indent=2)
    if out.is_dir():
        raise Problem(f"{out} is a folder: give --out the zip file to write, e.g. {out / 'ted-teams-app.zip'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        z = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    except OSError as exc:
        raise Problem(f"TED cannot write {out} ({exc.strerror}): choose a file in a folder you can write to") from exc
    with z:  # files at the root: Teams rejects folders
        z.writestr("manifest.json", data)
        z.writestr("color.png", color_icon())
        z.writestr("outline.png", outline_icon())
    return out


def teams_command(args, settings, open_db: Callable) -> int:
    if args.action == "package":
        try:
            path = build_package(
                Path(args.out or DEFAULT_OUT), settings.teams_app_id, args.app_version, settings.public_url
            )
        except ValueError as exc:
            print(f"ted: {exc}", file=sys.stderr)
            return 2
        print(f"Teams app package: {path}\nUpload it in the Teams admin centre (Manage apps > Upload new app).")
        return 0
    rows = list(
        open_db().query(
            "select conversation_id, team_id, tenant_id, updated_at from teams_conversations "
            "where kind = 'channel' order by updated_at desc"
        )
    )
    if not rows:
        print("TED has not been added to any Teams channel yet.")
    for r in rows:
        print(
            f"{r['conversation_id']}  team={r['team_id'] or '-'}  tenant={r['tenant_id'] or '-'}  "
            f"seen {r['updated_at']}"
        )
    return 0
