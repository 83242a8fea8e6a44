"""Reports in the chat: /report, "Report this", the form, and recipients' buttons."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from zoneinfo import ZoneInfo

from chat import actions
from chat.model import Action, Message, Reply
from chat.router import Router
from core.db import note_refused_write
from core.integrity import is_busy
from handlers import messages
from handlers.directory import Directory, Person
from handlers.reports import timeline
from handlers.reports.actions import NotAllowed, Outcome, ReportActions
from handlers.reports.copies import copy_for
from handlers.reports.form import MAX_NOTE, report_form, validate
from handlers.reports.intake import ReportService
from handlers.reports.views import (
    detail_reply,
    note_form,
    reassign_form,
    reassigned_reply,
    reporter_confirmation,
    resolve_form,
    snooze_form,
    status_list,
)

log = logging.getLogger("ted.reports")


class ReportChat:
    def __init__(self, service: ReportService, directory: Directory):
        self.service = service
        self.directory = directory
        self.acts = ReportActions(service)

    def register(self, router: Router) -> None:
        router.on_command("/report", self.on_command)
        table = {
            actions.REPORT_OPEN: self.on_open,
            actions.REPORT_SUBMIT: self.on_submit,
            actions.REPORT_FORM_AGAIN: self.on_form_again,
            actions.REPORT_STATUS: self.on_status,
            actions.REPORT_ACK: self.on_ack,
            actions.REPORT_NOTE: self.on_note_button,
            actions.REPORT_NOTE_SUBMIT: self.on_note,
            actions.REPORT_REASSIGN: self.on_reassign_button,
            actions.REPORT_REASSIGN_SUBMIT: self.on_reassign,
            actions.REPORT_RESOLVE: self.on_resolve_button,
            actions.REPORT_RESOLVE_SUBMIT: self.on_resolve,
            actions.REPORT_DETAILS: self.on_details,
            actions.REPORT_SNOOZE: self.on_snooze_button,
            actions.REPORT_SNOOZE_SUBMIT: self.on_snooze,
        }
        for action_id, handler in table.items():
            router.on_action(action_id, handler)

    def person(self, platform: str, user_id: str) -> Person | None:
        return self.directory.by_platform_id(platform, user_id)

    # -- the reporter -------------------------------------------------------------------------------
    def on_command(self, msg: Message) -> list[Reply]:
        word = msg.text.strip().lower()
        if word in {"status", "mine", "my reports"}:
            return self.on_status(Action(msg.platform, msg.user_id, actions.REPORT_STATUS))
        if word in {"open", "inbox", "assigned", "queue"}:
            return self.open_list(msg.platform, msg.user_id)
        if word == "help":
            return [Reply(messages.REPORT_HELP, intent="report", ephemeral=True)]
        return [self.form_reply(prefill=msg.text.strip(), me=self.person(msg.platform, msg.user_id))]

    def form_reply(
        self, prefill: str = "", errors: dict | None = None, values: dict | None = None, me: Person | None = None
    ) -> Reply:
        people = (
            [
                (p.email, f"{p.name} ({p.service_area})" if p.service_area else p.name)
                for p in self.directory.everyone()
                if p.email != me.email
            ]
            if me is not None
            else None  # someone outside the directory is never shown the staff list
        )
        form = report_form(self.directory.service_areas(), prefill=prefill, errors=errors, values=values, people=people)
        return Reply(messages.REPORT_FORM_INTRO, intent="report", form=form, ephemeral=True)

    def on_open(self, act: Action) -> list[Reply]:
        return [self.form_reply(prefill=act.value, me=self.person(act.platform, act.user_id))]

    def involved(self, platform: str, chosen: list[str], reporter: Person | None) -> list[str]:
        """The people picked as involved, as directory emails: the web and Teams pick by email, Slack's user
        picker gives Slack user ids. Someone not in the directory can't be sent the report anyway."""
        out = []
        for value in chosen:
            p = self.directory.get(value) if "@" in value else self.directory.by_platform_id(platform, value)
            if p is not None and p.email not in out and (reporter is None or p.email != reporter.email):
                out.append(p.email)
        return out

    def on_form_again(self, act: Action) -> list[Reply]:
        """The report form as it was sent, to send again: nothing was filed (knowledge of the card was lost)."""
        reply = self.form_reply(values=sent_back(act.form), me=self.person(act.platform, act.user_id))
        return [dataclasses.replace(reply, text=messages.REPORT_FORM_AGAIN)]

    def on_submit(self, act: Action) -> list[Reply]:
        today = self.service.clock().astimezone(ZoneInfo(self.service.settings.timezone)).date()
        clean, errors = validate(act.form, today)
        areas = self.directory.service_areas()
        if clean["service_area"] and areas and clean["service_area"] not in areas:
            errors["service_area"] = "Please choose a service area from the list."
        reporter = self.person(act.platform, act.user_id)
        unknown = [v for v in clean["involved"] if "@" in v and self.directory.get(v) is None]
        if unknown and "involved" not in errors:  # a typed address nobody has: routing could not keep them out
            errors["involved"] = f"I can't find {', '.join(unknown)} in the staff directory: check the address."
        if errors:
            return [self.form_reply(errors=errors, values=sent_back(act.form), me=reporter)]
        clean["involved"] = self.involved(act.platform, clean["involved"], reporter)
        source = str(act.form.get("source_question", ""))
        for attempt in (1, 2):
            try:
                report = self.service.file(reporter, act.platform, act.user_id, clean, source_question=source)
                break
            except sqlite3.Error as exc:  # a full disk, a read-only, damaged or busy database: it rolled back
                busy = is_busy(exc)
                log.error(
                    "report NOT saved platform=%s error=%s sqlite=%s attempt=%s",
                    act.platform,
                    type(exc).__name__,
                    getattr(exc, "sqlite_errorname", ""),
                    attempt,
                )
                if not busy or attempt == 2:  # held by a long write (an ingest): worth one more wait
                    note_refused_write(self.service.db, exc)
                    return [self.not_saved(reporter, busy)]
        return [reporter_confirmation(report)]

    def not_saved(self, reporter: Person | None, busy: bool = False) -> Reply:
        """Nothing was stored and nobody will hear: say so, and give the reporter another way to the people a
        report would have reached (their line manager, the Communications Manager; 999 in danger)."""
        manager, comms = "your line manager", "the Communications Manager"
        try:  # reading usually still works when writing does not; if not, the roles alone will do
            boss = self.directory.get(reporter.manager_email) if reporter and reporter.manager_email else None
            if boss and boss.active:
                manager = f"your line manager ({boss.name})"
            heads = [p for p in self.directory.with_role("communications_manager") if p.active]
            if heads:
                comms = f"the Communications Manager ({heads[0].name}, {heads[0].email})"
        except sqlite3.Error as exc:
            log.warning("directory unreadable while saying a report was not saved error=%s", type(exc).__name__)
        said = messages.REPORT_NOT_SAVED_BUSY if busy else messages.REPORT_NOT_SAVED
        return Reply(said.format(manager=manager, comms=comms), intent="report", ephemeral=True)

    def on_status(self, act: Action) -> list[Reply]:
        me = self.person(act.platform, act.user_id)
        mine = self.service.for_reporter(me.email if me else "", act.platform, act.user_id)
        return [status_list(mine, "Your reports:", messages.NO_REPORTS)]

    def open_list(self, platform: str, user_id: str) -> list[Reply]:
        me = self.person(platform, user_id)
        if me is None:
            return [Reply(messages.NOT_IN_DIRECTORY, ephemeral=True)]
        return [status_list(self.service.open_for(me), "Reports open to you:", messages.NOTHING_OPEN)]

    # -- recipients ---------------------------------------------------------------------------------
    def _act(self, act: Action, fn) -> list[Reply]:
        report = self.service.by_ref(act.value or str(act.form.get("private_metadata", "")))
        actor = self.person(act.platform, act.user_id)
        if report is None:
            return [refused(messages.REPORT_NOT_FOUND)]
        try:
            outcome: Outcome = fn(report, actor)
        except NotAllowed:
            return [refused()]
        if outcome.changed and outcome.report.get("assigned_to") and act.action_id == actions.REPORT_REASSIGN_SUBMIT:
            # The pressed copy is an old copy now, like every other: who has it, nothing else.
            reply = reassigned_reply(outcome.report, timeline.name_of(self.service, outcome.report["assigned_to"]))
        else:
            reply = copy_for(self.service, outcome.report, "status", actor.email)
        return [
            Reply(
                outcome.message,
                intent="report",
                ephemeral=True,
                report_ref=outcome.report["ref"],
                changed=outcome.changed,
            ),
            dataclasses.replace(reply, replace_original=True),
        ]

    def _form_for(self, act: Action, make, open_only: bool = True) -> list[Reply]:
        """The form a report card's button opens. Reassign, resolve and snooze only while the report is
        unresolved: a card from before it was resolved says so instead of opening a form that can only be
        refused (a note may still be added)."""
        report = self.service.by_ref(act.value)
        if report is None:
            return [refused(messages.REPORT_NOT_FOUND)]
        if not self.acts.can_act(report, self.person(act.platform, act.user_id)):
            return [refused()]
        if open_only and report["status"] == "resolved":
            return [Reply(messages.REPORT_ALREADY_RESOLVED.format(ref=report["ref"]), ephemeral=True, changed=False)]
        return [Reply("", intent="report", form=make(report["ref"]), ephemeral=True)]

    def on_ack(self, act: Action) -> list[Reply]:
        return self._act(act, self.acts.acknowledge)

    def on_note_button(self, act: Action) -> list[Reply]:
        return self._form_for(act, note_form, open_only=False)

    def _refusal(self, act: Action) -> Reply | None:
        """A form sent back with an error is still an action on the report: refuse first whoever may not act (and
        say so plainly when there is no such report)."""
        report = self.service.by_ref(act.value or str(act.form.get("private_metadata", "")))
        if report is None:
            return refused(messages.REPORT_NOT_FOUND)
        return None if self.acts.can_act(report, self.person(act.platform, act.user_id)) else refused()

    def on_note(self, act: Action) -> list[Reply]:
        if (no := self._refusal(act)) is not None:
            return [no]
        note = str(act.form.get("note", "")).strip()
        if not note:
            return [Reply("", form=note_form(act.value, {"note": "Please write a note."}), ephemeral=True)]
        if len(note) > MAX_NOTE:
            problem = f"Please keep the note under {MAX_NOTE:,} characters (it is {len(note):,})."
            return [Reply("", form=note_form(act.value, {"note": problem}, note), ephemeral=True)]
        return self._act(act, lambda r, a: self.acts.add_note(r, a, note))

    def on_reassign_button(self, act: Action) -> list[Reply]:
        return self._form_for(act, lambda ref: reassign_form(ref, self._reassignable(act)))

    def _reassignable(self, act: Action) -> list[Person]:
        """Who a report may be reassigned to by this presser, managers and the communications team first."""
        report = self.service.by_ref(act.value)
        never = self.service.excluded(report) | {report["reporter_email"]} if report else set()
        me = self.person(act.platform, act.user_id)
        # Not whoever has it already (the presser when they hold it, its assignee): that would change nothing.
        holders = {r["email"] for r in self.service.recipients(report["id"])} if report else set()
        never |= {me.email} if me and me.email in holders else set()
        never |= {report["assigned_to"]} if report and report.get("assigned_to") else set()
        everyone = [p for p in self.directory.everyone() if p.email not in never]
        managers = {p.manager_email for p in everyone}
        # Managers and the communications team first: forms can list only so many people.
        return sorted(everyone, key=lambda p: (not (p.roles or p.email in managers), p.name))

    def on_reassign(self, act: Action) -> list[Reply]:
        to = str(act.form.get("to", "")).strip()
        if not to:  # sent with nobody chosen: say so beside the field, not "I couldn't find that person"
            if (no := self._refusal(act)) is not None:
                return [no]
            errors = {"to": "Please choose who should take it."}
            return [Reply("", form=reassign_form(act.value, self._reassignable(act), errors), ephemeral=True)]
        return self._act(act, lambda r, a: self.acts.reassign(r, a, to))

    def on_resolve_button(self, act: Action) -> list[Reply]:
        return self._form_for(act, resolve_form)

    def on_resolve(self, act: Action) -> list[Reply]:
        if (no := self._refusal(act)) is not None:
            return [no]
        outcome = str(act.form.get("outcome", ""))
        if not outcome:
            return [Reply("", form=resolve_form(act.value, {"outcome": "Please choose an outcome."}), ephemeral=True)]
        note = str(act.form.get("note", ""))
        if len(note.strip()) > MAX_NOTE:  # refused whole, never cut short
            problem = f"Please keep the note under {MAX_NOTE:,} characters (it is {len(note.strip()):,})."
            kept = {"outcome": outcome, "note": note}
            return [Reply("", form=resolve_form(act.value, {"note": problem}, kept), ephemeral=True)]
        return self._act(act, lambda r, a: self.acts.resolve(r, a, outcome, str(act.form.get("note", ""))))

    def on_details(self, act: Action) -> list[Reply]:
        report = self.service.by_ref(act.value)
        kind = timeline.viewer_kind(self.service, report, self.person(act.platform, act.user_id))
        if kind is None:
            return [refused(messages.NOT_ALLOWED_TO_VIEW)]
        return [detail_reply(timeline.detail(self.service, report, kind))]

    def on_snooze_button(self, act: Action) -> list[Reply]:
        return self._form_for(act, snooze_form)

    def on_snooze(self, act: Action) -> list[Reply]:
        if (no := self._refusal(act)) is not None:
            return [no]
        until, problem = self.acts.snooze_until(str(act.form.get("until", "")))
        reason = str(act.form.get("reason", "")).strip()
        errors = {"until": problem} if problem else {}
        if not reason:
            errors["reason"] = "Please say why reminders should pause."
        if errors:
            return [Reply("", form=snooze_form(act.value, errors), ephemeral=True)]
        return self._act(act, lambda r, a: self.acts.snooze(r, a, until, reason))


def refused(text: str = messages.NOT_ALLOWED) -> Reply:
    """A press the person may not make: said privately, nothing changed, the card left as it was."""
    return Reply(text, ephemeral=True, refused=True)


def sent_back(form: dict) -> dict[str, str]:
    """A submitted form's values as a form field holds them, to show it again with an error: a list chosen
    (people involved) comma-separated, a tick "true". Losing either would send the report to the very person
    the reporter named, or meant to keep it from."""
    out = {}
    for k, v in form.items():
        if isinstance(v, str):
            out[k] = v
        elif isinstance(v, bool):
            out[k] = "true" if v else ""
        elif isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
            out[k] = ",".join(v)
    return out
