"""The Slack app manifest asks for least privilege, matches what TED handles, and the README explains it."""

import re
from pathlib import Path

from app import build
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = (ROOT / "manifest" / "slack.yml").read_text("utf-8")
README = (ROOT / "README.md").read_text("utf-8")


def _list_after(key: str) -> list[str]:
    """The `- item` lines under `key:` in the manifest (a tiny YAML subset; no YAML library needed)."""
    lines = MANIFEST.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip().startswith("- "):
            out.append(line.strip()[2:])
    return out


def test_scopes_are_least_privilege_and_each_is_explained():
    scopes = _list_after("bot")
    assert sorted(scopes) == sorted(
        ["app_mentions:read", "chat:write", "commands", "im:history", "im:write", "files:read"]
    )
    slack = README.split("## Slack", 1)[1].split("\n## ", 1)[0]
    for scope in scopes:
        assert re.search(rf"^\| `{re.escape(scope)}` \| \w", slack, re.M), f"README does not explain {scope}"


def test_events_commands_and_urls_match_what_ted_handles():
    assert sorted(_list_after("bot_events")) == ["app_home_opened", "app_mention", "message.im"]
    commands = re.findall(r"- command: (\S+)", MANIFEST)
    assert commands == ["/ted", "/report"]
    router = build(Settings(), ":memory:").router
    assert set(commands) <= set(router.commands)
    urls = re.findall(r"(?:url|request_url): (\S+)", MANIFEST)
    assert len(urls) == 4 and all(u.endswith("/slack/events") for u in urls)
    assert "messages_tab_enabled: true" in MANIFEST and "home_tab_enabled: true" in MANIFEST
    assert "is_enabled: true" in MANIFEST


def test_readme_walks_through_http_and_socket_mode():
    slack = README.split("## Slack", 1)[1].split("\n## ", 1)[0]
    for needle in (
        "HTTP mode",
        "Socket Mode",
        "manifest/slack.yml",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "connections:write",
        "/invite @TED",
        "channels on: web chat, Slack HTTP",
    ):
        assert needle in slack, needle
