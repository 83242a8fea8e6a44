"""Teams end to end over HTTP: activities POSTed to TED's /api/messages (unauthenticated mode, loopback),
TED's answers, updates and proactive messages recorded by a fake Bot Connector on 127.0.0.1."""

import asyncio
import json

from bot.teams.app import TEAMS
from bot.teams.turns import CARD_USED
from chat import actions
from handlers import messages
from tests.fakes.bot_connector import BOT_ID, TENANT, block_texts
from tests.fakes.teams_world import (
    ALEX,
    CASEY,
    COMMS_CHANNEL,
    ROBIN,
    SAM,
    STRANGER,
    TEAM,
    teams_test,
)
from tests.fakes.world import GOOD_REPORT


@teams_test()
async def test_a_question_in_personal_chat_gets_a_card_quoting_the_clause(w):
    card = await w.ask("can I accept a LinkedIn invite from a supplier?", as_=ALEX)
    assert card.kind == "reply" and card.body["replyToId"]
    assert "5.15 — LinkedIn as a professional network" in card.text
    assert "Social Media Policy" in card.text and "“Not withstanding the provisions of 5.13" in card.text
    links = [a for a in card.card["actions"] if a["type"] == "Action.OpenUrl"]
    assert links[0]["url"] == "https://ted.example/policy/tdc-social-media-policy#5.15"
    assert [d["action_id"] for d in card.submits()][-2:] == [actions.FEEDBACK_UP, actions.FEEDBACK_DOWN]
    assert all(d.get("nonce") for d in card.submits())
    # Pressing 👍 records feedback and thanks the person.
    await w.press(actions.FEEDBACK_UP, on=card, as_=ALEX)
    assert w.ted.db["feedback"].count == 1
    assert messages.FEEDBACK_THANKS.split(" —")[0] in w.connector.to(card.conversation_id)[-1].text
    # Where to reach Alex later was captured from the message itself.
    assert w.app[TEAMS].refs.personal(ALEX.aad).conversation_id == f"a:dm-{ALEX.aad}"


@teams_test()
async def test_a_channel_mention_is_stripped_and_answered_in_its_reply_chain(w):
    await w.mention("can I add a supplier on Facebook?", as_=SAM, channel=TEAM, thread="1700000000111")
    (reply,) = w.connector.of("send", "reply")
    assert reply.conversation_id == f"{TEAM};messageid=1700000000111"
    assert "5.13" in reply.text
    asked = next(w.ted.db["asked"].rows)
    assert asked["question"] == "can I add a supplier on Facebook?"
    assert (asked["platform"], asked["user_id"], asked["thread_id"]) == ("teams", SAM.aad, "1700000000111")


@teams_test()
async def test_the_same_activity_delivered_twice_is_answered_once(w):
    activity = w.teams.personal(ALEX, "can I use the council logo on my profile?")
    await w.send(activity)
    await w.send(activity)
    assert len(w.connector.of("send", "reply")) == 1
    (seen,) = [r["delivery_id"] for r in w.ted.db["deliveries"].rows if r["platform"] == "teams"]
    assert activity["conversation"]["id"] not in seen  # the ledger keeps no conversation id: who wrote, when


@teams_test()
async def test_report_form_filed_once_however_often_it_is_submitted(w):
    form = await w.open_report(as_=ALEX)
    inputs = {i["id"] for i in form.card["body"] if i["type"].startswith("Input.")}
    assert {"category", "platform", "links", "description", "seen_at", "at_risk"} <= inputs
    assert "casey.comms@tendring.example" in form.text  # where screenshots go instead
    data = form.submit(actions.REPORT_SUBMIT)
    twice = [w.teams.submit(ALEX, form, data, GOOD_REPORT), w.teams.submit(ALEX, form, data, GOOD_REPORT)]
    await asyncio.gather(*(w.send(a) for a in twice))
    await w.send(w.teams.submit(ALEX, form, data, GOOD_REPORT))  # a replay later on
    assert w.ted.db["reports"].count == 1
    notes = [c for c in w.connector.to(form.conversation_id) if c.text == CARD_USED]
    assert len(notes) == 2  # the second click and the replay are told why nothing happened
    report = w.ted.reports.by_ref("TED-2026-0001")
    assert (report["reporter_platform"], report["reporter_user_id"]) == ("teams", ALEX.aad)
    assert report["reporter_email"] == "alex.lifeguard@tendring.example"
    (update,) = w.connector.of("update")  # the form became the confirmation, so it can't be sent again
    assert update.activity_id == form.activity_id and "TED-2026-0001" in update.text
    assert [d["action_id"] for d in update.submits()] == [actions.REPORT_DETAILS]  # not the form's submit


@teams_test()
async def test_invalid_report_shows_the_errors_beside_the_fields_in_place(w):
    form = await w.open_report(as_=ALEX)
    bad = {**GOOD_REPORT, "links": "not a link", "description": ""}
    await w.submit(form, bad, as_=ALEX)
    assert w.ted.db["reports"].count == 0
    (again,) = w.connector.of("update")
    body = again.card["body"]
    links = next(i for i, b in enumerate(body) if b.get("id") == "links")
    after = block_texts(body[links + 1 : links + 3])
    assert any("doesn't look like a link" in t for t in after)
    assert next(b for b in body if b.get("id") == "account")["value"] == "@angry_resident"  # kept
    new_data = again.submit(actions.REPORT_SUBMIT)
    assert new_data["nonce"] != form.submit(actions.REPORT_SUBMIT)["nonce"]
    await w.submit(again, GOOD_REPORT, as_=ALEX)
    assert w.ted.db["reports"].count == 1


@teams_test()
async def test_the_manager_is_notified_proactively_and_acknowledging_updates_the_card_in_place(w):
    await w.install(SAM)  # TED installed for Sam: a welcome, and a reference to reach Sam later
    (welcome,) = await w.inbox(SAM)
    assert "I'm TED" in welcome.text and "I'm an automated assistant, not a person" in welcome.text
    await w.install(CASEY)
    await w.file_report(as_=ALEX)
    await w.deliver()
    (note,) = (await w.inbox(SAM, "send"))[1:]
    assert note.kind == "send" and "New report: TED-2026-0001" in note.text
    assert [d["action_id"] for d in note.submits()] == [
        actions.REPORT_ACK,
        actions.REPORT_NOTE,
        actions.REPORT_REASSIGN,
        actions.REPORT_RESOLVE,
        actions.REPORT_DETAILS,
    ]
    await w.press(actions.REPORT_ACK, on=note, as_=SAM)
    assert w.ted.reports.by_ref("TED-2026-0001")["status"] == "acknowledged"
    updated = [c for c in w.connector.of("update") if c.activity_id == note.activity_id]
    assert "Status: Acknowledged" in updated[0].text
    assert actions.REPORT_ACK not in [d["action_id"] for d in updated[0].submits()]
    await w.deliver()  # the reporter hears; every copy of the card is brought up to date
    assert "has been acknowledged" in (await w.inbox(ALEX, "send"))[-1].text
    casey_card = (await w.inbox(CASEY, "send"))[-1]
    assert any(c.activity_id == casey_card.activity_id for c in w.connector.of("update"))


@teams_test(comms_teams_conversation=COMMS_CHANNEL)
async def test_a_stranger_pressing_a_comms_channel_card_is_refused_privately(w):
    await w.install(CASEY, team=COMMS_CHANNEL)
    await w.file_report(as_=ALEX)
    await w.deliver()
    (post,) = w.connector.to(COMMS_CHANNEL, "send")
    assert "New report: TED-2026-0001" in post.text
    await w.press(actions.REPORT_ACK, on=post, as_=STRANGER)
    assert w.ted.reports.by_ref("TED-2026-0001")["status"] == "open"
    # Teams has no ephemeral messages: the refusal goes to a 1:1 chat TED opens with the person.
    (opened,) = [c for c in w.connector.of("create") if c.body["members"] == [{"id": STRANGER.id}]]
    assert opened.body["bot"]["id"] == BOT_ID and opened.body["channelData"]["tenant"]["id"] == TENANT
    assert "only the people this report was sent to" in w.connector.to(opened.conversation_id)[0].text
    assert messages.TEAMS_SENT_PRIVATELY[:30] in w.connector.to(COMMS_CHANNEL, "reply")[0].text
    assert not [c for c in w.connector.of("update") if c.activity_id == post.activity_id]


@teams_test()
async def test_someone_teams_cannot_reach_is_flagged_and_the_communications_team_told(w):
    await w.install(SAM)
    await w.install(ROBIN)  # Casey (Communications Manager) never installed TED; there is no Slack here
    await w.file_report(as_=ALEX)
    await w.deliver()
    report = w.ted.reports.by_ref("TED-2026-0001")
    assert json.loads(report["flags"]) == ["unreachable:casey.comms@tendring.example"]
    await w.deliver()
    told = (await w.inbox(ROBIN, "send"))[-1]
    assert "Could not reach a recipient: TED-2026-0001" in told.text
    assert "casey.comms@tendring.example could not be reached" in told.text


@teams_test(teams_tenant_id=TENANT)
async def test_a_wrong_tenant_is_refused_with_401_before_anything_happens(w):
    status, _ = await w.post(w.teams.personal(ALEX, "hello", tenant="tenant-elsewhere"))
    assert status == 401
    assert w.connector.calls == [] and w.ted.db["teams_conversations"].count == 0
    assert w.ted.db["asked"].count == 0
    await w.send(w.teams.personal(ALEX, "hello"))
    assert len(w.connector.of("reply")) == 1


@teams_test()
async def test_bodies_that_are_not_activities_are_400_or_415(w):
    assert (await w.post(b"{not json"))[0] == 400
    assert (await w.post(b"[1, 2]"))[0] == 400
    assert (await w.post(b'{"text": "no type"}'))[0] == 400
    assert (await w.post(b"{}", headers={"Content-Type": "text/plain"}))[0] == 415
    assert w.connector.calls == []


@teams_test()
async def test_add_note_form_updates_the_card_it_came_from_and_becomes_the_outcome(w):
    note = await w.report_card(SAM)
    await w.press(actions.REPORT_NOTE, on=note, as_=SAM)
    form = (await w.inbox(SAM))[-1]
    data = form.submit(actions.REPORT_NOTE_SUBMIT)
    assert data["value"] == "TED-2026-0001" and data["origin"] == f"a:dm-{SAM.aad}|{note.activity_id}"
    await w.submit(form, {"note": "Spoke to Alex; reported the page."}, as_=SAM)
    assert [e["action"] for e in w.ted.reports.events(1)][-1] == "note"
    updates = {c.activity_id: c for c in w.connector.of("update")}
    fresh = updates[note.activity_id].submit(actions.REPORT_NOTE)  # the notification, brought up to date
    assert fresh["nonce"] != note.submit(actions.REPORT_NOTE)["nonce"]
    assert updates[form.activity_id].submits() == []  # the form, now the outcome: can't be sent again


@teams_test()
async def test_report_typed_in_a_channel_opens_the_form_in_a_private_chat(w):
    await w.mention("report", as_=ALEX, channel=TEAM, thread="1700000000222")
    (opened,) = w.connector.of("create")
    (form,) = w.connector.to(opened.conversation_id)
    assert form.submit(actions.REPORT_SUBMIT)["form"] is True
    (notice,) = w.connector.to(f"{TEAM};messageid=1700000000222")
    assert notice.submits() == [] and "private chat" in notice.text
    await w.submit(form, GOOD_REPORT, as_=ALEX)
    assert w.ted.db["reports"].count == 1


@teams_test(directory_ids="teams")
async def test_staff_whose_directory_entry_holds_a_29_id_are_recognised_and_can_act(w):
    assert w.ted.directory.get("sam.leisure@tendring.example").teams_user_id == SAM.id
    await w.install(SAM)
    await w.install(CASEY)
    await w.file_report(as_=ALEX)
    report = w.ted.reports.by_ref("TED-2026-0001")
    assert report["reporter_email"] == "alex.lifeguard@tendring.example"  # the reporter is recognised
    assert report["service_area"] == "Leisure and Tourism" and json.loads(report["flags"]) == []
    await w.deliver()
    note = (await w.inbox(SAM, "send"))[-1]
    assert "New report: TED-2026-0001" in note.text
    await w.press(actions.REPORT_ACK, on=note, as_=SAM)
    assert w.ted.reports.by_ref("TED-2026-0001")["status"] == "acknowledged"  # accepted, not refused
    await w.deliver()
    assert "has been acknowledged" in (await w.inbox(ALEX, "send"))[-1].text


@teams_test()
async def test_an_invoke_ted_does_not_handle_is_answered_not_a_5xx(w):
    for name in ("adaptiveCard/action", "task/fetch", "signin/verifyState", None):
        fields = {"name": name} if name else {}
        status, body = await w.post(w.teams.activity(ALEX, "a:dm-invoke", kind="invoke", value={}, **fields))
        assert status == 200, (name, status, body)
        if name == "adaptiveCard/action":
            assert json.loads(body)["value"] == messages.TEAMS_INVOKE
