"""Teams over HTTP when things are not straightforward: replies, card updates and private messages retried in
the turn on 429/5xx within Teams' window; empty messages; activities without an id."""

from chat import actions
from handlers import messages
from tests.fakes.teams_world import ALEX, CASEY, SAM, TEAM, teams_test


@teams_test()
async def test_a_throttled_reply_is_retried_in_the_turn_honouring_retry_after(w):
    w.connector.fail_next(1, 429, retry_after="2")
    card = await w.ask("can I accept a LinkedIn invite from a supplier?", as_=ALEX)
    assert "5.15 — LinkedIn as a professional network" in card.text
    assert w.waits == [2.0] and [c.status for c in w.connector.calls] == [429, 200]
    w.connector.fail_next(2, 503, retry_after=None)  # no Retry-After: short back-off
    card = await w.ask("can I use the council logo on my profile?", as_=ALEX)
    assert "5.6" in card.text and w.waits == [2.0, 0.5, 1.0]


@teams_test()
async def test_a_reply_is_not_retried_beyond_teams_window(w):
    w.connector.fail_next(1, 429, retry_after="30")  # longer than a turn may take: no wait at all
    apology = await w.ask("can I accept a LinkedIn invite from a supplier?", as_=ALEX)
    assert w.waits == [] and messages.TEAMS_ERROR in apology.text
    w.connector.fail_next(3, 503, retry_after="1")  # three tries, then the apology
    apology = await w.ask("can I use the council logo on my profile?", as_=ALEX)
    assert w.waits == [1.0, 1.0] and messages.TEAMS_ERROR in apology.text


@teams_test()
async def test_card_updates_and_private_messages_are_retried_in_the_turn(w):
    note = await w.report_card(SAM)
    # msrest (urllib3) itself retries a PUT, not a POST, on a 5xx or on a Retry-After; not on this
    w.connector.fail_next(1, 429, retry_after=None, when=lambda c: c.kind == "update")
    await w.press(actions.REPORT_ACK, on=note, as_=SAM)
    (updated,) = [c for c in w.connector.of("update") if c.activity_id == note.activity_id]
    assert "Status: Acknowledged" in updated.text and w.waits == [0.5]
    w.connector.fail_next(1, 502, retry_after="1", when=lambda c: c.kind == "create")
    w.connector.fail_next(1, 429, retry_after="3", when=lambda c: c.conversation_id.startswith("a:1on1"))
    await w.mention("report", as_=CASEY, channel=TEAM, thread="1700000000333")
    (opened,) = w.connector.of("create")
    assert w.connector.to(opened.conversation_id)[0].submit(actions.REPORT_SUBMIT)["form"] is True
    assert w.waits == [0.5, 1.0, 3.0]


@teams_test()
async def test_a_bare_mention_or_an_attachment_alone_gets_the_polite_nudge(w):
    await w.mention("", as_=SAM, channel=TEAM, thread="1700000000444")
    (reply,) = w.connector.to(f"{TEAM};messageid=1700000000444")
    assert messages.EMPTY_QUESTION in reply.text
    picture = [{"contentType": "image/*", "contentUrl": "https://smba.example/pic.png"}]
    card = await w.ask("", as_=ALEX, attachments=picture)
    assert messages.EMPTY_QUESTION in card.text


@teams_test()
async def test_activities_without_an_id_are_each_answered(w):
    for question in ("can I use the council logo on my profile?", "can I add a supplier on Facebook?"):
        activity = w.teams.personal(ALEX, question)
        del activity["id"]
        await w.send(activity)
    assert len(w.connector.of("reply", "send")) == 2


@teams_test()
async def test_what_is_for_one_person_never_goes_to_the_channel_when_no_private_chat_can_be_opened(w):
    await w.file_report(as_=ALEX)
    await w.deliver()
    w.ted.db.execute("delete from teams_conversations where kind = 'personal'")
    w.connector.fail_next(5, status=403, retry_after=None, when=lambda c: c.kind == "create")
    before = len(w.connector.calls)
    await w.mention("report open", as_=CASEY, channel=TEAM, thread="1700000000555")
    public = [c for c in w.connector.calls[before:] if c.kind != "create" and c.conversation_id.startswith(TEAM)]
    assert public and all("TED-2026" not in c.text for c in public)
    assert any(messages.TEAMS_PRIVATE_FAILED in c.text for c in public)
