"""`ted teams package` and `ted teams channels`; which Teams mode the settings allow."""

import json
import struct
import zipfile
import zlib

import pytest

from app import main
from bot.teams.config import AUTHENTICATED, UNAUTHENTICATED, is_loopback, teams_mode
from bot.teams.package import color_icon, manifest, outline_icon
from core.settings import Settings

APP_ID = "6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA bytes), checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + width * 4
    return width, height, [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]


def test_icons_are_the_sizes_teams_wants():
    w, h, rows = decode_png(color_icon())
    assert (w, h) == (192, 192)
    assert rows[0][:4] == bytes((0x1F, 0x4E, 0x79, 255)) and rows[96][96 * 4 : 96 * 4 + 4] == b"\xff\xff\xff\xff"
    w, h, rows = decode_png(outline_icon())
    assert (w, h) == (32, 32)
    pixels = {bytes(r[i : i + 4]) for r in rows for i in range(0, len(r), 4)}
    assert pixels == {b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"}  # white on transparency, nothing else


def test_manifest_is_filled_in():
    m = manifest(APP_ID.upper(), "1.2.3", "https://ted.tendring.example")
    assert m["manifestVersion"] == "1.16" and m["version"] == "1.2.3" and m["id"] == APP_ID
    (bot,) = m["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team", "groupChat"]
    assert "report" in [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert m["validDomains"] == ["ted.tendring.example"]
    assert m["developer"]["privacyUrl"] == "https://ted.tendring.example/privacy"  # TED's own privacy notice
    assert "${{" not in json.dumps(m)
    assert manifest(APP_ID)["validDomains"] == []
    with pytest.raises(ValueError, match="GUID"):
        manifest("not-a-guid")


def test_ted_teams_package_writes_a_zip_ready_to_upload(tmp_path, monkeypatch, capsys):
    out = tmp_path / "ted.zip"
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TED_PUBLIC_URL", "https://ted.tendring.example")
    assert main(["teams", "package", "--out", str(out), "--app-version", "1.0.1"]) == 0
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(z.read("manifest.json"))["bots"][0]["botId"] == APP_ID
    assert str(out) in capsys.readouterr().out
    monkeypatch.delenv("TEAMS_APP_ID")
    assert main(["teams", "package", "--out", str(out)]) == 2
    assert "TEAMS_APP_ID" in capsys.readouterr().err


def test_ted_teams_channels_lists_what_ted_was_added_to(tmp_path, capsys):
    db = tmp_path / "ted.db"
    assert main(["teams", "channels", "--db", str(db)]) == 0
    assert "not been added" in capsys.readouterr().out


@pytest.mark.parametrize(
    "settings,mode,why",
    [
        (dict(), "", "TEAMS_APP_ID and TEAMS_APP_PASSWORD are not set"),
        (dict(teams_app_id=APP_ID), "", "needs TEAMS_APP_PASSWORD, TEAMS_TENANT_ID"),
        (dict(teams_app_id=APP_ID, teams_app_password="pw"), "", "SingleTenant needs TEAMS_TENANT_ID"),
        (dict(teams_app_id=APP_ID, teams_app_password="pw", teams_tenant_id="t"), AUTHENTICATED, ""),
        (dict(teams_app_id=APP_ID, teams_app_password="pw", teams_app_type="MultiTenant"), AUTHENTICATED, ""),
        (dict(teams_app_id=APP_ID, teams_app_password="pw", teams_app_type="Nonsense"), "", "TEAMS_APP_TYPE"),
        (dict(teams_allow_unauthenticated=True), UNAUTHENTICATED, ""),
        (dict(teams_allow_unauthenticated=True, host="::1"), UNAUTHENTICATED, ""),
        (dict(teams_allow_unauthenticated=True, host="0.0.0.0"), "", "TED_HOST=0.0.0.0 is not a loopback"),
        (dict(teams_allow_unauthenticated=True, host="ted.tendring.example"), "", "not a loopback"),
    ],
)
def test_teams_mode(settings, mode, why):
    got, reason = teams_mode(Settings(**settings))
    assert got == mode and why in reason


def test_loopback():
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "::", "example.org"]))
