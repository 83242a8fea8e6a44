"""TED's real server (bot.server.make_app) on 127.0.0.1 port 0 with the sample directory, and browsers that
talk to its web chat API over HTTP: each Browser has its own cookie jar, so it is its own session.

People are email addresses; `as_` is a person (their browser: the first `w.browser(email)` opened, or a new
one signed in as them) or a particular Browser (a guest, one behind a proxy header)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import aiohttp

from bot.server import make_app
from bot.web.endpoint import WEB
from chat import actions
from handlers.directory import parse_csv
from tests.fakes.world import GOOD_REPORT, SAMPLE_DIRECTORY, World

ALEX = "alex.lifeguard@tendring.example"  # staff; line manager Sam
SAM = "sam.leisure@tendring.example"  # Alex's line manager
CASEY = "casey.comms@tendring.example"  # Communications Manager and admin
JAMIE = "jamie.crew@tendring.example"  # unrelated member of staff
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Browser:
    """One browser session: a cookie jar and the CSRF token the page would hold."""

    def __init__(self, base: str, headers: dict | None = None):
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers=headers or {})
        self.csrf = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kw) -> tuple[int, object]:
        async with self.http.get(self.base + path, allow_redirects=False, **kw) as r:
            if r.content_type == "application/json":
                return r.status, await r.json()
            return r.status, await (r.read() if r.content_type.startswith("image/") else r.text())

    async def post(self, path: str, body: object = None, csrf: bool = True, **kw) -> tuple[int, object]:
        headers = {**({"X-CSRF-Token": self.csrf} if csrf else {}), **kw.pop("headers", {})}
        if body is not None and "data" not in kw:
            kw["json"] = body
        async with self.http.post(self.base + path, headers=headers, **kw) as r:
            out = await r.json() if r.content_type == "application/json" else await r.text()
            return r.status, out

    async def me(self) -> dict:
        status, me = await self.get("/api/me")
        assert status == 200, me
        self.csrf = me["csrf_token"]
        return me

    async def sign_in(self, email: str) -> dict:
        await self.me()
        status, me = await self.post("/api/identity", {"email": email})
        assert status == 200, me
        self.csrf = me["csrf_token"]
        return me


class WebWorld(World):
    def __init__(self, **settings):
        super().__init__(**settings)
        self.browsers: list[Browser] = []
        self.people: dict[str, Browser] = {}  # each person's first browser: who `as_=email` means

    async def __aenter__(self) -> WebWorld:
        self.tmp = tempfile.TemporaryDirectory()
        self.build_ted({"web_upload_dir": str(Path(self.tmp.name) / "uploads")})
        self.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
        await self.serve(make_app(self.ted, pool=self.pool()))
        return self

    async def __aexit__(self, *exc) -> None:
        for b in self.browsers:
            await b.close()
        await super().__aexit__(*exc)
        self.tmp.cleanup()

    @property
    def web(self):
        return self.app[WEB]

    async def browser(self, email: str = "", headers: dict | None = None) -> Browser:
        """A new browser session: signed in as `email`, or a guest."""
        b = Browser(self.base, headers)
        self.browsers.append(b)
        if email:
            await b.sign_in(email)
            self.people.setdefault(email, b)
        else:
            await b.me()
        return b

    async def session(self, as_: str | Browser) -> Browser:
        if isinstance(as_, Browser):
            return as_
        return self.people.get(as_) or await self.browser(as_)

    # -- the vocabulary (tests/fakes/__init__.py) ---------------------------------------------
    async def ask(self, text: str, as_: str | Browser = ALEX) -> list[dict]:
        """A message in the web chat; TED's replies (web JSON)."""
        status, body = await (await self.session(as_)).post("/api/chat", {"text": text})
        assert status == 200, body
        return body["replies"]

    async def press(self, action_id: str, value: str = "", *, as_: str | Browser = ALEX) -> tuple[int, dict]:
        """A button: the page sends its action id and value; the answer's status and body."""
        return await (await self.session(as_)).post("/api/action", {"action_id": action_id, "value": value, "form": {}})

    async def submit(self, form: dict, values: dict, as_: str | Browser = ALEX) -> tuple[int, dict]:
        """Sends the form `form` (a reply's form: its form_id and private_metadata) filled with `values`."""
        body = {"action_id": form["form_id"], "value": form.get("private_metadata", ""), "form": values}
        return await (await self.session(as_)).post("/api/action", body)

    async def open_report(self, text: str = "", as_: str | Browser = ALEX) -> dict:
        """The "Report it" button (with `text` to start the description from): the report form."""
        status, body = await self.press(actions.REPORT_OPEN, text, as_=as_)
        assert status == 200, body
        return body["replies"][0]["form"]

    async def file_report(self, as_: str | Browser = ALEX, **changes) -> tuple[int, dict]:
        """The whole report flow: open the form, submit GOOD_REPORT with `changes`; the submission's answer."""
        return await self.submit(await self.open_report(as_=as_), {**GOOD_REPORT, **changes}, as_=as_)

    async def inbox(self, person: str | Browser) -> list[dict]:
        """What TED has sent to `person`'s web inbox (the messages of /api/inbox)."""
        status, body = await (await self.session(person)).get("/api/inbox")
        assert status == 200, body
        return body["messages"]


web_test = WebWorld.test
