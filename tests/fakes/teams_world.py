"""TED's real server (bot.server.make_app) on 127.0.0.1 port 0 with Teams on, a FakeBotConnector as
every activity's serviceUrl, and staff from sample/directory.csv given Teams ids: their Entra object ids, or
with `TeamsWorld(directory_ids="teams")` their 29: ids (the directory may hold either).

Retries in and out of turns don't really sleep here: each wait they would make is recorded in `waits`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from app import build
from bot.server import make_app
from bot.teams.app import TEAMS
from core.settings import Settings
from handlers.directory import parse_csv
from tests.fakes.bot_connector import FakeBotConnector, TeamsClient, TeamsUser, dumps

SAMPLE = (Path(__file__).resolve().parents[2] / "sample" / "directory.csv").read_text("utf-8")
ALEX = TeamsUser("29:alex", "aad-alex-0001", "Alex Reed")  # a lifeguard; Sam is his line manager
SAM = TeamsUser("29:sam", "aad-sam-0002", "Sam Okafor")
CASEY = TeamsUser("29:casey", "aad-casey-0003", "Casey Morgan")  # the Communications Manager
ROBIN = TeamsUser("29:robin", "aad-robin-0004", "Robin Patel")  # communications team
HARPER = TeamsUser("29:harper", "aad-harper-0005", "Harper Singh")  # HR
STRANGER = TeamsUser("29:stranger", "aad-stranger-9999", "Not In Directory")
TEAMS_IDS = {"alex.lifeguard": ALEX, "sam.leisure": SAM, "casey.comms": CASEY, "robin.press": ROBIN,
             "harper.hr": HARPER}
TEAM = "19:team-general@thread.tacv2"
COMMS_CHANNEL = "19:comms-reports@thread.tacv2"
GOOD = {"category": "abuse_me", "platform": "facebook", "links": "https://facebook.com/tdc/posts/1",
        "account": "@angry_resident", "seen_at": "2026-08-27", "service_area": "Leisure and Tourism",
        "description": "Repeated abusive replies to me under the beach safety post.", "at_risk": "no",
        "wants_hr": "no", "involves_management": "no"}


def directory_rows(ids: str = "aad") -> list[dict]:
    """The sample directory with Teams ids: Entra object ids ("aad") or 29: ids ("teams")."""
    rows = parse_csv(SAMPLE)
    for row in rows:
        user = TEAMS_IDS.get(row["email"].split("@")[0])
        if user:
            row["teams_user_id"] = user.aad if ids == "aad" else user.id
    return rows


class TeamsWorld:
    def __init__(self, directory_ids: str = "aad", **settings):
        self.overrides = settings
        self.directory_ids = directory_ids
        self.connector = FakeBotConnector()
        self.waits: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def __aenter__(self) -> TeamsWorld:
        await self.connector.start()
        settings = dict(teams_allow_unauthenticated=True, public_url="https://ted.example",
                        outbox_interval_seconds=3600, scheduler_interval_seconds=3600)
        settings.update(self.overrides)
        self.ted = build(Settings(**settings), ":memory:")
        self.ted.directory.import_rows(directory_rows(self.directory_ids))
        self.app = make_app(self.ted)
        if TEAMS in self.app:
            endpoint = self.app[TEAMS]
            endpoint.bot.retry = replace(endpoint.bot.retry, sleep=self._sleep)
            endpoint.sender.retry = replace(endpoint.sender.retry, sleep=self._sleep)
        self.server = TestServer(self.app, host="127.0.0.1", port=0)
        await self.server.start_server()
        self.http = aiohttp.ClientSession()
        self.teams = TeamsClient(self.connector.service_url)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.close()
        await self.server.close()
        await self.connector.close()

    async def post(self, activity: dict | bytes, headers: dict | None = None) -> tuple[int, str]:
        h = {"Content-Type": "application/json", **(headers or {})}
        body = activity if isinstance(activity, bytes) else dumps(activity)
        async with self.http.post(self.server.make_url("/api/messages"), data=body, headers=h) as resp:
            return resp.status, await resp.text()

    async def send(self, activity: dict) -> None:
        status, text = await self.post(activity)
        assert status == 200, (status, text)

    async def say(self, user: TeamsUser, text: str, **fields):
        """A personal-chat message; returns TED's last card in that chat."""
        await self.send(self.teams.personal(user, text, **fields))
        return self.connector.to(f"a:dm-{user.aad}")[-1]

    async def install(self, user: TeamsUser) -> None:
        await self.send(self.teams.installed(user))

    async def file_report(self, user: TeamsUser = ALEX, **changes):
        form = await self.say(user, "report")
        await self.send(self.teams.submit(user, form, form.submit("ted.report.submit"), {**GOOD, **changes}))
        return form

    async def deliver(self) -> int:
        return await self.ted.outbox.run_once()

    async def report_card(self, recipient: TeamsUser, reporter: TeamsUser = ALEX):
        """Install TED for `recipient`, file a report as `reporter`, deliver it; the card the recipient got."""
        await self.install(recipient)
        await self.file_report(reporter)
        await self.deliver()
        return self.connector.to(f"a:dm-{recipient.aad}", "send")[-1]
