"""The seam between TED's Teams adapter and the SDK that carries it, chosen by TEAMS_SDK: botbuilder (the Bot
Framework SDK, archived) in bot.teams.sdk_botbuilder, or the Microsoft 365 Agents SDK in bot.teams.sdk_agents.

A binding does only what needs an SDK: read an inbound activity and authenticate it, run a turn (handing TED a
TurnIO), and reach the Bot Connector from outside a turn (open a 1:1 chat, continue a conversation). Everything
it takes and gives is the Bot Framework's wire JSON (bot.teams.activity), and its failures are
bot.teams.retry's ConnectorError and NoAnswer, so cards, card submits, references, delivery, the sender, the
report flow and the tenant check are written once, SDK-free.

Each SDK module is imported only when Teams is on and names it (bot.teams.app.load_binding): the server imports
bot.teams.app only then, and bot/teams/__init__.py imports nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.teams.activity import TeamsActivity

LABELS = {"botbuilder": "Teams on botbuilder", "agents": "Teams on the Agents SDK"}


class Unauthenticated(Exception):
    """An inbound request whose token is missing or not valid for TED (a 401). Its text never holds the token."""


@dataclass(frozen=True)
class Inbound:
    """One POSTed activity: as Teams sent it (what TED's code reads), and as the binding's SDK parsed it."""

    body: dict
    activity: Any


class TurnIO(Protocol):
    """What a turn can do, for the activity that started it."""

    activity: TeamsActivity

    async def reply(self, activity: dict) -> str:
        """Post `activity` in this conversation, in reply to the inbound activity; the new activity's id."""

    async def update(self, conversation_id: str, activity_id: str, activity: dict) -> None:
        """Replace the activity `activity_id` in `conversation_id` (this conversation or another) in place."""

    async def send(self, conversation_id: str, activity: dict) -> str:
        """Post `activity` (its from/recipient already set) as a new message in another conversation; its id."""

    async def members(self, conversation_id: str, token: str | None) -> tuple[list[dict], str | None]:
        """One page of a team's (or a chat's) members, and the token for the next page (None at the end)."""


Handler = Callable[[TurnIO], Awaitable[None]]


class Binding(Protocol):
    name: str  # "botbuilder" | "agents" (TEAMS_SDK)

    def parse(self, body: dict) -> Inbound:
        """The SDK's reading of a JSON activity; raises when the SDK does not take it for one."""

    async def authenticate(self, inbound: Inbound, header: str | None) -> Any:
        """The caller's identity, from the Authorization header; raises Unauthenticated. Unauthenticated mode
        (TEAMS_ALLOW_UNAUTHENTICATED, loopback only) ignores the header."""

    async def process(self, identity: Any, inbound: Inbound, handler: Handler) -> tuple[int, Any] | None:
        """Run the turn; an invoke's (status, body) when the SDK answers one, else None."""

    async def create_conversation(self, service_url: str, parameters: dict) -> str:
        """Open a conversation (ConversationParameters JSON) at `service_url`; its id."""

    async def send(self, ref: dict, activity: dict) -> str:
        """Continue the conversation of `ref` (ConversationReference JSON): post `activity` as a new message."""

    async def update(self, ref: dict, activity_id: str, activity: dict) -> None:
        """Continue the conversation of `ref`: replace the activity `activity_id` in place."""
