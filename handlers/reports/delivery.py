"""Delivering the outbox: each row rendered from the report's *current* state and sent to every
platform that can reach the person (Slack, Teams) and always to their web-chat inbox.

Senders are the platform adapters' side of this (bot/slack/, bot/teams/, bot/web/); this module only knows
the protocol below, so handlers never import a platform.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Protocol

from chat.model import Reply
from core.db import transaction
from handlers.directory import Person
from handlers.reports import outbox
from handlers.reports.inbox import WebInbox
from handlers.reports.intake import COMMS_CHANNEL, ReportService
from handlers.reports.views import recipient_reply, reporter_update

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


class Sender(Protocol):
    platform: str

    def reaches(self, person: Person) -> bool: ...

    async def dm(self, person: Person, reply: Reply) -> tuple[str, str]: ...

    async def dm_user(self, user_id: str, reply: Reply) -> tuple[str, str]: ...

    async def channel(self, reply: Reply) -> tuple[str, str] | None: ...

    async def update(self, channel: str, message_id: str, reply: Reply) -> None: ...


class OutboxWorker:
    def __init__(self, service: ReportService, senders: list[Sender] | None = None):
        self.service = service
        self.db = service.db
        self.senders = list(senders or [])
        self.web = WebInbox(service.db)

    def render(self, row: dict, report: dict) -> Reply:
        if row["template"] in ("reporter_acknowledged", "reporter_resolved"):
            return reporter_update(report, row["template"])
        return recipient_reply(report, row["template"])

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
                log.warning("outbox id=%s will retry (attempt %s): %s", row["id"], row["attempts"] + 1,
                            type(exc).__name__)
                continue
            outbox.mark_sent(self.db, row, now)
            sent += 1
        return sent

    async def deliver(self, row: dict, now: datetime) -> None:
        report = self.service.get(row["report_id"])
        if report is None:
            return
        reply = self.render(row, report)
        done = outbox.delivered_platforms(self.db, row["id"])
        if row["kind"] == outbox.UPDATE:
            await self._update(row, reply)
        elif row["recipient"] == COMMS_CHANNEL:
            for s in self.senders:
                if s.platform not in done and (posted := await s.channel(reply)):
                    outbox.record_message(self.db, row, now, s.platform, *posted)
        elif row["recipient"] == "reporter":
            await self._to_reporter(row, report, reply, done, now)
        else:
            await self._to_person(row, report, reply, done, now)

    async def _to_person(self, row: dict, report: dict, reply: Reply, done: set[str], now: datetime) -> None:
        person = self.service.directory.get(row["recipient"])
        if person is None:
            return
        if "web" not in done:
            with transaction(self.db):
                mid = self.web.post(person.email, row["report_id"], row["id"], reply)
                outbox.record_message(self.db, row, now, "web", person.email, str(mid))
        reached = False
        for s in self.senders:
            if not s.reaches(person):
                continue
            if s.platform in done:
                reached = True
                continue
            try:
                outbox.record_message(self.db, row, now, s.platform, *await s.dm(person, reply))
                reached = True
            except Unreachable:
                log.warning("outbox id=%s: %s cannot reach a recipient", row["id"], s.platform)
        if self.senders and not reached:
            self._flag(report, f"unreachable:{person.email}")

    async def _to_reporter(self, row: dict, report: dict, reply: Reply, done: set[str], now: datetime) -> None:
        if report["reporter_email"] and "web" not in done:
            with transaction(self.db):
                mid = self.web.post(report["reporter_email"], row["report_id"], row["id"], reply)
                outbox.record_message(self.db, row, now, "web", report["reporter_email"], str(mid))
        for s in self.senders:
            if s.platform == report["reporter_platform"] and s.platform not in done and report["reporter_user_id"]:
                try:
                    posted = await s.dm_user(report["reporter_user_id"], reply)
                except Unreachable:
                    log.warning("outbox id=%s: %s cannot reach the reporter", row["id"], s.platform)
                    continue
                outbox.record_message(self.db, row, now, s.platform, *posted)

    async def _update(self, row: dict, reply: Reply) -> None:
        try:
            msg = self.db["report_messages"].get(int(row["target"]))
        except Exception:
            return
        if msg["platform"] == "web":
            self.web.update(int(msg["message_id"]), reply)
            return
        for s in self.senders:
            if s.platform == msg["platform"]:
                await s.update(msg["channel"], msg["message_id"], reply)

    def _give_up(self, row: dict, now: datetime, error: str) -> None:
        """Stop retrying a notification: mark it failed, flag the report, tell the communications team."""
        outbox.mark_given_up(self.db, row, error)
        log.error("outbox id=%s gave up after %s attempts", row["id"], row["attempts"] + 1)
        report = self.service.get(row["report_id"])
        if report is not None and row["recipient"] not in ("", "reporter"):
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
        outbox.enqueue(self.db, now, rid, outbox.CHANNEL, "unreachable", recipient=COMMS_CHANNEL,
                       dedupe_key=f"{rid}:unreachable:{email}:channel")
        directory = self.service.directory
        for p in directory.with_role("communications_manager") + directory.with_role("communications"):
            if p.email != email:
                outbox.enqueue(self.db, now, rid, outbox.DM, "unreachable", recipient=p.email,
                               dedupe_key=f"{rid}:unreachable:{email}:{p.email}")
