"""TED's real server (bot.server.make_app) on 127.0.0.1 port 0 with Teams on, a FakeBotConnector as
every activity's serviceUrl, and staff from sample/directory.csv given Teams ids: their Entra object ids, or
with `TeamsWorld(directory_ids="teams")` their 29: ids (the directory may hold either).

Retries in and out of turns don't really sleep here: each wait they would make is recorded in `waits`.

Every `teams_test` runs twice, once per SDK binding (TEAMS_SDK=botbuilder and =agents): the same test, the same
fake Bot Connector, through pytest's `teams_binding` fixture (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import functools
import inspect
from dataclasses import replace

from bot.server import make_app
from bot.teams.app import TEAMS
from handlers.directory import parse_csv
from tests.fakes.bot_connector import Call, FakeBotConnector, TeamsClient, TeamsUser, dumps
from tests.fakes.world import GOOD_REPORT, SAMPLE_DIRECTORY, World

ALEX = TeamsUser("29:alex", "aad-alex-0001", "Alex Reed")  # a lifeguard; Sam is his line manager
SAM = TeamsUser("29:sam", "aad-sam-0002", "Sam Okafor")
CASEY = TeamsUser("29:casey", "aad-casey-0003", "Casey Morgan")  # the Communications Manager
ROBIN = TeamsUser("29:robin", "aad-robin-0004", "Robin Patel")  # communications team
HARPER = TeamsUser("29:harper", "aad-harper-0005", "Harper Singh")  # HR
STRANGER = TeamsUser("29:stranger", "aad-stranger-9999", "Not In Directory")
TEAMS_IDS = {
    "alex.lifeguard": ALEX,
    "sam.leisure": SAM,
    "casey.comms": CASEY,
    "robin.press": ROBIN,
    "harper.hr": HARPER,
}
TEAM = "19:team-general@thread.tacv2"
COMMS_CHANNEL = "19:comms-reports@thread.tacv2"


def directory_rows(ids: str = "aad") -> list[dict]:
    """The sample directory with Teams ids: Entra object ids ("aad") or 29: ids ("teams")."""
    rows = parse_csv(SAMPLE_DIRECTORY)
    for row in rows:
        user = TEAMS_IDS.get(row["email"].split("@")[0])
        if user:
            row["teams_user_id"] = user.aad if ids == "aad" else user.id
    return rows


def dm_chat(person: TeamsUser) -> str:
    """The personal chat's conversation id, as the Teams client here names it."""
    return f"a:dm-{person.aad}"


class TeamsWorld(World):
    def __init__(self, directory_ids: str = "aad", **settings):
        super().__init__(**settings)
        self.directory_ids = directory_ids
        self.connector = FakeBotConnector()
        self.waits: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def __aenter__(self) -> TeamsWorld:
        await self.connector.start()
        self.build_ted(
            dict(
                teams_allow_unauthenticated=True,
                public_url="https://ted.example",
                outbox_interval_seconds=3600,
                scheduler_interval_seconds=3600,
            )
        )
        self.ted.directory.import_rows(directory_rows(self.directory_ids))
        app = make_app(self.ted, pool=self.pool())
        if TEAMS in app:
            endpoint = app[TEAMS]
            endpoint.bot.retry = replace(endpoint.bot.retry, sleep=self._sleep)
            endpoint.sender.retry = replace(endpoint.sender.retry, sleep=self._sleep)
        await self.serve(app)
        self.teams = TeamsClient(self.connector.service_url)
        return self

    async def __aexit__(self, *exc) -> None:
        await super().__aexit__(*exc)
        await self.connector.close()

    # -- raw activities -----------------------------------------------------------------------
    async def post(self, activity: dict | bytes, headers: dict | None = None) -> tuple[int, str]:
        h = {"Content-Type": "application/json", **(headers or {})}
        body = activity if isinstance(activity, bytes) else dumps(activity)
        async with self.http.post(self.url("/api/messages"), data=body, headers=h) as resp:
            return resp.status, await resp.text()

    async def send(self, activity: dict) -> None:
        status, text = await self.post(activity)
        assert status == 200, (status, text)

    # -- the vocabulary (tests/fakes/__init__.py) ---------------------------------------------
    async def ask(self, text: str, as_: TeamsUser = ALEX, **fields) -> Call:
        """A personal-chat message; returns TED's last card in that chat."""
        await self.send(self.teams.personal(as_, text, **fields))
        return (await self.inbox(as_))[-1]

    async def mention(self, text: str, as_: TeamsUser = ALEX, channel: str = TEAM, thread: str = "") -> None:
        """@TED in a channel (in the reply chain `thread`, if given)."""
        await self.send(self.teams.mention(as_, channel, text, thread=thread))

    async def press(self, action_id: str, *, on: Call, as_: TeamsUser = ALEX) -> None:
        """Presses the Action.Submit with that action id on the card `on`."""
        await self.send(self.teams.submit(as_, on, on.submit(action_id)))

    async def submit(self, form: Call, values: dict, as_: TeamsUser = ALEX) -> None:
        """Sends the form card `form` (its one Action.Submit marked "form") with its inputs set to `values`."""
        data = next(d for d in form.submits() if d.get("form"))
        await self.send(self.teams.submit(as_, form, data, values))

    async def open_report(self, as_: TeamsUser = ALEX) -> Call:
        """Types "report": the report form card."""
        return await self.ask("report", as_=as_)

    async def file_report(self, as_: TeamsUser = ALEX, **changes) -> Call:
        """The whole report flow: open the form, submit GOOD_REPORT with `changes`; returns the form card."""
        form = await self.open_report(as_=as_)
        await self.submit(form, {**GOOD_REPORT, **changes}, as_=as_)
        return form

    async def inbox(self, person: TeamsUser, *kinds: str) -> list[Call]:
        """What TED has sent in its personal chat with `person`: replies and proactive sends, or just `kinds`."""
        return self.connector.to(dm_chat(person), *kinds)

    # -- Teams only ---------------------------------------------------------------------------
    async def install(self, person: TeamsUser, team: str = "") -> None:
        """The person adds TED (to `team`, if given): a welcome, and what TED needs to message them later."""
        await self.send(self.teams.installed(person, team=team))

    async def report_card(self, recipient: TeamsUser, reporter: TeamsUser = ALEX) -> Call:
        """Install TED for `recipient`, file a report as `reporter`, deliver it; the card the recipient got."""
        await self.install(recipient)
        await self.file_report(as_=reporter)
        await self.deliver()
        return (await self.inbox(recipient, "send"))[-1]

    @classmethod
    def test(cls, **settings):
        """World.test, once per SDK binding: the test takes the `teams_binding` fixture (and may name it itself)."""

        def deco(fn):
            params = list(inspect.signature(fn).parameters.values())[1:]
            wants_binding = any(p.name == "teams_binding" for p in params)

            @functools.wraps(fn)
            def test(teams_binding, *args, **kwargs):
                async def main():
                    async with cls(**{"teams_sdk": teams_binding, **settings}) as world:
                        extra = {"teams_binding": teams_binding} if wants_binding else {}
                        await fn(world, *args, **kwargs, **extra)

                asyncio.run(main())

            binding = inspect.Parameter("teams_binding", inspect.Parameter.POSITIONAL_OR_KEYWORD)
            test.__signature__ = inspect.Signature([binding, *(p for p in params if p.name != "teams_binding")])
            return test

        return deco


teams_test = TeamsWorld.test
