"""A fake Bot Framework Connector (what Teams answers at an activity's serviceUrl) over real HTTP on
127.0.0.1, port 0, recording every call TED makes, plus a Teams client that builds the activities
Teams would POST to TED's /api/messages with that serviceUrl.

- `POST /v3/conversations` opens a 1:1 chat; `POST /v3/conversations/{id}/activities[/{replyTo}]` sends;
  `PUT /v3/conversations/{id}/activities/{activityId}` updates in place;
  `GET /v3/conversations/{id}/pagedmembers` answers the roster in `members[id]`.
- `fail_next(n, status, retry_after, when)` answers the next n calls (those `when(call)` accepts, if given)
  with that status: 429 with Retry-After, 5xx, or 403/404 (TED removed, or not allowed to open a chat).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_ID, BOT_NAME = "28:ted-bot-app-id", "TED"
TENANT = "tenant-tdc-0000"


@dataclass
class Call:
    method: str
    kind: str  # create | send | reply | update | members
    conversation_id: str
    activity_id: str
    body: dict
    headers: dict
    status: int = 200

    @property
    def card(self) -> dict:
        """The Adaptive Card this activity carries ({} when none)."""
        for a in self.body.get("attachments") or []:
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return a["content"]
        return {}

    @property
    def text(self) -> str:
        """Every TextBlock's and RichTextBlock's text in the card, one per line (for assertions)."""
        return "\n".join(block_texts(self.card.get("body", [])))

    @property
    def members(self) -> list[str]:
        """Who a create call opens a 1:1 chat with."""
        return [m.get("id") for m in self.body.get("members") or []]

    def submits(self) -> list[dict]:
        """The data of every Action.Submit on the card, in order."""
        out: list[dict] = []

        def walk(node):
            if isinstance(node, dict):
                if node.get("type") == "Action.Submit":
                    out.append(node["data"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(self.card)
        return out

    def submit(self, action_id: str) -> dict:
        return next(d for d in self.submits() if d["action_id"] == action_id)


def block_texts(node) -> list[str]:
    """The text of every TextBlock, and of every RichTextBlock (its TextRuns joined), in order."""
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            out.append(node.get("text", ""))
        elif node.get("type") == "RichTextBlock":
            out.append("".join(r.get("text", "") for r in node.get("inlines", [])))
            return out
        for v in node.values():
            out += block_texts(v)
    elif isinstance(node, list):
        for v in node:
            out += block_texts(v)
    return out


@dataclass
class FakeBotConnector:
    calls: list[Call] = field(default_factory=list)
    members: dict = field(default_factory=dict)

    def __post_init__(self):
        self._ids = itertools.count(1)
        self._failures: list[tuple[int, str | None, Callable[[Call], bool] | None]] = []
        self._server: TestServer | None = None

    async def start(self) -> FakeBotConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._members)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def service_url(self) -> str:
        return str(self._server.make_url("/"))

    def fail_next(
        self, n: int = 1, status: int = 429, retry_after: str | None = "7", when: Callable[[Call], bool] | None = None
    ) -> None:
        """The next n calls (that `when` accepts) fail with `status`; retry_after=None sends no Retry-After."""
        self._failures += [(status, retry_after, when)] * n

    @property
    def failures_left(self) -> int:
        return len(self._failures)

    def of(self, *kinds: str) -> list[Call]:
        return [c for c in self.calls if c.kind in kinds and c.status < 300]

    def to(self, conversation_id: str, *kinds: str) -> list[Call]:
        return [c for c in self.of(*(kinds or ("send", "reply"))) if c.conversation_id == conversation_id]

    # -- handlers ---------------------------------------------------------------------------------
    async def _record(self, request: web.Request, kind: str) -> Call | web.Response:
        body = await request.json() if request.can_read_body else {}
        call = Call(
            request.method,
            kind,
            request.match_info.get("cid", ""),
            request.match_info.get("aid", ""),
            body,
            dict(request.headers),
        )
        self.calls.append(call)
        for n, (status, retry_after, when) in enumerate(self._failures):
            if when is None or when(call):
                del self._failures[n]
                call.status = status
                headers = {"Retry-After": retry_after} if retry_after is not None else {}
                code = "Throttled" if status == 429 else "Forbidden" if status == 403 else "Failed"
                return web.json_response(
                    {"error": {"code": code, "message": "refused"}}, status=status, headers=headers
                )
        return call

    async def _create(self, request: web.Request) -> web.Response:
        call = await self._record(request, "create")
        if isinstance(call, web.Response):
            return call
        conversation_id = f"a:1on1-{next(self._ids)}"
        call.conversation_id = conversation_id
        return web.json_response({"id": conversation_id, "serviceUrl": self.service_url}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        call = await self._record(request, "reply" if "aid" in request.match_info else "send")
        if isinstance(call, web.Response):
            return call
        call.activity_id = f"msg-{next(self._ids)}"
        return web.json_response({"id": call.activity_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        call = await self._record(request, "update")
        return call if isinstance(call, web.Response) else web.json_response({"id": call.activity_id})

    async def _members(self, request: web.Request) -> web.Response:
        call = await self._record(request, "members")
        if isinstance(call, web.Response):
            return call
        # The last page has no continuationToken (the Agents SDK's models refuse a null one; botbuilder takes either).
        return web.json_response({"members": self.members.get(call.conversation_id, [])})


@dataclass(frozen=True)
class TeamsUser:
    id: str  # 29:…
    aad: str  # the Entra object id, as in people.teams_user_id
    name: str


class TeamsClient:
    """Builds activities as Teams sends them (https://learn.microsoft.com/microsoftteams/platform/bots/
    how-to/conversations/conversation-basics)."""

    def __init__(self, service_url: str, tenant: str = TENANT):
        self.service_url = service_url
        self.tenant = tenant
        self._ids = itertools.count(1000)

    def activity(
        self,
        user: TeamsUser,
        conversation_id: str,
        kind: str = "message",
        conversation_type: str = "personal",
        tenant: str | None = None,
        team: str = "",
        **fields,
    ) -> dict:
        tenant = self.tenant if tenant is None else tenant
        channel_data: dict = {"tenant": {"id": tenant}}
        if team:
            channel_data |= {
                "team": {"id": team, "name": "Communications"},
                "channel": {"id": conversation_id.split(";")[0], "name": "General"},
            }
        body = {
            "type": kind,
            "id": str(next(self._ids)),
            "timestamp": "2026-08-28T15:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "conversation": {
                "id": conversation_id,
                "conversationType": conversation_type,
                "tenantId": tenant,
                **({"isGroup": True} if conversation_type != "personal" else {}),
            },
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "channelData": channel_data,
            "locale": "en-GB",
        }
        body.update({k: v for k, v in fields.items() if v is not None})
        return body

    def personal(self, user: TeamsUser, text: str, **kw) -> dict:
        return self.activity(user, f"a:dm-{user.aad}", text=text, textFormat="plain", **kw)

    def mention(self, user: TeamsUser, channel: str, text: str, thread: str = "", **kw) -> dict:
        conversation = f"{channel};messageid={thread}" if thread else channel
        entity = {"type": "mention", "text": f"<at>{BOT_NAME}</at>", "mentioned": {"id": BOT_ID, "name": BOT_NAME}}
        return self.activity(
            user,
            conversation,
            conversation_type="channel",
            team="19:team-general@thread.tacv2",
            text=f"<at>{BOT_NAME}</at> {text}",
            entities=[entity],
            **kw,
        )

    def submit(self, user: TeamsUser, card: Call, data: dict, inputs: dict | None = None, **kw) -> dict:
        """Pressing an Action.Submit on `card`: Teams merges the card's inputs into the data."""
        conversation_type = "channel" if card.conversation_id.startswith("19:") else "personal"
        extra = {"team": "19:team-general@thread.tacv2"} if conversation_type == "channel" else {}
        return self.activity(
            user,
            card.conversation_id,
            conversation_type=conversation_type,
            replyToId=card.activity_id,
            value={**data, **(inputs or {})},
            **extra,
            **kw,
        )

    def installed(self, user: TeamsUser, conversation_id: str = "", team: str = "", **kw) -> dict:
        if team:
            return self.activity(
                user,
                team,
                kind="conversationUpdate",
                conversation_type="channel",
                team=team,
                membersAdded=[{"id": BOT_ID}],
                **kw,
            )
        return self.activity(
            user, conversation_id or f"a:dm-{user.aad}", kind="conversationUpdate", membersAdded=[{"id": BOT_ID}], **kw
        )


def dumps(activity: dict) -> bytes:
    return json.dumps(activity).encode()
