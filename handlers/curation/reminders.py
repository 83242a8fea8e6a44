"""Review reminders and the weekly digest, driven by the scheduler in `ted serve` (bot/workers.py).

- On a document's review date its owner gets a chat message; when the owner named on the document isn't in the
  staff directory (by email or name), the Communications Manager does. Once per person per review date.
- Once a week (TED_DIGEST_DAY at TED_DIGEST_TIME, in TED_TIMEZONE) each policy owner hears what staff asked about
  their documents that TED couldn't answer, the 👎 with reasons and the most-asked clauses; the communications
  channel gets the whole of it. A digest missed while TED was down is sent when it comes back, once.

Both are outbox notices (handlers.reports.outbox.NOTICE), written in one transaction and delivered like report
notifications, so nothing is lost; dedupe keys make a repeated tick harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from core.db import transaction
from core.settings import DIGEST_DAYS, Settings
from handlers import messages
from handlers.directory import Directory, Person
from handlers.reports import outbox
from handlers.reports.intake import COMMS_CHANNEL
from knowledge.answer import document_name

DIGEST_KEY = "digest_last"
LIST_MAX = 10


def owners(directory: Directory, owner: str) -> list[Person]:
    """Who a document's owner is: a person in the directory (by email or name), else the Communications Manager."""
    owner = (owner or "").strip()
    if "@" in owner:
        p = directory.get(owner)
        if p is not None and p.active:
            return [p]
    elif owner:
        found = [p for p in directory.everyone() if p.name.lower() == owner.lower()]
        if found:
            return found[:1]
    return directory.with_role("communications_manager")


def _live(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select id, title, version, owner, next_review from documents order by id"))


def review_reminders(db: sqlite_utils.Database, directory: Directory, settings: Settings, now: datetime) -> int:
    """Tell the owners of documents whose review date has come. Returns how many notices were queued."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date().isoformat()
    url = f"{settings.base_url}/admin/knowledge"
    queued = 0
    with transaction(db):
        for d in _live(db):
            if not d["next_review"] or d["next_review"] > today:
                continue
            title = document_name(d["title"], d["version"] or "")
            for p in owners(directory, d["owner"]):
                # An owner who can't open /admin/knowledge is told who can publish the new version for them.
                curates = p.is_admin
                template = messages.KB_REVIEW_DUE if curates else messages.KB_REVIEW_DUE_OWNER
                text = template.format(title=title, date=d["next_review"], url=url)
                queued += outbox.enqueue(
                    db,
                    now,
                    None,
                    outbox.NOTICE,
                    "kb_review",
                    recipient=p.email,
                    params={"text": text},
                    dedupe_key=f"kb-review:{d['id']}:{d['next_review']}:{p.email}",
                )
    return queued


def last_digest_moment(settings: Settings, now: datetime) -> datetime | None:
    """The latest scheduled digest time at or before *now* (aware), or None when the digest is off."""
    if settings.digest_day not in DIGEST_DAYS:
        return None
    tz = ZoneInfo(settings.timezone)
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - DIGEST_DAYS.index(settings.digest_day)) % 7)
    moment = datetime.combine(day, time.fromisoformat(settings.digest_time), tz)
    return moment if moment <= local else moment - timedelta(days=7)


def gather(db: sqlite_utils.Database, since: str, until: str) -> dict:
    """What staff asked in [since, until) (UTC ISO): unanswered questions, 👎 answers, most-asked clauses."""
    unanswered = list(
        db.query(
            # One max() and bare columns: SQLite takes the question as last worded, from the newest row.
            # Only what is still to deal with, as /admin/knowledge's queue: not what was taught, marked not
            # covered or dismissed since (the digest asks the team to teach from these).
            "select max(u.id) as last_id, u.question, count(*) as times, u.best_doc as doc_id from unanswered u "
            "where u.asked_at >= ? and u.asked_at < ? and not exists (select 1 from kb_triage t where t.kind = "
            "'unanswered' and t.item_id = u.id) and not exists (select 1 from taught x where x.kind = 'not_covered' "
            "and x.status = 'active' and lower(x.question) = lower(trim(u.question))) "
            "group by lower(trim(u.question)) order by count(*) desc, max(u.id) desc",
            [since, until],
        )
    )
    down = list(
        db.query(
            "select f.question, f.doc_id, f.clause, f.reason from feedback f where f.helpful = 0 and f.given_at >= ? "
            "and f.given_at < ? and not exists (select 1 from kb_triage t where t.kind = 'feedback' and "
            "t.item_id = f.id) order by f.id desc",
            [since, until],
        )
    )
    top = list(
        db.query(
            "select a.doc_id, a.clause, count(*) as times, (select coalesce(nullif(c.title, ''), c.heading) from "
            "clauses c where c.doc_id = a.doc_id and c.number = a.clause) as title from asked a where a.intent = "
            "'policy' and a.asked_at >= ? and a.asked_at < ? and coalesce(a.clause, '') != '' group by a.doc_id, "
            "a.clause order by count(*) desc, a.clause limit 5",
            [since, until],
        )
    )
    return {"unanswered": unanswered, "down": down, "top": top}


def digest_text(data: dict, start: str, end: str, url: str) -> str:
    parts = [messages.KB_DIGEST_TITLE.format(start=start, end=end)]
    if data["unanswered"]:
        lines = [
            f"• “{u['question']}”" + (f" (asked {u['times']} times)" if u["times"] > 1 else "")
            for u in data["unanswered"][:LIST_MAX]
        ]
        parts.append("\n".join([messages.KB_DIGEST_UNANSWERED.format(n=len(data["unanswered"])), *lines]))
    if data["down"]:
        lines = [
            f"• {f['clause'] or '—'}: “{f['question']}”" + (f" — “{f['reason']}”" if f["reason"] else "")
            for f in data["down"][:LIST_MAX]
        ]
        parts.append("\n".join([messages.KB_DIGEST_DOWN.format(n=len(data["down"])), *lines]))
    if data["top"]:
        lines = [f"• {t['clause']}{' — ' + t['title'] if t['title'] else ''} ({t['times']})" for t in data["top"]]
        parts.append("\n".join([messages.KB_DIGEST_TOP, *lines]))
    parts.append(messages.KB_DIGEST_TEACH.format(url=url))
    return "\n\n".join(parts)


def _only(data: dict, docs: set[str]) -> dict:
    return {k: [r for r in rows if r["doc_id"] in docs] for k, rows in data.items()}


def weekly_digest(db: sqlite_utils.Database, directory: Directory, settings: Settings, now: datetime) -> int:
    """Send the week's digest if it is due and not yet sent. Returns how many notices were queued."""
    moment = last_digest_moment(settings, now)
    if moment is None:
        return 0
    key = moment.isoformat(timespec="minutes")
    row = db.execute("select value from kb_meta where key = ?", [DIGEST_KEY]).fetchone()
    if row and row[0] >= key:
        return 0
    since = moment - timedelta(days=7)
    data = gather(db, outbox.iso(since.astimezone(UTC)), outbox.iso(moment.astimezone(UTC)))
    start, end, url = since.date().isoformat(), moment.date().isoformat(), f"{settings.base_url}/admin/knowledge"
    docs_of: dict[str, set[str]] = {}
    for d in _live(db):
        for p in owners(directory, d["owner"]):
            docs_of.setdefault(p.email, set()).add(d["id"])
    queued = 0
    with transaction(db):

        def send(recipient: str, what: dict, tag: str) -> int:
            if not any(what.values()):
                return 0
            text = digest_text(what, start, end, url)
            return outbox.enqueue(
                db,
                now,
                None,
                outbox.NOTICE,
                "kb_digest",
                recipient=recipient,
                params={"text": text},
                dedupe_key=f"kb-digest:{key}:{tag}",
            )

        queued += send(COMMS_CHANNEL, data, "channel")  # the whole week, for the communications channel
        for email, docs in sorted(docs_of.items()):
            queued += send(email, _only(data, docs), email)  # each owner: their own documents
        db["kb_meta"].upsert({"key": DIGEST_KEY, "value": key}, pk="key")
    return queued


def tick(db: sqlite_utils.Database, directory: Directory, settings: Settings, now: datetime) -> dict[str, int]:
    """One scheduler step: review reminders due, and the digest when its time has come."""
    return {
        "reminders": review_reminders(db, directory, settings, now),
        "digest": weekly_digest(db, directory, settings, now),
    }
