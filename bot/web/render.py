"""Reply -> web JSON, and the other shapes the web chat's JSON API returns. Pure functions.

The browser builds its DOM from these with textContent only, so nothing here escapes HTML: text stays
exactly as TED or the policy wrote it (a question containing <script> comes back as those characters).
A policy answer carries its clause as structured data (the card: number, title, quote, policy name and
version, summary, link, see-also) plus `notes`: TED's own words besides; `text` is the whole reply in words.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from chat.model import Button, Form, FormField, Reply
from handlers.reports.actions import OUTCOME_LABELS
from handlers.reports.form import CATEGORY_LABELS
from handlers.reports.views import STATUS_LABELS, when
from knowledge.answer import Citation
from knowledge.model import MAX_CITATION_CHARS

# A stored reply from before Reply had typed fields kept them in a "meta" dict, under these names.
LEGACY_META = {
    "asked_id": "asked_id",
    "confidence": "confidence",
    "shared_by": "shared_by",
    "question": "question",
    "report_ref": "report_ref",
    "refs": "report_refs",
    "status": "report_status",
    "template": "template",
    "changed": "changed",
    "replace_original": "replace_original",
}


def policy_path(doc: str, clause: str = "") -> str:
    """The web chat's own page for a clause (relative, so it works behind any proxy)."""
    return f"/policy/{quote(doc, safe='')}" + (f"#{quote(clause, safe='.')}" if clause else "")


def citation_json(c: Citation) -> dict:
    return {
        "doc": c.doc,
        "clause": c.clause,
        "title": c.title,
        "label": c.label,
        "text": c.text[:MAX_CITATION_CHARS],
        "doc_title": c.doc_title or c.doc,
        "version": c.version,
        "where": c.where,
        "heading": c.heading,
        "link": policy_path(c.doc, c.clause),
    }


def button_json(b: Button) -> dict:
    return {"action_id": b.action_id, "label": b.label, "value": b.value, "style": b.style}


def field_json(f: FormField, error: str = "") -> dict:
    return {
        "name": f.name,
        "label": f.label,
        "kind": f.kind,
        "required": f.required,
        "value": f.value,
        "hint": f.hint,
        "max_length": f.max_length,
        "error": error,
        "options": [{"value": v, "label": label} for v, label in f.options],
    }


def form_json(form: Form) -> dict:
    names = [f.name for f in form.fields]
    # An error for something that is not a field (a form-level problem) is shown at the top of the form.
    general = [str(m) for k, m in form.errors.items() if k not in names]
    return {
        "form_id": form.form_id,
        "title": form.title,
        "submit_label": form.submit_label,
        "private_metadata": form.private_metadata,
        "errors": {k: str(v) for k, v in form.errors.items()},
        "general_errors": general,
        "fields": [field_json(f, str(form.errors.get(f.name, ""))) for f in form.fields],
    }


def notes_of(reply: Reply) -> list[str]:
    """TED's own words, paragraph by paragraph: the clause card (heading, quote, summary, see also) is data."""
    return [p.strip() for p in reply.text.split("\n\n") if p.strip()]


def meta_json(reply: Reply) -> dict:
    """The reply's facts the page needs, as the "meta" object the browser has always read (chat.js and admin.js
    look at meta.replace_original); only those that are set, and never the question or the confidence."""
    meta: dict = {}
    if reply.asked_id:
        meta["asked_id"] = reply.asked_id
    if reply.report_ref:
        meta["report_ref"] = reply.report_ref
    if reply.report_refs:
        meta["refs"] = list(reply.report_refs)
    if reply.report_status:
        meta["status"] = reply.report_status
    if reply.template:
        meta["template"] = reply.template
    if reply.changed is not None:
        meta["changed"] = reply.changed
    if reply.replace_original:
        meta["replace_original"] = True
    return meta


def reply_json(reply: Reply) -> dict:
    return {
        "text": reply.plain_text,  # the whole reply in words, as before the card was data
        "intent": reply.intent,
        "ephemeral": reply.ephemeral,
        "citations": [citation_json(c) for c in reply.citations],
        "summary": reply.summary if reply.citations else "",
        "notes": notes_of(reply),
        "see_also": [citation_json(c) for c in reply.see_also],
        "also": [citation_json(c) for c in reply.also],
        "choices": [button_json(b) for b in reply.choices],
        "buttons": [button_json(b) for b in reply.buttons],
        "form": form_json(reply.form) if reply.form else None,
        "meta": meta_json(reply),
        # A report's links (http/https only) and its web-chat screenshots, for the people the copy was sent to.
        "links": [u for u in reply.links if u.startswith(("https://", "http://"))],
        "images": [{"name": n, "url": u} for n, u in reply.images if u.startswith("/uploads/")],
    }


# -- stored replies (the web inbox keeps dataclasses.asdict(Reply) as JSON) ---------------------------
def _typed_fields(d: dict) -> dict:
    """The typed fields of a stored reply, also from a row stored when they were a "meta" dict."""
    legacy = {LEGACY_META[k]: v for k, v in (d.get("meta") or {}).items() if k in LEGACY_META}
    out = {name: d[name] for name in LEGACY_META.values() if name in d} or legacy
    if "report_refs" in out:
        out["report_refs"] = tuple(out["report_refs"] or ())
    return out


def reply_from_stored(data: dict | str) -> Reply:
    d = json.loads(data) if isinstance(data, str) else dict(data)
    form = None
    if f := d.get("form"):
        fields = tuple(
            FormField(**{**x, "options": tuple(tuple(o) for o in x.get("options") or ())})
            for x in f.get("fields") or ()
        )
        form = Form(
            f["form_id"],
            f.get("title", ""),
            fields,
            f.get("submit_label", "Submit"),
            f.get("private_metadata", ""),
            f.get("errors") or {},
        )
    return Reply(
        text=d.get("text", ""),
        intent=d.get("intent", ""),
        citations=tuple(Citation(**c) for c in d.get("citations") or ()),
        summary=d.get("summary", ""),
        see_also=tuple(Citation(**c) for c in d.get("see_also") or ()),
        also=tuple(Citation(**c) for c in d.get("also") or ()),
        choices=tuple(Button(**b) for b in d.get("choices") or ()),
        buttons=tuple(Button(**b) for b in d.get("buttons") or ()),
        form=form,
        ephemeral=bool(d.get("ephemeral")),
        link=d.get("link", ""),
        **_typed_fields(d),
        links=tuple(str(u) for u in d.get("links") or ()),
        images=tuple((str(i[0]), str(i[1])) for i in d.get("images") or () if len(i) == 2),
    )


def inbox_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "report_id": row["report_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "reply": reply_json(reply_from_stored(row["reply"])),
    }


def report_json(r: dict) -> dict:
    """One report as its reporter sees it in "My reports"."""
    return {
        "ref": r["ref"],
        "category": r["category"],
        "category_label": CATEGORY_LABELS.get(r["category"], r["category"]),
        "status": r["status"],
        "status_label": STATUS_LABELS.get(r["status"], r["status"]),
        "created_at": r["created_at"],
        "created": when(r["created_at"]),
        "ack_due_at": r["ack_due_at"],
        "ack_due": when(r["ack_due_at"]) if r["status"] == "open" else "",
        "acknowledged_at": r["acknowledged_at"] or "",
        "resolved_at": r["resolved_at"] or "",
        "outcome": r["outcome"] or "",
        "outcome_label": OUTCOME_LABELS.get(r["outcome"] or "", ""),
    }
