"""The outbox's Teams sender (handlers.reports.delivery.Sender): report notifications as proactive 1:1 messages,
the communications channel post, and in-place updates, from stored conversation references
(bot.teams.refs; https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
send-proactive-messages).

Someone is reachable when the directory has their Teams id and TED holds a reference for them: their
1:1 chat, or what it needs to open one. Each call is retried briefly on a 429/5xx (bot.teams.retry);
after that, a 429 or 5xx from the Bot Connector, or no answer at all, is a DeliveryError, so the outbox
keeps the row and tries again later. A 403/404 on a stored 1:1 chat means it went stale (TED was removed):
it is forgotten and a new chat is opened if TED knows how; when Teams refuses that too (403/404), or there
is no other way in, the person is forgotten as well and the call raises Unreachable, so the outbox tries
other platforms or flags the report and tells the communications team.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.teams.binding import Binding
from bot.teams.chats import open_personal_chat
from bot.teams.delivery import card_activity
from bot.teams.refs import Ref, TeamsRefs
from bot.teams.retry import NOTIFICATION, NoAnswer, is_gone, is_transient, retried, retry_after, status_of
from bot.teams.tokens import CardSigner
from chat.model import Reply
from handlers.directory import Person
from handlers.reports.delivery import DeliveryError, Notice, Unreachable
from handlers.reports.retry import LATER_SECONDS, RetryPolicy

T = TypeVar("T")
log = logging.getLogger("ted.teams.sender")


class Gone(Exception):
    """The Bot Connector answered 403/404: this conversation, or TED's place in it, is gone."""

    def __init__(self, status: int):
        super().__init__(f"Bot Connector answered {status}")
        self.status = status


class TeamsSender:
    platform = "teams"
    inbox = False

    def __init__(
        self,
        binding: Binding,
        refs: TeamsRefs,
        comms_conversation: str = "",
        signer: CardSigner | None = None,
        retry: RetryPolicy = NOTIFICATION,
    ):
        self.binding = binding
        self.refs = refs
        self.comms_conversation = comms_conversation
        self.signer = signer
        self.retry = retry

    def reaches(self, person: Person) -> bool:
        return person.active and bool(person.teams_user_id) and self.refs.can_reach(person.teams_user_id)

    async def dm(self, person: Person, reply: Reply, notice: Notice | None = None) -> tuple[str, str]:
        return await self.dm_user(person.teams_user_id, reply)

    async def dm_user(self, user_id: str, reply: Reply, notice: Notice | None = None) -> tuple[str, str]:
        ref = self.refs.personal(user_id)
        if ref is not None:
            try:
                return ref.conversation_id, await self._call(lambda: self._send(ref, reply))
            except Gone as gone:  # TED was removed from that chat; a new one may still be opened below
                self.refs.forget(ref.conversation_id)
                log.warning("teams 1:1 conversation=%s refused status=%s; forgotten", ref.conversation_id, gone.status)
        person = self.refs.person(user_id)
        if person is None:
            if ref is not None:
                raise Unreachable("Teams refused the stored 1:1 chat and TED has no other way in")
            # e.g. a reporter whose chat was removed since: nothing to send to, nothing to retry
            log.warning("teams has no conversation for user=%s; not sent", user_id)
            return "", ""
        try:
            return await self._open_and_send(person, reply)
        except Gone as gone:
            self.refs.forget_person(person["user_id"])
            log.warning(
                "teams refused a 1:1 chat with user=%s status=%s; TED cannot reach them in Teams", user_id, gone.status
            )
            raise Unreachable(f"Teams answered {gone.status} to a 1:1 chat") from gone

    async def channel(self, reply: Reply) -> tuple[str, str] | None:
        if not self.comms_conversation:
            return None
        ref = self.refs.reference(self.comms_conversation)
        if ref is None:
            log.warning(
                "TED_COMMS_TEAMS_CONVERSATION=%s is not a conversation TED has been added to; install TED in that team",
                self.comms_conversation,
            )
            return None
        try:
            return ref.conversation_id, await self._call(lambda: self._send(ref, reply))
        except Gone as gone:  # removed from the team: the next try finds no reference and says so
            self.refs.forget(ref.conversation_id)
            raise DeliveryError(f"Bot Connector answered {gone.status}; reference forgotten", 0) from gone

    async def update(self, channel: str, message_id: str, reply: Reply) -> None:
        ref = self.refs.reference(channel) if channel else None
        if ref is None or not message_id:
            log.warning("teams cannot update message=%s: no reference for conversation=%s", message_id, channel)
            return
        activity = card_activity(reply, signer=self.signer)
        try:
            await self._call(lambda: self.binding.update(ref.json, message_id, activity))
        except Gone as gone:  # the message was deleted (or TED removed): an update has nowhere else to go
            log.warning(
                "teams update refused status=%s conversation=%s message=%s; left as it was",
                gone.status,
                channel,
                message_id,
            )

    # -- sending ------------------------------------------------------------------------------------
    async def _send(self, ref: Ref, reply: Reply) -> str:
        # A new message in the conversation, not a reply to anything (bot.teams.binding.Binding.send).
        return await self.binding.send(ref.json, card_activity(reply, signer=self.signer))

    async def _open_and_send(self, person: dict, reply: Reply) -> tuple[str, str]:
        ref = await self._call(lambda: open_personal_chat(self.binding, self.refs, person))
        try:
            return ref.conversation_id, await self._call(lambda: self._send(ref, reply))
        except Gone:
            self.refs.forget(ref.conversation_id)
            raise

    async def _call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`, retried briefly; then a 429/5xx or no answer is a DeliveryError and a 403/404 is Gone."""
        try:
            return await retried(self.retry, attempt, "notification")
        except Exception as exc:
            if is_gone(exc):
                raise Gone(status_of(exc)) from exc
            if not is_transient(exc):
                raise
            wait = retry_after(exc)
            what = f"unreachable: {exc.kind}" if isinstance(exc, NoAnswer) else f"answered {status_of(exc)}"
            raise DeliveryError(f"Bot Connector {what}", LATER_SECONDS if wait is None else wait) from exc
