"""Reports v2, platform-neutral: who is told what for normal, confidential and "someone in my management line"
reports; people named as involved never receive, see or act on a report; deadlines the reporter can see, outcome
reminders and snoozes; each viewer's timeline; the copies after a reassignment; the export and the CLI."""

import argparse
import json
from datetime import UTC, datetime

from chat import actions
from chat.model import Action
from handlers.reports import escalation, overview, timeline
from handlers.reports.cli import export_person, reports_command
from handlers.reports.inbox import WebInbox
from tests.test_reports import deliver, make, recipients, submit

ALEX, SAM, JORDAN, CASEY, ROBIN, HARPER, JAMIE = (
    f"{n}@tendring.example"
    for n in (
        "alex.lifeguard",
        "sam.leisure",
        "jordan.leisure",
        "casey.comms",
        "robin.press",
        "harper.hr",
        "jamie.crew",
    )
)
REF = "TED-2026-0001"


def press(ted, user, action_id, value=REF, **form):
    return ted.router.action(Action("slack", user, action_id, value, form=form))


def texts_to(sender, slack_id):
    return [r.text for u, r in sender.sent if u == slack_id]


def kind_of(ted, email):
    return timeline.viewer_kind(ted.reports, ted.reports.by_ref(REF), ted.directory.get(email))


def test_every_copy_says_who_reported_it_including_copies_updated_in_place():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE")
    deliver(ted)
    assert all("Reported by: Alex Reed (Leisure and Tourism)" in r.text for _, r in sender.sent)
    assert all("Reported by: Alex Reed" in r.text for r in sender.channel_posts)
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    deliver(ted)
    assert sender.updates and all(
        "Reported by: Alex Reed (Leisure and Tourism)" in r.text for _, _, r in sender.updates
    )


def test_confidential_goes_to_the_communications_team_only_and_anyone_later_sees_it_withheld():
    ted, clock, sender = make()
    reply = submit(ted, "U0ALEXLIFE", confidential="yes")
    assert "nobody but the Communications team will see your name" in reply.text
    assert recipients(ted, REF) == {"casey.comms": "communications_manager", "robin.press": "communications"}
    deliver(ted)
    assert sorted(u for u, _ in sender.sent) == ["U0COMMSMGR", "U0COMMSOFF"]
    assert all("Reported by: Alex Reed (Leisure and Tourism) — confidential" in r.text for _, r in sender.sent)
    assert len(sender.channel_posts) == 1 and "Reported by: Alex Reed" in sender.channel_posts[0].text
    # Escalation reaches the head of service, who sees the reporter withheld, in the copy and the history.
    clock.now = datetime(2026, 9, 1, 11, 1, tzinfo=UTC)
    assert escalation.tick(ted.reports) == [REF]
    sender.sent.clear()
    deliver(ted)
    (jordan,) = texts_to(sender, "U0HOSLEISR")
    assert "Reported by: withheld (confidential)" in jordan and "Alex" not in jordan
    report = ted.reports.by_ref(REF)
    seen = timeline.detail(ted.reports, report, kind_of(ted, JORDAN))
    assert seen["reporter"] is None and seen["timeline"][0]["actor"] == "withheld (confidential)"
    assert timeline.detail(ted.reports, report, kind_of(ted, CASEY))["reporter"]["name"] == "Alex Reed"


def test_confidential_with_hr_support_adds_hr_who_does_not_see_the_name():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE", confidential="yes", wants_hr="yes")
    assert recipients(ted, REF)["harper.hr"] == "hr" and "sam.leisure" not in recipients(ted, REF)
    deliver(ted)
    (harper,) = texts_to(sender, "U0HRADVISR")
    assert "Reported by: withheld (confidential)" in harper


def test_a_named_line_manager_is_skipped_for_the_next_manager_up_and_hr_and_never_sees_it():
    ted, clock, sender = make()
    (form,) = press(ted, "U0ALEXLIFE", actions.REPORT_OPEN, "")
    assert "alex.lifeguard@tendring.example" not in dict(
        next(f for f in form.form.fields if f.name == "involved").options
    )
    submit(ted, "U0ALEXLIFE", involved=["U0SAMLEISR"])  # Slack's user picker gives Slack ids
    assert recipients(ted, REF) == {
        "jordan.leisure": "line_manager_above",
        "casey.comms": "communications_manager",
        "harper.hr": "hr",
    }
    deliver(ted)
    assert texts_to(sender, "U0SAMLEISR") == []
    (jordan,) = texts_to(sender, "U0HOSLEISR")
    assert "People involved (never sent this report): Sam Okafor" in jordan
    for action_id in (actions.REPORT_ACK, actions.REPORT_DETAILS, actions.REPORT_NOTE, actions.REPORT_REASSIGN):
        (refused,) = press(ted, "U0SAMLEISR", action_id)
        assert refused.refused and "Sam" not in refused.text
    assert ted.reports.by_ref(REF)["status"] == "open" and kind_of(ted, SAM) is None
    (form,) = press(ted, "U0COMMSMGR", actions.REPORT_REASSIGN)
    assert SAM not in dict(form.form.fields[0].options)
    refused, _ = press(ted, "U0COMMSMGR", actions.REPORT_REASSIGN_SUBMIT, to=SAM)
    assert refused.changed is False and "sam.leisure" not in recipients(ted, REF)
    clock.now = datetime(2026, 9, 8, 12, 0, tzinfo=UTC)
    escalation.tick(ted.reports)
    assert "sam.leisure" not in recipients(ted, REF)
    assert ted.reports.open_for(ted.directory.get(SAM)) == []


def test_a_named_communications_manager_the_rest_of_the_team_and_the_line_manager_hear_no_channel_post():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE", involved=[CASEY])  # the web and Teams pick people by email
    assert recipients(ted, REF) == {"sam.leisure": "line_manager", "robin.press": "communications"}
    deliver(ted)
    assert sender.channel_posts == [] and texts_to(sender, "U0COMMSMGR") == []
    (refused,) = press(ted, "U0COMMSMGR", actions.REPORT_ACK)
    assert refused.refused
    assert overview.select(ted.reports, CASEY) == [] and len(overview.select(ted.reports, ROBIN)) == 1
    assert ted.reports.open_for(ted.directory.get(CASEY)) == []


def test_someone_in_my_management_line_id_rather_not_say_goes_to_hr_and_comms_and_escalation_skips_the_line():
    ted, clock, _ = make()
    submit(ted, "U0ALEXLIFE", involved_line=True)
    assert recipients(ted, REF) == {
        "casey.comms": "communications_manager",
        "robin.press": "communications",
        "harper.hr": "hr",
    }
    clock.now = datetime(2026, 9, 8, 12, 0, tzinfo=UTC)
    escalation.tick(ted.reports)
    assert not {"sam.leisure", "jordan.leisure"} & set(recipients(ted, REF))
    for who in ("U0SAMLEISR", "U0HOSLEISR"):
        (refused,) = press(ted, who, actions.REPORT_ACK)
        assert refused.refused


def test_at_risk_has_no_default_and_must_be_answered_and_confidential_defaults_to_no():
    ted, _, _ = make()
    (form,) = press(ted, "U0ALEXLIFE", actions.REPORT_OPEN, "my question")
    values = {f.name: f.value for f in form.form.fields}
    assert values["at_risk"] == "" and values["confidential"] == "no" and values["description"] == "my question"
    reply = submit(ted, "U0ALEXLIFE", at_risk="")
    assert "at_risk" in reply.form.errors and ted.db["reports"].count == 0


def test_the_confirmation_says_when_to_expect_acknowledgement_and_an_outcome():
    ted, _, _ = make()
    reply = submit(ted, "U0ALEXLIFE")  # Friday 16:00 BST; abuse: 4 working hours, 5 working days
    report = ted.reports.by_ref(REF)
    assert report["resolve_due_at"] == "2026-09-07T16:00:00+00:00"  # the bank holiday Monday is not counted
    assert "acknowledgement by Tue 01 Sep 2026, 12:00" in reply.text
    assert "an outcome by Mon 07 Sep 2026, 17:00" in reply.text
    assert [b.action_id for b in reply.buttons] == [actions.REPORT_DETAILS]


def test_outcome_reminder_before_it_is_due_then_handlers_and_comms_reminded_and_the_reporter_told():
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    deliver(ted)
    sender.sent.clear()
    clock.now = datetime(2026, 9, 7, 8, 30, tzinfo=UTC)  # 09:30 on the day it is due
    escalation.tick(ted.reports)
    deliver(ted)
    assert sorted(u for u, r in sender.sent if r.template == "outcome_due") == ["U0COMMSMGR", "U0SAMLEISR"]
    sender.sent.clear()
    clock.now = datetime(2026, 9, 7, 16, 1, tzinfo=UTC)
    escalation.tick(ted.reports)
    escalation.tick(ted.reports)  # idempotent
    deliver(ted)
    assert sorted(u for u, r in sender.sent if r.template == "outcome_overdue") == [
        "U0COMMSMGR",
        "U0COMMSOFF",
        "U0SAMLEISR",
    ]
    told = texts_to(sender, "U0ALEXLIFE")
    assert len(told) == 1 and "not reached an outcome" in told[0], told
    assert overview.is_overdue(ted.reports.by_ref(REF), clock.now)


def test_snooze_pauses_reminders_until_the_date_then_they_resume_and_the_timeline_records_it():
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")
    refused, _ = press(ted, "U0SAMLEISR", actions.REPORT_SNOOZE_SUBMIT, until="2026-09-10", reason="leave")
    assert refused.changed is False  # only an acknowledged report can be snoozed
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    (again,) = press(ted, "U0SAMLEISR", actions.REPORT_SNOOZE_SUBMIT, until="2026-09-30", reason="leave")
    assert "until" in again.form.errors  # more than 10 working days ahead
    done, card = press(
        ted, "U0SAMLEISR", actions.REPORT_SNOOZE_SUBMIT, until="2026-09-11", reason="waiting for Facebook"
    )
    assert "paused" in done.text and "Reminders paused until the end of Fri 11 Sep 2026" in card.text
    deliver(ted)
    sender.sent.clear()
    clock.now = datetime(2026, 9, 7, 16, 1, tzinfo=UTC)  # the outcome deadline passes during the snooze
    escalation.tick(ted.reports)
    deliver(ted)
    assert [u for u, _ in sender.sent] == ["U0ALEXLIFE"]  # the reporter is told on time; handlers wait
    clock.now = datetime(2026, 9, 11, 23, 30, tzinfo=UTC)  # the snooze has ended: 00:30 on Saturday
    escalation.tick(ted.reports)
    deliver(ted)
    assert [u for u, _ in sender.sent] == ["U0ALEXLIFE"]  # nobody reminded at night or at the weekend
    clock.now = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)  # Monday 09:00, the first working time after it
    escalation.tick(ted.reports)
    deliver(ted)
    assert "U0SAMLEISR" in {u for u, r in sender.sent if r.template == "outcome_overdue"}
    report = ted.reports.by_ref(REF)
    sam = [e for e in timeline.timeline(ted.reports, report, timeline.RECIPIENT) if e["action"] == "snoozed"]
    assert sam == [
        {
            "at": sam[0]["at"],
            "actor": "Sam Okafor",
            "action": "snoozed",
            "note": "until 2026-09-11: waiting for Facebook",
        }
    ]
    assert "snoozed" not in {e["action"] for e in timeline.timeline(ted.reports, report, timeline.REPORTER)}


def test_timeline_visibility_per_viewer():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE", involved=[JAMIE])
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    press(ted, "U0COMMSMGR", actions.REPORT_NOTE_SUBMIT, note="internal: asked Facebook")
    press(ted, "U0SAMLEISR", actions.REPORT_RESOLVE_SUBMIT, outcome="removed", note="gone now")
    assert {e: kind_of(ted, e) for e in (ALEX, SAM, CASEY, ROBIN, JAMIE, HARPER)} == {
        ALEX: "reporter",
        SAM: "recipient",
        CASEY: "comms",
        ROBIN: "comms",
        JAMIE: None,
        HARPER: None,
    }
    report = ted.reports.by_ref(REF)
    mine = timeline.detail(ted.reports, report, timeline.REPORTER)
    assert mine["reporter"] == {"name": "Alex Reed", "email": ALEX}
    assert [(e["actor"], e["action"]) for e in mine["timeline"]] == [
        ("Alex Reed", "filed"),
        ("Sam Okafor", "acknowledged"),
        ("TED", "told_reporter"),
        ("Sam Okafor", "resolved"),
        ("TED", "told_reporter"),
    ]
    assert "internal" not in json.dumps(mine) and "gone now" not in json.dumps(mine["timeline"])
    assert mine["timeline"][3]["note"] == "Outcome: Content removed / account reported to the platform"
    theirs = timeline.detail(ted.reports, report, timeline.RECIPIENT)
    assert "note" in [e["action"] for e in theirs["timeline"]] and "gone now" in theirs["timeline"][-2]["note"]


def test_after_reassignment_every_old_copy_says_reassigned_to_with_no_description_or_buttons():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE", description="SECRET DETAIL")
    deliver(ted)
    _, pressed = press(ted, "U0SAMLEISR", actions.REPORT_REASSIGN_SUBMIT, to=JORDAN)
    assert pressed.replace_original and pressed.text == f"{REF}: Reassigned to Jordan Ellis." and not pressed.buttons
    sender.sent.clear()
    deliver(ted)
    olds = [r for _, _, r in sender.updates]
    assert len(olds) == 3  # Sam's, Casey's and the channel's copies
    assert all(r.text == f"{REF}: Reassigned to Jordan Ellis." and not r.buttons for r in olds)
    (jordan,) = [r for u, r in sender.sent if u == "U0HOSLEISR"]
    assert "SECRET DETAIL" in jordan.text and jordan.buttons
    # Later changes keep the old copies as they are now.
    sender.updates.clear()
    press(ted, "U0HOSLEISR", actions.REPORT_ACK)
    deliver(ted)
    assert all("SECRET" not in r.text for _, _, r in sender.updates if r.template == "reassigned")


def test_the_reporters_own_copy_is_never_replaced_by_a_recipients_card():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE")
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    deliver(ted)
    press(ted, "U0SAMLEISR", actions.REPORT_NOTE_SUBMIT, note="looking")
    press(ted, "U0SAMLEISR", actions.REPORT_RESOLVE_SUBMIT, outcome="removed")
    deliver(ted)
    assert all(channel != "DU0ALEXLIFE" for channel, _, _ in sender.updates)
    alex = WebInbox(ted.db).for_person(ALEX)
    assert alex and all(
        not m["reply"]["buttons"] or m["reply"]["buttons"][0]["action_id"] == actions.REPORT_DETAILS for m in alex
    )
    assert all(m["reply"]["text"].startswith("Your report") for m in alex)


def test_subject_access_export_includes_notes_and_outcomes_on_the_persons_own_reports():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    press(ted, "U0COMMSMGR", actions.REPORT_NOTE_SUBMIT, note="Asked Facebook to remove it")
    press(ted, "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, outcome="removed", note="Facebook removed it")
    (mine,) = export_person(ted, ALEX)["reports_filed"]
    assert [n["note"] for n in mine["notes"]] == ["Asked Facebook to remove it", "Facebook removed it"]
    assert mine["outcome"] == "removed" and mine["outcome_label"].startswith("Content removed")


def test_cli_show_json_includes_the_timeline(capsys):
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    assert reports_command(ted, argparse.Namespace(action="show", ref=REF, json=True)) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["action"]) for e in shown["timeline"]][:2] == [
        ("Alex Reed", "filed"),
        ("Sam Okafor", "acknowledged"),
    ]


def test_metrics_count_and_median_working_time_per_category_and_csv_has_no_description():
    ted, clock, _ = make()
    submit(ted, "U0ALEXLIFE", description="PRIVATE WORDS")  # Friday 16:00 BST
    clock.now = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)  # Tuesday 10:00 BST: 1 + 1 working hours later
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    clock.now = datetime(2026, 9, 2, 15, 0, tzinfo=UTC)  # Wednesday 16:00 BST: 16 working hours, two days
    press(ted, "U0SAMLEISR", actions.REPORT_RESOLVE_SUBMIT, outcome="no_action")
    m = overview.metrics(ted.reports)
    assert m["abuse_me"] == {
        "label": "Abuse or harassment aimed at me",
        "count": 1,
        "median_hours_to_acknowledge": 2.0,
        "median_days_to_resolve": 2.0,
    }
    assert m["disparaging"]["count"] == 0 and m["disparaging"]["median_days_to_resolve"] is None
    text = overview.to_csv(overview.select(ted.reports, CASEY, status="all"))
    assert (
        text.splitlines()[0] == "ref,created,category,platform,service_area,status,acknowledged_at,resolved_at,outcome"
    )
    assert f"{REF},2026-08-28T15:00:00+00:00,abuse_me,facebook,Leisure and Tourism,resolved," in text
    assert "PRIVATE" not in text and "@angryresident" not in text


def test_a_named_person_is_not_told_by_the_metrics_nor_answered_with_a_form_and_no_channel_alert():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE", involved=[CASEY])
    cat = ted.reports.by_ref(REF)["category"]
    assert overview.metrics(ted.reports, CASEY)[cat]["count"] == 0  # its count would say it exists
    assert overview.metrics(ted.reports, ROBIN)[cat]["count"] == 1
    # An empty note, outcome or snooze from someone named is refused before any form comes back.
    for action_id in (actions.REPORT_NOTE_SUBMIT, actions.REPORT_RESOLVE_SUBMIT, actions.REPORT_SNOOZE_SUBMIT):
        (reply,) = press(ted, "U0COMMSMGR", action_id)
        assert reply.refused and reply.form is None, action_id
    # Someone the report can't reach: the comms team hears, but never in the channel Casey reads.
    ted.db.execute("update reports set flags = ? where ref = ?", [json.dumps(["channel_skipped"]), REF])
    deliver(ted)
    sender.channel_posts.clear()
    ted.outbox._flag(ted.reports.by_ref(REF), "unreachable:sam.leisure@tendring.example")
    deliver(ted)
    assert sender.channel_posts == []


def test_someone_in_my_line_is_never_reached_on_escalation_even_after_the_line_changes():
    from datetime import timedelta

    from handlers.directory import parse_csv
    from handlers.reports import escalation
    from tests.fakes.world import SAMPLE_DIRECTORY

    ted, clock, _ = make()
    submit(ted, "U0ALEXLIFE", involved_line="yes")
    jordan = "jordan.leisure@tendring.example,Jordan Ellis,U0HOSLEISR,,,Leisure and Tourism,head_of_service\n"
    assert jordan in SAMPLE_DIRECTORY
    changed = SAMPLE_DIRECTORY.replace(
        jordan, "quinn.leisure@tendring.example,Quinn Hart,U0QUINN,,,Leisure and Tourism,head_of_service\n"
    ).replace("U0SAMLEISR,,jordan.leisure@tendring.example", "U0SAMLEISR,,quinn.leisure@tendring.example")
    ted.directory.import_rows(parse_csv(changed))  # a new head of service, in Alex's line now
    clock.now += timedelta(days=6)  # well past the acknowledgement deadline: it escalates
    assert escalation.tick(ted.reports) == ["TED-2026-0001"]
    holders = {r["email"] for r in ted.reports.recipients(ted.reports.by_ref("TED-2026-0001")["id"])}
    assert "quinn.leisure@tendring.example" not in holders


def test_someone_not_in_the_directory_whose_line_is_involved_is_routed_around_the_area_managers():
    ted, clock, _ = make()
    submit(ted, "U0NEWSTART", category="disparaging", involved_line="yes", service_area="Leisure and Tourism")
    got = recipients(ted, REF)
    assert "harper.hr" in got and "sam.leisure" not in got and "jordan.leisure" not in got
    clock.now = datetime(2026, 9, 10, 10, tzinfo=UTC)  # days past the deadline: it escalates
    escalation.tick(ted.reports)
    assert "jordan.leisure" not in recipients(ted, REF)  # nor up to the head of service who may be their line


def test_hr_or_the_communications_manager_given_a_report_keep_their_part_when_it_moves_on():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE", wants_hr="yes")
    press(ted, "U0COMMSMGR", actions.REPORT_REASSIGN_SUBMIT, to=HARPER)
    press(ted, "U0COMMSMGR", actions.REPORT_REASSIGN_SUBMIT, to="morgan.waste@tendring.example")
    assert recipients(ted, REF)["harper.hr"] == "hr" and kind_of(ted, HARPER) is not None


def test_a_notification_the_report_has_overtaken_is_not_sent_and_an_unreachable_reporter_is_flagged():
    ted, _, sender = make()
    submit(ted, "U0ALEXLIFE")
    press(ted, "U0COMMSMGR", actions.REPORT_REASSIGN_SUBMIT, to="morgan.waste@tendring.example")
    deliver(ted)  # the first cards were still waiting when it moved
    assert not [r for u, r in sender.sent if u == "U0SAMLEISR" and "New report" in r.text]
    assert [r for u, r in sender.sent if u == "U0MGRWASTE"]

    class NobodyHome(type(sender)):
        async def dm_user(self, user_id, reply, notice=None):
            from handlers.reports.delivery import Unreachable

            raise Unreachable("user_not_found")

    ted.outbox.senders[-1] = NobodyHome()
    submit(ted, "U0NEWSTART", description="Someone keeps calling our depot team thieves under a council post.")
    press(ted, "U0COMMSMGR", actions.REPORT_ACK, value="TED-2026-0002")
    deliver(ted)  # a reporter on Slack but not in the directory has no web inbox: told nowhere
    assert "unreachable:the reporter" in json.loads(ted.reports.by_ref("TED-2026-0002")["flags"])
    assert "unreachable:the reporter" not in json.loads(ted.reports.by_ref(REF)["flags"])  # Alex's inbox has it
    from handlers.reports.views import REPORTER_UNREACHABLE, recipient_reply

    assert REPORTER_UNREACHABLE in recipient_reply(ted.reports.by_ref("TED-2026-0002")).text


def test_a_resolve_note_too_long_is_sent_back_whole_never_cut_short():
    ted, _, _ = make()
    submit(ted, "U0ALEXLIFE")
    note = "The page admin removed it. " * 80  # over 2,000 characters
    (reply,) = press(ted, "U0COMMSMGR", actions.REPORT_RESOLVE_SUBMIT, outcome="removed", note=note)
    assert reply.form is not None and "under 2,000 characters" in reply.form.errors["note"]
    assert reply.form.fields[1].value == note  # what was typed comes back to be shortened
    assert ted.reports.by_ref(REF)["status"] != "resolved"


def test_a_report_filed_before_outcome_deadlines_existed_is_given_one_and_reminded_when_it_passes():
    # A database from a release before reports v2: its reports have no outcome deadline (migration 011 adds the
    # column empty). The scheduler gives each unresolved one the deadline it would have had when it was filed.
    ted, clock, sender = make()
    submit(ted, "U0ALEXLIFE")  # Friday 28 Aug 2026 16:00 BST; abuse: 5 working days
    press(ted, "U0SAMLEISR", actions.REPORT_ACK)
    ted.db["reports"].update(ted.reports.by_ref(REF)["id"], {"resolve_due_at": None})
    deliver(ted)
    sender.sent.clear()
    clock.now = datetime(2026, 9, 8, 9, 0, tzinfo=UTC)  # the deadline it would have had has passed
    escalation.tick(ted.reports)
    assert ted.reports.by_ref(REF)["resolve_due_at"] == "2026-09-07T16:00:00+00:00"
    deliver(ted)
    assert "U0SAMLEISR" in {u for u, r in sender.sent if r.template == "outcome_overdue"}
    # Alex was never given that date ("the date I gave you" would be untrue), so is not told it passed.
    assert texts_to(sender, "U0ALEXLIFE") == []
