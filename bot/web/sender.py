"""The outbox's web-chat sender (handlers.reports.delivery.Sender): report notifications into people's TED Web
Chat inbox (stored by handlers/reports/inbox.py), shown at GET /api/inbox and updated in place when the report
changes.

The web chat knows people by their email (bot.web.identity), so it reaches everyone with one, and the reporter
by the email they filed with, wherever they filed from. It is an inbox: a message waits there until the person
next opens the web chat, so a copy here does not count as reaching them (someone no chat reaches is still
flagged), and it is a row in TED's own database, written without waiting on the network. The web chat has no
channel: the communications team's channel is on Slack or Teams.
"""

from __future__ import annotations

from bot.web.identity import PLATFORM
from chat.model import Reply
from handlers.directory import Person
from handlers.reports.delivery import Notice
from handlers.reports.inbox import WebInbox


class WebSender:
    platform = PLATFORM
    inbox = True

    def __init__(self, store: WebInbox):
        self.store = store

    def reaches(self, person: Person) -> bool:
        return bool(person.email)

    async def dm(self, person: Person, reply: Reply, notice: Notice) -> tuple[str, str]:
        return await self.dm_user(person.email, reply, notice)

    async def dm_user(self, user_id: str, reply: Reply, notice: Notice) -> tuple[str, str]:
        return user_id, str(self.store.post(user_id, notice.report_id, notice.outbox_id, reply))

    async def channel(self, reply: Reply) -> tuple[str, str] | None:
        return None

    async def update(self, channel: str, message_id: str, reply: Reply) -> None:
        self.store.update(int(message_id), reply)
