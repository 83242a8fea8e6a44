"""A wheel built from the project and installed the ordinary way (not editable) runs everything: the web chat with
its static files, the Teams package from its manifest template, and answers from the bundled policies.

Offline on purpose: the wheel is built with --no-build-isolation (setuptools and wheel come with the test extras)
and installed with --no-index into a fresh venv. That venv borrows only the *dependencies* from the project's
.venv, through a .pth line naming its site-packages: a directory named in a .pth file is added to sys.path but its
own .pth files are not run, so the project's editable install (a .pth hook) stays off, and with the working
directory in a temporary folder and no PYTHONPATH, the source tree is out of sight. Each test checks that TED
really ran from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = (".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache")
APP_ID = "6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PACKAGE_DATA = (
    "bot/web/static/chat.html",
    "bot/web/static/ted.css",
    "bot/web/static/chat.js",
    "bot/teams/manifest.json",
    "handlers/ask/intents.json",
    "knowledge/data/ranking.json",
    "knowledge/data/stopwords.txt",
    "knowledge/data/synonyms.json",
    "knowledge/policies/tdc-social-media-policy.json",
    "knowledge/policies/tdc-social-media-policy.vectors.npz",
)


class Installed:
    def __init__(self, base: Path, wheel: Path, venv: Path):
        self.base, self.wheel, self.venv = base, wheel, venv
        self.python, self.ted = venv / "bin" / "python", venv / "bin" / "ted"

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: no PYTHONPATH, no platform credentials from the caller, TED's files in base."""
        env = {
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.base),
            "LANG": "C.UTF-8",
            "TED_DB": str(self.base / "ted.db"),
        }
        return {**env, **extra}

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=self.base, env=self.env(**env), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    src, dist, venv = base / "src", base / "dist", base / "venv"
    # Built from a copy, so setuptools' build/ and egg-info never land in (or stale files come from) the tree.
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.rmtree(src)
    (wheel,) = dist.glob("ted-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    target = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(target), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # Only now borrow the dependencies (pip above saw none of them, so it never touched the project's .venv).
    site = subprocess.run(
        [str(target), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "ted-test-dependencies.pth").write_text("".join(f"{d}\n" for d in sorted(deps)), "utf-8")
    return Installed(base, wheel, venv)


def test_the_wheel_carries_the_package_data(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert set(PACKAGE_DATA) <= names and "app.py" in names
    # ...and the installed copy is what Python finds, not the source tree.
    probe = (
        "import json, app, bot.web.endpoint as e, bot.teams.package as p\n"
        "from importlib.resources import files\n"
        "print(json.dumps([app.__file__, str(e.STATIC), str(p.TEMPLATE), str(files('knowledge') / 'policies'),\n"
        "                  str(files('handlers.ask') / 'intents.json'), str(files('knowledge.data'))]))"
    )
    found = json.loads(installed.run(str(installed.python), "-c", probe).stdout)
    assert all(Path(f).resolve().is_relative_to(installed.venv.resolve()) for f in found), found
    assert not any(str(ROOT) in f for f in found)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_ted_serve_from_the_wheel_serves_the_chat_page_and_its_static_files(installed):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (installed.base / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(installed.ted), "serve"],
        cwd=installed.base,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=installed.env(TED_HOST="127.0.0.1", TED_PORT=str(port)),
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (installed.base / "serve.log").read_text()
            try:
                status, body = get(base + "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "ted serve did not start"
                time.sleep(0.2)
        assert status == 200 and json.loads(body)["ok"] is True
        status, page = get(base + "/")
        assert status == 200 and "<title>" in page and "/static/ted.css" in page
        status, css = get(base + "/static/ted.css")
        assert status == 200 and css == (ROOT / "bot/web/static/ted.css").read_text("utf-8")
        assert get(base + "/static/chat.js")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_ted_teams_package_from_the_wheel_fills_in_the_manifest_template(installed):
    out = installed.base / "teams" / "ted.zip"
    done = installed.run(
        str(installed.ted),
        "teams",
        "package",
        "--out",
        str(out),
        TEAMS_APP_ID=APP_ID,
        TED_PUBLIC_URL="https://ted.tendring.example",
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        m = json.loads(z.read("manifest.json"))
    assert m["id"] == APP_ID and m["bots"][0]["botId"] == APP_ID and m["validDomains"] == ["ted.tendring.example"]


def test_ted_ask_from_the_wheel_answers_from_the_bundled_policy(installed):
    done = installed.run(
        str(installed.ted),
        "ask",
        "--json",
        "can I add a supplier on my personal facebook?",
        TED_DB=str(installed.base / "ask.db"),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["intent"] == "policy" and answer["citations"][0]["clause"] == "5.13"
