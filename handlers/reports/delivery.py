"""Delivering the outbox: each row rendered from the report's *current* state and sent through every Sender that
reaches the person: the chat platforms (Slack, Teams) and the web chat's inbox.

Senders are the channels' side of this (bot/slack/sender.py, bot/teams/sender.py, bot/web/sender.py), each
registered by its channel when it is mounted; this module only knows the protocol below, so handlers never
import a platform.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chat.model import Reply
from core.db import transaction
from handlers.directory import Person
from handlers.reports import copies, outbox
from handlers.reports.intake import COMMS_CHANNEL, ReportService

log = logging.getLogger("ted.delivery")


class DeliveryError(Exception):
    """A platform refused for now (429, 5xx, network); try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float = 0.0):
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(Exception):
    """This platform cannot reach this person, and retrying won't change that (Slack `user_not_found`,
    `account_inactive`; Teams 403/404 after TED was removed). Other platforms are tried, and if none
    reaches them the report is flagged and the communications team told."""


MAX_ATTEMPTS = 24  # with back-off capped at 15 minutes: about five hours of trying


@dataclass(frozen=True)
class Notice:
    """Which notification a sender is delivering: the report it is about and its outbox row. The chat
    platforms need only the reply; the web inbox files its copy under them (a purge removes it)."""

    report_id: int
    outbox_id: int


class Sender(Protocol):
    """One channel's way out for report notifications; the outbox calls only these.

    A chat (`inbox` False) reaches people where they are, and a reporter on the platform they filed from.
    An inbox (`inbox` True: the web chat) keeps messages in TED's own database for people to come and read:
    it keeps a copy for everyone with an email (the reporter too, wherever they filed from), writes it without
    waiting on the network (so its copy and the outbox's record of it are one transaction), and a copy there
    does not count as reaching someone, so a person no chat reaches is still flagged.

    dm/dm_user/channel return (channel or conversation, message id) for later in-place updates."""

    platform: str
    inbox: bool

    def reaches(self, person: Person) -> bool: ...

    async def dm(self, person: Person, reply: Reply, notice: Notice) -> tuple[str, str]: ...

    async def dm_user(self, user_id: str, reply: Reply, notice: Notice) -> tuple[str, str]: ...

    async def channel(self, reply: Reply) -> tuple[str, str] | None: ...

    async def update(self, channel: str, message_id: str, reply: Reply) -> None: ...


class OutboxWorker:
    def __init__(self, service: ReportService, senders: list[Sender] | None = None):
        self.service = service
        self.db = service.db
        self.senders = list(senders or [])

    def render(self, row: dict, report: dict) -> Reply:
        return copies.render(self.service, row, report)

    async def run_once(self, now: datetime | None = None, limit: int = 20) -> int:
        now = now or self.service.clock()
        sent = 0
        for row in outbox.claim_due(self.db, now, limit):
            try:
                await self.deliver(row, now)
            except Exception as exc:  # DeliveryError (429/5xx), or a bug / unexpected platform answer
                retry_after = exc.retry_after if isinstance(exc, DeliveryError) else 0.0
                if row["attempts"] + 1 >= MAX_ATTEMPTS:
                    self._give_up(row, now, f"{type(exc).__name__}: {exc}")
                    continue
                outbox.mark_failed(self.db, row, now, f"{type(exc).__name__}: {exc}", retry_after)
                log.warning(
                    "outbox id=%s will retry (attempt %s): %s", row["id"], row["attempts"] + 1, type(exc).__name__
                )
                continue
            outbox.mark_sent(self.db, row, now)
            sent += 1
        return sent

    async def deliver(self, row: dict, now: datetime) -> None:
        if row["kind"] == outbox.NOTICE:
            await self._notice(row, now)
            return
        report = self.service.get(row["report_id"])
        if report is None:
            return
        reply = self.render(row, report)
        notice = Notice(row["report_id"], row["id"])
        done = outbox.delivered_platforms(self.db, row["id"])
        if row["kind"] == outbox.UPDATE:
            await self._update(row, reply)
        elif row["recipient"] == COMMS_CHANNEL:
            for s in self.senders:
                if s.platform not in done and (posted := await s.channel(reply)):
                    outbox.record_message(self.db, row, now, s.platform, *posted)
        elif row["recipient"] == outbox.REPORTER:
            if row["template"] == "reporter_acknowledged" and report["status"] == "resolved":
                # Held up (a retry) until after the report was resolved: "being looked at" would now arrive after
                # "resolved" and mislead. The resolution message says where it ended.
                log.info("outbox id=%s: acknowledgement overtaken by the resolution; not sent", row["id"])
                return
            await self._to_reporter(row, report, reply, notice, done, now)
        else:
            if self._overtaken(row, report):
                return
            await self._to_person(row, report, reply, notice, done, now)

    def _overtaken(self, row: dict, report: dict) -> bool:
        """A notification held up (a platform down, a back-off) that the report has since overtaken: a new report's
        card to someone it was reassigned away from, a reminder after it was acknowledged or resolved. Sent now it
        would mislead, or offer buttons that are refused."""
        held = {r["email"] for r in self.service.recipients(row["report_id"])}
        if row["template"] in ("new_report", "reminder", "escalated", "assigned") and row["recipient"] not in held:
            log.info("outbox id=%s: the recipient no longer holds the report; not sent", row["id"])
            return True
        late = (row["template"] == "reminder" and report["status"] == "resolved") or (
            row["template"] == "escalated" and report["status"] != "open"
        )
        if late:
            log.info("outbox id=%s: overtaken by the report's %s; not sent", row["id"], report["status"])
        return late

    async def _post(self, s: Sender, row: dict, now: datetime, posting: Awaitable[tuple[str, str]]) -> None:
        """Send and record what was posted. An inbox's copy is a row in TED's own database, so it and the record
        of it are written together; a chat's message is sent with no transaction open (it may take seconds)."""
        if s.inbox:
            with transaction(self.db):
                outbox.record_message(self.db, row, now, s.platform, *await posting)
        else:
            outbox.record_message(self.db, row, now, s.platform, *await posting)

    async def _to_person(
        self, row: dict, report: dict, reply: Reply, notice: Notice, done: set[str], now: datetime
    ) -> None:
        person = self.service.directory.get(row["recipient"])
        if person is None:
            return
        reached = False
        for s in self.senders:
            if not s.reaches(person):
                continue
            if s.platform not in done:
                try:
                    await self._post(s, row, now, s.dm(person, reply, notice))
                except Unreachable:
                    log.warning("outbox id=%s: %s cannot reach a recipient", row["id"], s.platform)
                    continue
            reached = reached or not s.inbox
        if not reached and any(not s.inbox for s in self.senders):
            self._flag(report, f"unreachable:{person.email}")

    async def _to_reporter(
        self, row: dict, report: dict, reply: Reply, notice: Notice, done: set[str], now: datetime
    ) -> None:
        reached = bool(done)
        for s in self.senders:
            if s.platform in done:
                continue
            # An inbox keeps the reporter's copy under their email; a chat reaches them where they filed from.
            if s.inbox:
                user_id = report["reporter_email"]
            else:
                user_id = report["reporter_user_id"] if s.platform == report["reporter_platform"] else ""
            if not user_id:
                continue
            try:
                await self._post(s, row, now, s.dm_user(user_id, reply, notice))
                reached = True
            except Unreachable:
                log.warning("outbox id=%s: %s cannot reach the reporter", row["id"], s.platform)
        if not reached:  # told nowhere (not even a web inbox): the communications team hears, nobody missed silently
            self._flag(report, "unreachable:the reporter")

    async def _notice(self, row: dict, now: datetime) -> None:
        """A notification about no report: to the communications channel, or to a person on every platform that
        reaches them (someone none reaches still finds it in their web inbox)."""
        reply = Reply(text=json.loads(row["params"] or "{}").get("text", ""), template=row["template"])
        done = outbox.delivered_platforms(self.db, row["id"])
        if row["recipient"] == COMMS_CHANNEL:
            for s in self.senders:
                if s.platform not in done and (posted := await s.channel(reply)):
                    outbox.record_message(self.db, row, now, s.platform, *posted)
            return
        person = self.service.directory.get(row["recipient"])
        for s in self.senders if person is not None else ():
            if s.platform in done or not s.reaches(person):
                continue
            try:
                await self._post(s, row, now, s.dm(person, reply, Notice(0, row["id"])))
            except Unreachable:
                log.warning("outbox id=%s: %s cannot reach a notice's recipient", row["id"], s.platform)

    async def _update(self, row: dict, reply: Reply) -> None:
        msg = outbox.posted_message(self.db, row)
        if msg is None:
            return
        for s in self.senders:
            if s.platform == msg["platform"]:
                await s.update(msg["channel"], msg["message_id"], reply)

    def _give_up(self, row: dict, now: datetime, error: str) -> None:
        """Stop retrying a notification: mark it failed, flag the report, tell the communications team."""
        outbox.mark_given_up(self.db, row, error)
        log.error("outbox id=%s gave up after %s attempts", row["id"], row["attempts"] + 1)
        report = self.service.get(row["report_id"])
        if report is None:
            return
        if row["kind"] == outbox.UPDATE:
            # Refreshing a copy already delivered (the message deleted, or too old to edit): the person has it.
            log.warning("outbox id=%s: a copy could not be updated in place; it stays as it was", row["id"])
            return
        if row["recipient"] == outbox.REPORTER:
            # The reporter is the person most owed the news: the report is flagged and the team told.
            self._flag(report, "unreachable:the reporter")
        elif row["recipient"]:
            target = row["recipient"] if row["recipient"] != COMMS_CHANNEL else "the communications channel"
            self._flag(report, f"unreachable:{target}")

    def _flag(self, report: dict, flag: str) -> None:
        flags = json.loads(report["flags"] or "[]")
        if flag not in flags:
            with transaction(self.db):
                flags.append(flag)
                self.db["reports"].update(report["id"], {"flags": json.dumps(flags)})
                self.service.audit(report["id"], "ted", "flagged", flag)
                if flag.startswith("unreachable:"):
                    self._tell_comms(report, flag.partition(":")[2])

    def _tell_comms(self, report: dict, email: str) -> None:
        """Someone could not be reached on any chat platform: the communications team hears of it."""
        now, rid = self.service.clock(), report["id"]
        if "channel_skipped" not in json.loads(report["flags"] or "[]"):  # someone involved reads the channel
            outbox.enqueue(
                self.db,
                now,
                rid,
                outbox.CHANNEL,
                "unreachable",
                recipient=COMMS_CHANNEL,
                dedupe_key=f"{rid}:unreachable:{email}:channel",
            )
        directory = self.service.directory
        never = self.service.excluded(report) | {report["reporter_email"]}
        for p in directory.with_role("communications_manager") + directory.with_role("communications"):
            if p.email != email and p.email not in never:
                outbox.enqueue(
                    self.db,
                    now,
                    rid,
                    outbox.DM,
                    "unreachable",
                    recipient=p.email,
                    dedupe_key=f"{rid}:unreachable:{email}:{p.email}",
                )
