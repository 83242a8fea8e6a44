"""The schema's history: one function per migration, applied in order by core.db.migrate and recorded in the
database, so an older database is brought up to date and a newer one is never touched by older code."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _m001_knowledge(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": str,
            "title": str,
            "publisher": str,
            "source": str,
            "source_hash": str,
            "format": str,
            "owner": str,
            "version": str,
            "date": str,
            "review_cycle": str,
            "next_review": str,
            "related": str,  # JSON list
            "sections": str,  # JSON list of {number, title}
            "ingested_at": str,
        },
        pk="id",
    )
    db["clauses"].create(
        {
            "id": int,
            "doc_id": str,
            "number": str,
            "kind": str,  # clause | passage
            "section": str,
            "heading": str,
            "title": str,
            "text": str,
            "summary": str,
            "keywords": str,
            "questions": str,
            "refs": str,  # JSON list of clause numbers this clause refers to
            "position": int,
        },
        pk="id",
        foreign_keys=[("doc_id", "documents", "id")],
    )
    db["clauses"].create_index(["doc_id", "number"], unique=True)
    db["clauses"].enable_fts(
        ["title", "heading", "text", "summary", "keywords", "questions"],
        tokenize="porter unicode61 remove_diacritics 2",
        create_triggers=True,
    )
    db["kb_meta"].create({"key": str, "value": str}, pk="key")


def _m002_unanswered_and_feedback(db: sqlite_utils.Database) -> None:
    db["unanswered"].create(
        {
            "id": int,
            "asked_at": str,
            "channel": str,
            "question": str,
            "best_doc": str,
            "best_clause": str,
            "confidence": float,
        },
        pk="id",
    )
    db["feedback"].create(
        {
            "id": int,
            "given_at": str,
            "channel": str,
            "user_id": str,
            "question": str,
            "doc_id": str,
            "clause": str,
            "helpful": int,
            "reason": str,
        },
        pk="id",
    )


def _m003_document_topics(db: sqlite_utils.Database) -> None:
    db["documents"].add_column("topics", str)  # JSON list: words that say what the document is about


def _m004_conversations(db: sqlite_utils.Database) -> None:
    db["asked"].create(
        {
            "id": int,
            "asked_at": str,
            "platform": str,
            "user_id": str,
            "conversation_id": str,
            "thread_id": str,
            "question": str,
            "intent": str,
            "doc_id": str,
            "clause": str,
            "confidence": float,
        },
        pk="id",
    )
    db["threads"].create(
        {"platform": str, "conversation_id": str, "thread_id": str, "last_question": str, "updated_at": str},
        pk=("platform", "conversation_id", "thread_id"),
    )
    db["deliveries"].create({"platform": str, "delivery_id": str, "seen_at": str}, pk=("platform", "delivery_id"))
    db["feedback"].add_column("asked_id", int)


def _m005_reports(db: sqlite_utils.Database) -> None:
    db["people"].create(
        {
            "email": str,
            "name": str,
            "slack_user_id": str,
            "teams_user_id": str,
            "manager_email": str,
            "service_area": str,
            "roles": str,
            "active": int,
            "updated_at": str,
            "left_at": str,
        },
        pk="email",
    )
    db["people"].create_index(["slack_user_id"])
    db["people"].create_index(["teams_user_id"])
    db["reports"].create(
        {
            "id": int,
            "ref": str,
            "created_at": str,
            "reporter_email": str,
            "reporter_platform": str,
            "reporter_user_id": str,
            "category": str,
            "platform_name": str,
            "links": str,
            "account": str,
            "seen_at": str,
            "service_area": str,
            "description": str,
            "attachments": str,
            "at_risk": int,
            "wants_hr": int,
            "involves_management": int,
            "status": str,
            "outcome": str,
            "ack_due_at": str,
            "acknowledged_at": str,
            "acknowledged_by": str,
            "resolved_at": str,
            "resolved_by": str,
            "escalation_level": int,
            "flags": str,
            "legal_hold": int,
            "purged_at": str,
            "source_question": str,
        },
        pk="id",
    )
    db["reports"].create_index(["ref"], unique=True)
    db["reports"].create_index(["status", "ack_due_at"])
    db["report_recipients"].create(
        {"report_id": int, "email": str, "role": str, "reason": str, "added_at": str, "active": int},
        pk=("report_id", "email"),
    )
    db["report_messages"].create(
        {
            "id": int,
            "report_id": int,
            "email": str,
            "platform": str,
            "channel": str,
            "message_id": str,
            "posted_at": str,
        },
        pk="id",
    )
    db["report_events"].create(
        {"id": int, "report_id": int, "at": str, "actor": str, "action": str, "detail": str}, pk="id"
    )
    db["report_events"].create_index(["report_id"])
    db["outbox"].create(
        {
            "id": int,
            "created_at": str,
            "report_id": int,
            "kind": str,
            "recipient": str,
            "target": str,
            "template": str,
            "params": str,
            "status": str,
            "attempts": int,
            "next_attempt_at": str,
            "claimed_at": str,
            "sent_at": str,
            "last_error": str,
            "dedupe_key": str,
        },
        pk="id",
    )
    db["outbox"].create_index(["status", "next_attempt_at"])
    db["outbox"].create_index(["dedupe_key"], unique=True)
    db["report_counters"].create({"year": int, "last": int}, pk="year")


def _m006_delivery(db: sqlite_utils.Database) -> None:
    db["report_messages"].add_column("outbox_id", int)
    db["web_messages"].create(
        {
            "id": int,
            "email": str,
            "report_id": int,
            "outbox_id": int,
            "created_at": str,
            "updated_at": str,
            "reply": str,
        },
        pk="id",
    )
    db["web_messages"].create_index(["email"])


def _m007_teams(db: sqlite_utils.Database) -> None:
    # Teams only lets a bot message someone proactively from a conversation reference it was given (when it
    # was installed or messaged): https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
    # send-proactive-messages. Conversations hold those references; users hold what is needed to open a 1:1.
    db["teams_conversations"].create(
        {
            "conversation_id": str,
            "kind": str,
            "tenant_id": str,
            "team_id": str,
            "user_id": str,
            "aad_object_id": str,
            "reference": str,
            "updated_at": str,
        },
        pk="conversation_id",
    )
    db["teams_conversations"].create_index(["user_id"])
    db["teams_conversations"].create_index(["aad_object_id"])
    db["teams_users"].create(
        {"tenant_id": str, "user_id": str, "aad_object_id": str, "service_url": str, "bot_id": str, "updated_at": str},
        pk=("tenant_id", "user_id"),
    )
    db["teams_users"].create_index(["aad_object_id"])
    db["teams_users"].create_index(["user_id"])


def _m008_semantic_and_not_covered(db: sqlite_utils.Database) -> None:
    # Sentence vectors of each clause (its passage and its example questions), written at ingest in the same
    # transaction as the clause, so a question never waits for them. `model` says which encoder made them.
    db["clause_vectors"].create(
        {"clause_rowid": int, "doc_id": str, "field": str, "model": str, "vector": bytes},
        pk=("clause_rowid", "field"),
    )
    db["clause_vectors"].create_index(["doc_id"])
    # Questions a document does not answer (negative anchors): bundled with a policy, or taught by its owners.
    db["not_covered"].create(
        {"id": int, "doc_id": str, "question": str, "source": str, "added_by": str, "added_at": str, "vector": bytes},
        pk="id",
    )
    db["not_covered"].create_index(["doc_id"])


def _m009_curation(db: sqlite_utils.Database) -> None:
    # Every version of every document. The live one's clauses are in `clauses` (the only ones ever searched or
    # cited); a draft waits here to be published; a superseded or retired version keeps its clauses here as
    # JSON (`content`, a knowledge.model.Document) for the history, never searched again.
    db["doc_versions"].create(
        {
            "id": int,
            "doc_id": str,
            "seq": int,
            "status": str,  # draft | live | superseded | retired | discarded
            "title": str,
            "owner": str,
            "version": str,
            "date": str,
            "review_cycle": str,
            "next_review": str,
            "source": str,
            "format": str,
            "clause_count": int,
            "content": str,
            "created_at": str,
            "created_by": str,
            "published_at": str,
            "published_by": str,
            "ended_at": str,
            "ended_by": str,
        },
        pk="id",
    )
    db["doc_versions"].create_index(["doc_id", "status"])
    db.execute(
        "insert into doc_versions (doc_id, seq, status, title, owner, version, date, review_cycle, next_review, "
        "source, format, clause_count, created_at, created_by, published_at, published_by) "
        "select d.id, 1, 'live', d.title, d.owner, d.version, d.date, d.review_cycle, d.next_review, d.source, "
        "d.format, (select count(*) from clauses c where c.doc_id = d.id), d.ingested_at, '', d.ingested_at, '' "
        "from documents d"
    )
    # What the communications team taught TED from real questions: a phrasing of a clause (kept by document
    # and clause number, so it survives a new version that still has that clause), or a question a document
    # does not cover (its row in `not_covered`, source 'taught').
    db["taught"].create(
        {
            "id": int,
            "kind": str,  # phrasing | not_covered
            "doc_id": str,
            "clause": str,
            "question": str,
            "status": str,  # active | orphaned | forgotten
            "source": str,
            "source_id": int,
            "not_covered_id": int,
            "added_by": str,
            "added_at": str,
            "ended_by": str,
            "ended_at": str,
        },
        pk="id",
    )
    db["taught"].create_index(["doc_id", "clause"])
    # Who changed what in the knowledge base, and when, with the before and after (JSON).
    db["kb_audit"].create(
        {"id": int, "at": str, "actor": str, "action": str, "doc_id": str, "target": str, "before": str, "after": str},
        pk="id",
    )
    db["kb_audit"].create_index(["doc_id"])
    # Unanswered questions and thumbs-down answers the team has dealt with (taught, not covered, dismissed).
    db["kb_triage"].create(
        {"kind": str, "item_id": int, "outcome": str, "taught_id": int, "actor": str, "at": str},
        pk=("kind", "item_id"),
    )


def _m010_uploads(db: sqlite_utils.Database) -> None:
    # Screenshots the web chat stored (bot/web/uploads.py; the files are in its folder): who uploaded how much and
    # when, for the hourly quota, and whether a report keeps it (`kept`); the rest are removed after
    # TED_UPLOAD_ORPHAN_HOURS.
    db["uploads"].create({"id": str, "owner": str, "size": int, "uploaded_at": str, "kept": int}, pk="id")
    db["uploads"].create_index(["owner", "uploaded_at"])
    db["uploads"].create_index(["kept", "uploaded_at"])


def _m011_reports_v2(db: sqlite_utils.Database) -> None:
    # Reports v2: a confidential reporter, the people involved (never told, never shown), who is routed around,
    # the outcome deadline and its reminders, snoozes, and which copies were superseded by a reassignment.
    for col, kind in (
        ("confidential", int),
        ("involved", str),
        ("excluded", str),
        ("line_undisclosed", int),
        ("resolve_due_at", str),
        ("resolve_reminded_at", str),
        ("resolve_overdue_at", str),
        ("reporter_overdue_at", str),
        ("snoozed_until", str),
        ("assigned_to", str),
    ):
        db["reports"].add_column(col, kind)
    db["report_messages"].add_column("reassigned_to", str)


def _m012_index_segments(db: sqlite_utils.Database) -> None:
    # The search index, persisted per document (knowledge/postings.py): the arrays built from a document's live
    # clauses and taught phrasings, and the stamp of what they were built from (a stale one is rebuilt).
    db["kb_segments"].create(
        {"doc_id": str, "stamp": str, "format": int, "clauses": int, "data": bytes},
        pk="doc_id",
    )


def _m013_topic_intent(db: sqlite_utils.Database) -> None:
    # Whether a conversation's remembered topic was a policy answer or something reported: a follow-up on a report
    # is never written to the unanswered list as read with the report's words.
    db["threads"].add_column("topic_intent", str)


def _m014_fallback_choices(db: sqlite_utils.Database) -> None:
    # A "not covered" that offered the closest clauses (knowledge.answer.Answerer.fallback): which question staff
    # asked (the asked row, so only its asker's press counts) and the clause they then chose, shown to the
    # communications team beside TED's suggestions.
    db["unanswered"].add_column("asked_id", int)
    db["unanswered"].add_column("chosen_doc", str)
    db["unanswered"].add_column("chosen_clause", str)


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_knowledge", _m001_knowledge),
    ("002_unanswered_and_feedback", _m002_unanswered_and_feedback),
    ("003_document_topics", _m003_document_topics),
    ("004_conversations", _m004_conversations),
    ("005_reports", _m005_reports),
    ("006_delivery", _m006_delivery),
    ("007_teams", _m007_teams),
    ("008_semantic_and_not_covered", _m008_semantic_and_not_covered),
    ("009_curation", _m009_curation),
    ("010_uploads", _m010_uploads),
    ("011_reports_v2", _m011_reports_v2),
    ("012_index_segments", _m012_index_segments),
    ("013_topic_intent", _m013_topic_intent),
    ("014_fallback_choices", _m014_fallback_choices),
]
