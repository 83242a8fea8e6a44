"""The web chat's inbox: escalation messages for people who use TED in a browser.

The web chat is a delivery channel like Slack or Teams (its Sender is bot/web/sender.py); its "messages"
are rows here, shown to the signed-in person and updated in place when a report changes.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import sqlite_utils

from chat.model import Reply
from core.db import utcnow


def reply_json(reply: Reply) -> str:
    data = asdict(reply)
    data["citations"] = [c for c in data["citations"]]
    return json.dumps(data, ensure_ascii=False, default=str)


class WebInbox:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def post(self, email: str, report_id: int, outbox_id: int, reply: Reply) -> int:
        now = utcnow()
        return (
            self.db["web_messages"]
            .insert(
                {
                    "email": email,
                    "report_id": report_id,
                    "outbox_id": outbox_id,
                    "created_at": now,
                    "updated_at": now,
                    "reply": reply_json(reply),
                }
            )
            .last_pk
        )

    def update(self, message_id: int, reply: Reply) -> None:
        self.db["web_messages"].update(message_id, {"reply": reply_json(reply), "updated_at": utcnow()})

    def for_person(self, email: str, limit: int = 50) -> list[dict]:
        rows = self.db["web_messages"].rows_where("email = ?", [email], order_by="id desc", limit=limit)
        return [{**r, "reply": json.loads(r["reply"])} for r in rows]
