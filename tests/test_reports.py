"""Reports, platform-neutral: intake, routing, actions, escalation, the outbox, retention."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import build
from bot.web.sender import WebSender
from chat import actions
from chat.model import COMMAND, Action, Message
from core.settings import Settings
from handlers.directory import parse_csv
from handlers.reports import escalation, outbox
from handlers.reports.actions import ReportActions
from handlers.reports.cli import export_person
from handlers.reports.delivery import DeliveryError
from handlers.reports.inbox import WebInbox

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "sample" / "directory.csv").read_text("utf-8")


class Clock:
    def __init__(self, when: datetime):
        self.now = when

    def __call__(self) -> datetime:
        return self.now


class FakeSender:
    """A chat platform that records what it was asked to send; can fail on demand."""

    platform = "slack"
    inbox = False

    def __init__(self):
        self.sent, self.updates, self.channel_posts, self.fail_next = [], [], [], 0

    def reaches(self, person):
        return bool(person.slack_user_id)

    def _maybe_fail(self):
        if self.fail_next:
            self.fail_next -= 1
            raise DeliveryError("429 from the platform", retry_after=1)

    async def dm(self, person, reply, notice=None):
        self._maybe_fail()
        self.sent.append((person.slack_user_id, reply))
        return ("D" + person.slack_user_id, f"ts{len(self.sent)}")

    async def dm_user(self, user_id, reply, notice=None):
        self._maybe_fail()
        self.sent.append((user_id, reply))
        return ("D" + user_id, f"ts{len(self.sent)}")

    async def channel(self, reply):
        self._maybe_fail()
        self.channel_posts.append(reply)
        return ("CCOMMS", f"c{len(self.channel_posts)}")

    async def update(self, channel, message_id, reply):
        self.updates.append((channel, message_id, reply))


FRIDAY_4PM = datetime(2026, 8, 28, 15, 0, tzinfo=UTC)  # 16:00 BST, before the August bank holiday


def make(path=":memory:", when=FRIDAY_4PM):
    clock = Clock(when)
    ted = build(Settings(), path, clock=clock)
    ted.directory.import_rows(parse_csv(SAMPLE))
    sender = FakeSender()
    ted.outbox.senders += [WebSender(WebInbox(ted.db)), sender]  # as bot.server mounts them: the web chat first
    return ted, clock, sender


GOOD = {
    "category": "abuse_me",
    "platform": "facebook",
    "links": "https://facebook.com/tdc/posts/1",
    "account": "@angryresident",
    "seen_at": "2026-08-27",
    "service_area": "Leisure and Tourism",
    "description": "Repeated abusive replies to me under the beach safety post.",
    "at_risk": "no",
    "wants_hr": "no",
    "confidential": "no",
}


def submit(ted, user, **changes):
    (reply,) = ted.router.action(Action("slack", user, actions.REPORT_SUBMIT, form={**GOOD, **changes}))
    return reply


def reassign(ted, by: str, to: str, ref: str = "TED-2026-0001"):
    """`by` (a Slack user id) reassigns the report to `to` (an email) through the form."""
    return ted.router.action(Action("slack", by, actions.REPORT_REASSIGN_SUBMIT, ref, form={"to": to}))


def recipients(ted, ref):
    report = ted.reports.by_ref(ref)
    return {r["email"].split("@")[0]: r["role"] for r in ted.reports.recipients(report["id"])}


def deliver(ted):
    return asyncio.run(ted.outbox.run_once())


def test_report_command_opens_the_form_prefilled():
    ted, _, _ = make()
    (r,) = ted.router.message(Message("slack", "U0ALEXLIFE", "", command="/report", surface=COMMAND))
    assert r.form.form_id == actions.REPORT_SUBMIT
    assert [f.name for f in r.form.fields][:2] == ["category", "platform"]
    (r,) = ted.router.action(Action("slack", "U0ALEXLIFE", actions.REPORT_OPEN, "someone swore at me"))
    assert dict((f.name, f.value) for f in r.form.fields)["description"] == "someone swore at me"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"description": "   "}, "description"),
        ({"links": "not a link"}, "links"),
        ({"links": "javascript:alert(1)"}, "links"),
        ({"category": ""}, "category"),
        ({"seen_at": "2099-01-01"}, "seen_at"),
        ({"description": "x" * 3001}, "description"),
        ({"at_risk": ""}, "at_risk"),
        ({"service_area": "Nonexistent"}, "service_area"),
    ],
)
def test_invalid_input_is_shown_inline_and_nothing_is_stored(changes, field):
    ted, _, _ = make()
    reply = submit(ted, "U0ALEXLIFE", **changes)
    assert field in reply.form.errors
    assert ted.db["reports"].count == 0


def test_abuse_goes_to_line_manager_and_comms_manager_with_a_reference_and_guidance():
    ted, _, sender = make()
    reply = submit(ted, "U0ALEXLIFE")
    assert "TED-2026-0001" in reply.text and "999" in reply.text and "don't engage" in reply.text
    assert recipients(ted, "TED-2026-0001") == {"sam.leisure": "line_manager", "casey.comms": "communications_manager"}
    assert deliver(ted) == 3  # two DMs and the comms channel post
    assert sorted(u for u, _ in sender.sent) == ["U0COMMSMGR", "U0SAMLEISR"]
    dm = sender.sent[0][1]
    assert [b.action_id for b in dm.buttons] == [
        actions.REPORT_ACK,
        actions.REPORT_NOTE,
        actions.REPORT_REASSIGN,
        actions.REPORT_RESOLVE,
        actions.REPORT_DETAILS,
    ]
    assert len(sender.channel_posts) == 1
    # Web chat inboxes hold the same messages.
    assert ted.db["web_messages"].count == 2


def test_hr_when_asked_and_disparaging_content_reaches_the_service_area_manager():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE", wants_hr="yes")
    assert recipients(ted, "TED-2026-0001")["harper.hr"] == "hr"
    submit(ted, "U0KITPLANR", category="disparaging", service_area="Waste and Recycling")
    got = recipients(ted, "TED-2026-0002")
    assert got == {
        "drew.planning": "line_manager",
        "morgan.waste": "service_area_manager",
        "casey.comms": "communications_manager",
    }


def test_missing_manager_falls_back_to_the_communications_team_and_is_flagged():
    ted, _, _ = make()
    submit(ted, "U0PATQUINN")
    report = ted.reports.by_ref("TED-2026-0001")
    assert json.loads(report["flags"]) == ["manager_missing"]
    assert recipients(ted, "TED-2026-0001") == {
        "casey.comms": "communications_manager",
        "robin.press": "communications",
    }
    deliver(ted)
    (msg,) = [m for m in WebInbox(ted.db).for_person("casey.comms@tendring.example")]
    assert "not in the staff directory" in msg["reply"]["text"]


def test_conflict_of_interest_is_routed_around_the_management_line():
    ted, _, _ = make()
    submit(ted, "U0KITPLANR", involved_line="yes")
    got = recipients(ted, "TED-2026-0001")
    assert "drew.planning" not in got and "riley.planning" not in got
    assert got == {"harper.hr": "hr", "casey.comms": "communications_manager", "robin.press": "communications"}


def test_stranger_refused_manager_acknowledges_reporter_told_and_messages_updated():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE")
    deliver(ted)
    (refused,) = ted.router.action(Action("slack", "U0JAMIECRW", actions.REPORT_ACK, "TED-2026-0001"))
    assert "Nothing has been changed" in refused.text
    assert ted.reports.by_ref("TED-2026-0001")["status"] == "open"
    unknown = ted.router.action(Action("slack", "U0NOBODY", actions.REPORT_RESOLVE, "TED-2026-0001"))
    assert "Nothing has been changed" in unknown[0].text

    done, card = ted.router.action(Action("slack", "U0SAMLEISR", actions.REPORT_ACK, "TED-2026-0001"))
    assert "acknowledged" in done.text and card.replace_original
    assert ted.reports.by_ref("TED-2026-0001")["status"] == "acknowledged"
    sender.sent.clear()
    deliver(ted)
    assert [u for u, _ in sender.sent] == ["U0ALEXLIFE"] and "acknowledged" in sender.sent[0][1].text
    assert len(sender.updates) == 3  # both DMs and the channel post now show "Acknowledged"
    assert all("Status: Acknowledged" in r.text for _, _, r in sender.updates)
    events = [e["action"] for e in ted.reports.events(ted.reports.by_ref("TED-2026-0001")["id"])]
    assert events == ["filed", "acknowledged", "told_reporter"]


def test_note_reassign_resolve_and_status_lists():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE")
    (form,) = ted.router.action(Action("slack", "U0COMMSMGR", actions.REPORT_NOTE, "TED-2026-0001"))
    assert form.form.form_id == actions.REPORT_NOTE_SUBMIT
    ted.router.action(
        Action(
            "slack",
            "U0COMMSMGR",
            actions.REPORT_NOTE_SUBMIT,
            "TED-2026-0001",
            form={"note": "Asked Facebook to remove it"},
        )
    )
    reassign(ted, "U0SAMLEISR", "jordan.leisure@tendring.example")
    got = recipients(ted, "TED-2026-0001")
    assert got.get("jordan.leisure") == "assignee" and "sam.leisure" not in got
    (refused,) = ted.router.action(Action("slack", "U0SAMLEISR", actions.REPORT_ACK, "TED-2026-0001"))
    assert "Nothing has been changed" in refused.text
    ted.router.action(
        Action(
            "slack",
            "U0HOSLEISR",
            actions.REPORT_RESOLVE_SUBMIT,
            "TED-2026-0001",
            form={"outcome": "removed", "note": "gone"},
        )
    )
    report = ted.reports.by_ref("TED-2026-0001")
    assert report["status"] == "resolved" and report["outcome"] == "removed"
    (mine,) = ted.router.message(Message("slack", "U0ALEXLIFE", "status", command="/report", surface=COMMAND))
    assert "TED-2026-0001" in mine.text and "Resolved" in mine.text
    (open_,) = ted.router.message(Message("slack", "U0COMMSMGR", "open", command="/report", surface=COMMAND))
    assert "Nothing is waiting" in open_.text
    deliver(ted)
    assert any("resolved" in r.text for u, r in sender.sent if u == "U0ALEXLIFE")


def test_deadline_runs_in_working_hours_across_a_weekend_and_bank_holiday():
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")  # Friday 16:00 BST, 4 working hours to acknowledge
    report = ted.reports.by_ref("TED-2026-0001")
    # 1 hour on Friday; Monday 31 August is a bank holiday; 3 hours on Tuesday -> 12:00 BST.
    assert report["ack_due_at"] == "2026-09-01T11:00:00+00:00"
    assert escalation.tick(ted.reports, datetime(2026, 9, 1, 10, 59, tzinfo=UTC)) == []
    clock.now = datetime(2026, 9, 1, 11, 1, tzinfo=UTC)
    assert escalation.tick(ted.reports) == ["TED-2026-0001"]
    got = recipients(ted, "TED-2026-0001")
    assert got["jordan.leisure"] == "escalation"
    assert escalation.tick(ted.reports) == []  # idempotent until the next deadline
    deliver(ted)
    templates = {r.template for _, r in sender.sent}
    assert {"escalated", "reminder"} <= templates


def test_scheduler_catches_up_after_downtime():
    ted, clock, _ = make()
    submit(ted, "U0ALEXLIFE")
    submit(ted, "U0JAMIECRW", category="disparaging")
    clock.now = datetime(2026, 9, 8, 12, 0, tzinfo=UTC)  # a week later
    assert escalation.tick(ted.reports) == ["TED-2026-0001", "TED-2026-0002"]


def test_someone_at_risk_is_urgent_whatever_the_hour():
    saturday_night = datetime(2026, 8, 29, 22, 0, tzinfo=UTC)
    ted, clock, sender = make(when=saturday_night)
    submit(ted, "U0ALEXLIFE", at_risk="yes")
    report = ted.reports.by_ref("TED-2026-0001")
    assert report["ack_due_at"] == "2026-08-29T22:30:00+00:00"
    assert "harper.hr" in recipients(ted, "TED-2026-0001")
    deliver(ted)
    assert all("AT RISK" in r.text for _, r in sender.sent)


def test_crash_between_storing_and_notifying_delivers_once_after_restart(tmp_path):
    path = str(tmp_path / "ted.db")
    ted, _, _ = make(path)
    submit(ted, "U0ALEXLIFE")
    # Simulate a crash mid-delivery: one row was claimed and never finished.
    outbox.claim_due(ted.db, FRIDAY_4PM, limit=1)
    ted.db.conn.close()

    again, _, sender = make(path)
    assert outbox.recover(again.db) == 1
    assert deliver(again) == 3
    assert deliver(again) == 0
    assert sorted(u for u, _ in sender.sent) == ["U0COMMSMGR", "U0SAMLEISR"]


def test_platform_429_is_retried_with_back_off():
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")
    sender.fail_next = 1
    assert deliver(ted) == 2
    assert outbox.pending_count(ted.db) == 1
    assert deliver(ted) == 0  # not due yet
    clock.now += timedelta(seconds=3)
    assert deliver(ted) == 1
    assert len(sender.sent) == 2 and outbox.pending_count(ted.db) == 0


def test_retention_purge_respects_legal_hold_and_export_gathers_a_persons_data():
    ted, clock, _ = make()
    submit(ted, "U0ALEXLIFE")
    submit(ted, "U0ALEXLIFE", description="second one")
    for ref in ("TED-2026-0001", "TED-2026-0002"):
        ted.router.action(
            Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, ref, form={"outcome": "no_action"})
        )
    escalation.set_legal_hold(ted.reports, "TED-2026-0002", True, "test")
    data = export_person(ted, "alex.lifeguard@tendring.example")
    assert {r["ref"] for r in data["reports_filed"]} == {"TED-2026-0001", "TED-2026-0002"}
    clock.now += timedelta(days=366)
    assert escalation.purge(ted.reports, dry_run=True) == ["TED-2026-0001"]
    assert escalation.purge(ted.reports) == ["TED-2026-0001"]
    assert ted.reports.by_ref("TED-2026-0001")["description"] == escalation.PURGED
    assert ted.reports.by_ref("TED-2026-0002")["description"] == "second one"
    purged = ted.reports.by_ref("TED-2026-0001")
    assert purged["involved"] == "[]" and purged["excluded"] == "[]" and purged["reporter_email"] == ""


def test_the_export_lists_reports_that_name_the_person_as_involved():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE", involved=["jamie.crew@tendring.example"])
    data = export_person(ted, "jamie.crew@tendring.example")
    assert [r["ref"] for r in data["reports_naming_them"]] == ["TED-2026-0001"]
    assert "description" not in data["reports_naming_them"][0]  # the reporter's words stay for the DPO to review


def test_directory_reimport_updates_in_place_and_marks_leavers():
    ted, _, _ = make()
    rows = [r for r in parse_csv(SAMPLE) if r["email"] != "sam.leisure@tendring.example"]
    counts = ted.directory.import_rows(rows)
    assert counts["left"] == 1 and counts["added"] == 0
    assert counts["unchanged"] == len(rows) and counts["updated"] == 0  # the same file: nobody changed
    moved = [{**r, "service_area": "Leisure"} if r["email"] == rows[0]["email"] else r for r in rows]
    again = ted.directory.import_rows(moved)
    assert again["updated"] == 1 and again["unchanged"] == len(rows) - 1
    assert not ted.directory.get("sam.leisure@tendring.example").active
    submit(ted, "U0ALEXLIFE")
    report = ted.reports.by_ref("TED-2026-0001")
    assert json.loads(report["flags"]) == ["manager_left"]


def stored_screenshot(tmp_path, upload_id: str):
    """TED with a web-chat screenshot stored under `upload_id`: (ted, clock, the uploads folder)."""
    ted, clock, _ = make(str(tmp_path / "ted.db"))
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / f"{upload_id}.img").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (uploads / f"{upload_id}.json").write_text("{}")
    return ted, clock, uploads


def test_purge_deletes_stored_screenshots(tmp_path):
    upload_id = "A" * 24
    ted, clock, uploads = stored_screenshot(tmp_path, upload_id)
    submit(ted, "U0ALEXLIFE", screenshots=[{"id": upload_id, "name": "shot.png"}])
    ted.router.action(
        Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, "TED-2026-0001", form={"outcome": "removed"})
    )
    clock.now += timedelta(days=366)
    assert escalation.purge(ted.reports, forget_attachments=ted.forget_attachments) == ["TED-2026-0001"]
    assert list(uploads.iterdir()) == []
    assert ted.reports.by_ref("TED-2026-0001")["attachments"] == "[]"


def test_purge_keeps_a_screenshot_another_report_still_holds(tmp_path):
    upload_id = "B" * 24
    ted, clock, uploads = stored_screenshot(tmp_path, upload_id)
    for n in range(2):  # two reports hold the same file (however the second came by it)
        shot = [{"id": upload_id, "name": "shot.png"}]
        submit(
            ted,
            "U0ALEXLIFE",
            screenshots=shot,
            description=f"The same post, seen again ({n}), calls a named officer a liar.",
        )
    ted.router.action(
        Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, "TED-2026-0001", form={"outcome": "removed"})
    )
    clock.now += timedelta(days=366)
    assert escalation.purge(ted.reports, forget_attachments=ted.forget_attachments) == ["TED-2026-0001"]
    assert (uploads / f"{upload_id}.img").exists()  # TED-2026-0002 is open: its evidence stays
    assert json.loads(ted.reports.by_ref("TED-2026-0002")["attachments"])[0]["id"] == upload_id


class GoneSender(FakeSender):
    """A platform that says the person is gone (Slack user_not_found, Teams 403)."""

    async def dm(self, person, reply, notice=None):
        from handlers.reports.delivery import Unreachable

        raise Unreachable("user_not_found")


def test_a_permanently_unreachable_recipient_is_flagged_and_comms_told():
    ted, _, _ = make()
    ted.outbox.senders[:] = [GoneSender()]
    submit(ted, "U0ALEXLIFE")
    deliver(ted)
    report = ted.reports.by_ref("TED-2026-0001")
    flags = json.loads(report["flags"])
    assert "unreachable:sam.leisure@tendring.example" in flags
    assert outbox.pending_count(ted.db) > 0  # the "could not reach" notices to comms are queued


def test_a_notification_that_keeps_failing_is_given_up_flagged_and_not_retried_forever():
    from handlers.reports.delivery import MAX_ATTEMPTS

    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")
    sender.fail_next = 10_000
    for _ in range(MAX_ATTEMPTS + 2):
        deliver(ted)
        clock.now += timedelta(minutes=16)
    assert outbox.failed_count(ted.db) >= 1
    assert any(f.startswith("unreachable:") for f in json.loads(ted.reports.by_ref("TED-2026-0001")["flags"]))


def test_purge_removes_copies_in_web_inboxes_and_the_reporter_from_the_audit():
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE", description="SECRET DESCRIPTION")
    deliver(ted)
    assert ted.db["web_messages"].count == 2
    ted.router.action(
        Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, "TED-2026-0001", form={"outcome": "removed"})
    )
    deliver(ted)
    clock.now += timedelta(days=366)
    escalation.purge(ted.reports)
    assert "SECRET" not in json.dumps(list(ted.db["web_messages"].rows))
    events = ted.reports.events(ted.reports.by_ref("TED-2026-0001")["id"])
    assert "alex.lifeguard@tendring.example" not in json.dumps(events)
    sender.updates.clear()
    deliver(ted)
    assert sender.updates and all("SECRET" not in r.text for _, _, r in sender.updates)


def test_export_includes_questions_and_feedback_on_every_platform():
    ted, _, _ = make()
    (r,) = ted.router.message(Message("slack", "U0ALEXLIFE", "can I put the council logo on my facebook?"))
    ted.router.action(Action("slack", "U0ALEXLIFE", actions.FEEDBACK_UP, str(r.asked_id)))
    data = export_person(ted, "alex.lifeguard@tendring.example")
    assert [q["question"] for q in data["questions_asked"]] == ["can I put the council logo on my facebook?"]
    assert len(data["feedback_given"]) == 1


def test_reporter_is_never_sent_their_own_report_nor_can_act_on_it():
    ted, _, _ = make()
    submit(ted, "U0SAMLEISR", category="disparaging", service_area="Leisure and Tourism")
    assert "sam.leisure" not in recipients(ted, "TED-2026-0001")
    (refused,) = ted.router.action(Action("slack", "U0SAMLEISR", actions.REPORT_ACK, "TED-2026-0001"))
    assert "Nothing has been changed" in refused.text
    # A comms officer reporting about their own management line: their line manager is routed around.
    submit(ted, "U0COMMSOFF", involved_line="yes")
    got = recipients(ted, "TED-2026-0002")
    assert "robin.press" not in got and "casey.comms" not in got
    (refused,) = ted.router.action(Action("slack", "U0COMMSMGR", actions.REPORT_ACK, "TED-2026-0002"))
    assert "Nothing has been changed" in refused.text
    assert ted.reports.by_ref("TED-2026-0002")["status"] == "open"


def test_someone_who_has_left_is_reminded_of_nothing_and_a_reassigned_report_leaves_its_old_holder():
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")  # to Sam (Alex's line manager) and the Communications Manager
    report = ted.reports.by_ref("TED-2026-0001")
    ted.directory.import_rows([r for r in parse_csv(SAMPLE) if r["email"] != "sam.leisure@tendring.example"])
    sam = ted.directory.get("sam.leisure@tendring.example")
    assert not ReportActions(ted.reports).can_act(report, sam)
    clock.now = datetime(2026, 9, 1, 11, 1, tzinfo=UTC)
    escalation.tick(ted.reports)
    deliver(ted)
    reminded = {r["recipient"] for r in ted.db["outbox"].rows if r["template"] == "reminder"}
    assert "sam.leisure@tendring.example" not in reminded
    # The communications team reassigns it: whoever held it for the line no longer does.
    ted2, _, _ = make()
    submit(ted2, "U0ALEXLIFE")
    reassign(ted2, "U0COMMSMGR", "morgan.waste@tendring.example")
    holders = recipients(ted2, "TED-2026-0001")
    assert "sam.leisure" not in holders and holders.get("morgan.waste") == "assignee"


def test_two_presses_on_the_same_stale_card_act_once():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    stale = ted.reports.by_ref("TED-2026-0001")
    acts = ReportActions(ted.reports)
    sam, casey = ted.directory.get("sam.leisure@tendring.example"), ted.directory.get("casey.comms@tendring.example")
    assert acts.resolve(stale, sam, "removed").changed
    second = acts.resolve(stale, casey, "no_action")  # read before the first was handled
    assert not second.changed and "already resolved" in second.message
    assert ted.reports.by_ref("TED-2026-0001")["outcome"] == "removed"
    assert sum(e["action"] == "resolved" for e in ted.reports.events(stale["id"])) == 1
    assert not acts.acknowledge(stale, casey).changed


def test_the_same_form_twice_is_one_report_for_ten_minutes_and_a_new_one_after():
    ted, clock, _ = make()
    seen = {"seen_at": ""}
    first, again = submit(ted, "U0ALEXLIFE", **seen), submit(ted, "U0ALEXLIFE", **seen)
    assert ted.db["reports"].count == 1 and first.report_ref == again.report_ref
    submit(ted, "U0ALEXLIFE", description="something else entirely", **seen)
    assert ted.db["reports"].count == 2  # different words: another report
    clock.now += timedelta(minutes=11)
    later = submit(ted, "U0ALEXLIFE", **seen)
    assert ted.db["reports"].count == 3 and later.report_ref != first.report_ref


def test_people_typed_as_involved_are_matched_whatever_their_case():
    from handlers.reports.form import validate

    clean, errors = validate({**GOOD, "involved": "Casey.Comms@Tendring.Example, U0SAMLEISR"})
    assert not errors and clean["involved"] == ["casey.comms@tendring.example", "U0SAMLEISR"]


def test_an_acknowledgement_overtaken_by_the_resolution_is_not_sent_after_it():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE")
    ted.router.action(Action("slack", "U0SAMLEISR", actions.REPORT_ACK, "TED-2026-0001"))
    ted.router.action(
        Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, "TED-2026-0001", form={"outcome": "no_action"})
    )
    deliver(ted)  # both were waiting: the acknowledgement was held up until after the resolution
    to_reporter = [r.text for u, r in sender.sent if u == "U0ALEXLIFE"]
    assert any("resolved" in t for t in to_reporter), to_reporter
    assert not any("being looked at" in t for t in to_reporter), to_reporter


def test_giving_up_on_the_reporter_flags_the_report_and_on_a_copys_update_flags_nobody():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    report = ted.reports.by_ref("TED-2026-0001")
    now = ted.reports.clock()
    outbox.enqueue(
        ted.db,
        now,
        report["id"],
        outbox.DM,
        "reporter_acknowledged",
        recipient=outbox.REPORTER,
        dedupe_key="t-reporter",
    )
    outbox.enqueue(
        ted.db,
        now,
        report["id"],
        outbox.UPDATE,
        "status",
        recipient="sam.leisure@tendring.example",
        dedupe_key="t-update",
    )
    for key in ("t-update", "t-reporter"):
        row = next(r for r in ted.db["outbox"].rows if r["dedupe_key"] == key)
        ted.outbox._give_up(row, now, "gone")
    flags = json.loads(ted.reports.by_ref("TED-2026-0001")["flags"])
    assert "unreachable:the reporter" in flags and "unreachable:sam.leisure@tendring.example" not in flags


def test_reports_show_gives_the_outcome_and_the_legal_hold(capsys):
    import argparse

    from handlers.reports.cli import reports_command

    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    ted.router.action(
        Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, "TED-2026-0001", form={"outcome": "removed"})
    )
    escalation.set_legal_hold(ted.reports, "TED-2026-0001", True, "test")
    args = argparse.Namespace(action="show", ref="TED-2026-0001", json=False)
    assert reports_command(ted, args) == 0
    out = capsys.readouterr().out
    assert "Outcome:" in out and "Legal hold: on" in out


def test_reassign_sent_with_nobody_chosen_asks_again_beside_the_field():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    (reply,) = reassign(ted, "U0SAMLEISR", "")
    assert reply.form is not None and reply.form.errors == {"to": "Please choose who should take it."}
    assert "casey.comms@tendring.example" in [v for v, _ in reply.form.fields[0].options]
    assert ted.reports.by_ref("TED-2026-0001")["assigned_to"] in (None, "")  # nothing changed
    (refused,) = reassign(ted, "U0JAMIECRW", "")  # someone who may not act on it is refused, not shown the form
    assert refused.form is None


def test_reassign_offers_everyone_and_each_platform_cuts_the_list_to_what_it_can_show():
    from bot.slack.forms import MAX_OPTIONS
    from bot.teams.render import MAX_PEOPLE

    ted, _, _ = make()
    extra = "".join(f"mgr{i}@tendring.example,Manager {i},,,,Parks,service_area_manager\n" for i in range(180))
    ted.directory.import_rows(parse_csv(SAMPLE + extra))
    submit(ted, "U0ALEXLIFE")
    (reply,) = ted.router.action(Action("slack", "U0COMMSMGR", actions.REPORT_REASSIGN, "TED-2026-0001"))
    options = [v for v, _ in reply.form.fields[0].options]
    assert len(options) > 180 and "taylor.waste@tendring.example" in options  # the web chat lists them all
    from bot.slack.forms import input_block
    from bot.teams.render import form_card

    assert len(input_block(reply.form.fields[0])["element"]["options"]) == MAX_OPTIONS  # Slack's static_select
    (choices,) = [i for i in form_card(reply.form)["body"] if i.get("type") == "Input.ChoiceSet"]
    assert len(choices["choices"]) == MAX_PEOPLE  # a Teams card within its size limit


def test_a_legal_hold_put_on_while_a_purge_runs_keeps_that_report_whole():
    ted, clock, _ = make()
    for n in range(2):
        submit(ted, "U0ALEXLIFE", description=f"Report {n}: someone keeps calling our lifeguards liars online.")
        ref = f"TED-2026-000{n + 1}"
        ted.router.action(
            Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, ref, form={"outcome": "removed"})
        )
    clock.now += timedelta(days=366)

    def meanwhile(_attachments):  # while the first is purged, someone puts the second on hold from a shell
        escalation.set_legal_hold(ted.reports, "TED-2026-0002", True, "casey.comms@tendring.example")

    assert escalation.purge(ted.reports, forget_attachments=meanwhile) == ["TED-2026-0001"]
    held = ted.reports.by_ref("TED-2026-0002")
    assert held["legal_hold"] == 1 and held["purged_at"] is None and held["description"].startswith("Report 1")


def test_a_report_that_meets_a_busy_database_is_tried_again_and_then_said_to_be_a_busy_moment():
    import sqlite3

    from handlers import messages

    ted, _, _ = make()
    real = ted.reports.file
    held = {"times": 1}

    def busy_then_free(*args, **kwargs):  # another process holds the write lock past the busy timeout, once
        if held["times"]:
            held["times"] -= 1
            raise sqlite3.OperationalError("database is locked")
        return real(*args, **kwargs)

    ted.reports.file = busy_then_free
    assert "your report is TED-2026-0001" in submit(ted, "U0ALEXLIFE").text  # the second try saved it
    held["times"] = 2
    reply = submit(ted, "U0ALEXLIFE", description="Another abusive reply under the beach safety post.")
    assert reply.text.startswith(messages.REPORT_NOT_SAVED_BUSY.split("{")[0]) and "busy" in reply.text
    assert ted.db["reports"].count == 1


def test_a_purged_report_keeps_nothing_that_points_back_at_who_reported_it():
    ted, clock, _ = make()
    submit(ted, "U0ALEXLIFE", at_risk="yes", wants_hr="yes", description="SECRET DESCRIPTION")
    deliver(ted)
    ted.router.action(
        Action("slack", "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, "TED-2026-0001", form={"outcome": "removed"})
    )
    clock.now += timedelta(days=366)
    escalation.purge(ted.reports)
    report = ted.reports.by_ref("TED-2026-0001")
    assert (report["at_risk"], report["wants_hr"], report["flags"]) == (0, 0, "[]")
    kept = json.dumps([dict(r) for r in ted.db["report_recipients"].rows_where("report_id = ?", [report["id"]])])
    assert "line manager" not in kept and "HR support" not in kept and "line_manager" not in kept
    assert "sam.leisure" not in json.dumps(ted.reports.events(report["id"]))  # who it was sent to, when filed
    assert (report["category"], report["outcome"], report["ref"]) == ("abuse_me", "removed", "TED-2026-0001")


def test_the_export_covers_curation_uploads_notifications_and_teams_references():
    from knowledge import teach

    ted, _, _ = make()
    casey = "casey.comms@tendring.example"
    teach.teach(ted.db, "5.13", "may I add a contractor on facebook?", casey)
    submit(ted, "U0ALEXLIFE")
    ted.db["uploads"].insert({"id": "u1", "owner": casey, "size": 10, "uploaded_at": "2026-09-01T10:00:00+00:00"})
    ted.db["teams_users"].insert({"tenant_id": "t", "user_id": "29:casey", "aad_object_id": "aad-casey"})
    ted.db.execute("update people set teams_user_id = '29:casey' where email = ?", [casey])
    data = export_person(ted, casey)
    assert [t["question"] for t in data["questions_taught"]] == ["may I add a contractor on facebook?"]
    assert {a["action"] for a in data["curation_actions"]} == {"teach"}
    assert [u["id"] for u in data["screenshots_uploaded"]] == ["u1"]
    assert {n["ref"] for n in data["notifications_sent"]} == {"TED-2026-0001"}  # the new report's card
    assert [t["aad_object_id"] for t in data["teams_references"]] == ["aad-casey"]
    assert any("web inbox" in c for c in data["notice"]["does_not_cover"])  # third parties in it: reviewed first
