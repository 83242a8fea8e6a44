"""The outbox's Teams sender against the fake Bot Connector: who it reaches, how it opens 1:1 chats,
how throttling and outages become retries rather than lost notifications, and how a 403/404 (TED removed,
or not allowed to open a chat) becomes Unreachable, so the outbox looks elsewhere or flags the report."""

import json
from datetime import timedelta

import pytest

from bot.teams.app import TEAMS
from chat.model import Reply
from handlers.reports.delivery import DeliveryError, Unreachable
from tests.fakes.teams_world import ALEX, CASEY, HARPER, ROBIN, SAM, TEAM, teams_test


def person(w, name: str):
    return w.ted.directory.get(f"{name}@tendring.example")


@teams_test()
async def test_people_are_reachable_once_teams_has_told_ted_about_them(w):
    sender = w.app[TEAMS].sender
    assert not sender.reaches(person(w, "sam.leisure"))  # a Teams id, but TED has never seen Sam
    assert not sender.reaches(person(w, "jamie.crew"))  # no Teams id at all
    await w.install(SAM)
    assert sender.reaches(person(w, "sam.leisure"))


@teams_test()
async def test_installing_in_a_team_reads_the_roster_so_members_can_be_messaged(w):
    w.connector.members[TEAM] = [{"id": HARPER.id, "aadObjectId": HARPER.aad, "name": HARPER.name}]
    await w.install(CASEY, team=TEAM)
    assert [c.conversation_id for c in w.connector.of("members")] == [TEAM]
    sender = w.app[TEAMS].sender
    harper = person(w, "harper.hr")
    assert sender.reaches(harper)
    conversation, message = await sender.dm(harper, Reply("A report needs HR."))
    (opened,) = w.connector.of("create")
    assert opened.body["members"] == [{"id": HARPER.id}] and conversation == opened.conversation_id
    (sent,) = w.connector.to(conversation)
    assert sent.activity_id == message and "A report needs HR." in sent.text
    await sender.dm(harper, Reply("And again."))
    assert len(w.connector.of("create")) == 1  # the 1:1 chat is remembered


@teams_test()
async def test_throttling_is_a_delivery_error_honouring_retry_after_and_the_outbox_retries(w):
    await w.install(SAM)
    await w.install(CASEY)
    await w.file_report(as_=ALEX)
    w.connector.fail_next(1, 429, retry_after="7")
    with pytest.raises(DeliveryError) as caught:
        await w.app[TEAMS].sender.dm(person(w, "sam.leisure"), Reply("hello"))
    assert caught.value.retry_after == 7
    w.connector.fail_next(1, 429, retry_after="7")
    assert await w.deliver() == 2  # Sam's notification waits; Casey's and the channel's went
    row = next(r for r in w.ted.db["outbox"].rows if r["recipient"] == "sam.leisure@tendring.example")
    assert row["status"] == "pending" and "429" in row["last_error"]
    later = w.ted.reports.clock() + timedelta(seconds=10)
    assert await w.ted.outbox.run_once(now=later) == 1
    sam = await w.inbox(SAM, "send")
    assert ["New report" in c.text for c in sam] == [False, True]  # the welcome, then one notification
    assert w.ted.db["web_messages"].count == 2  # the web inbox copy was not posted twice


@teams_test()
async def test_an_outage_is_a_delivery_error(w):
    await w.install(SAM)
    sender = w.app[TEAMS].sender
    # msrest does not retry a POST (urllib3 2 ignores its method_whitelist), so the sender tries three
    # times itself: one 503 is absorbed, three in a row are an outage for the outbox to retry later.
    w.connector.fail_next(1, 503, retry_after=None)
    await sender.dm(person(w, "sam.leisure"), Reply("hello"))
    w.connector.fail_next(3, 503, retry_after=None)
    with pytest.raises(DeliveryError) as caught:
        await sender.dm(person(w, "sam.leisure"), Reply("hello"))
    assert w.connector.failures_left == 0 and [c.status for c in w.connector.calls[-3:]] == [503] * 3
    assert caught.value.retry_after == 30 and w.waits == [0.5, 0.5, 1.0]


@teams_test()
async def test_a_stale_chat_is_forgotten_and_a_new_one_opened_at_once(w):
    await w.install(SAM)
    sender = w.app[TEAMS].sender
    w.connector.fail_next(1, 404)
    conversation, message = await sender.dm(person(w, "sam.leisure"), Reply("hello"))
    assert conversation.startswith("a:1on1-") and w.connector.of("create") and message
    assert w.app[TEAMS].refs.personal(SAM.aad).conversation_id == conversation


@teams_test()
async def test_when_teams_refuses_the_chat_and_a_new_one_the_person_is_unreachable_there(w):
    await w.install(SAM)
    sender = w.app[TEAMS].sender
    sam = person(w, "sam.leisure")
    w.connector.fail_next(2, 403)  # the stored chat, then opening a new one
    with pytest.raises(Unreachable):
        await sender.dm(sam, Reply("hello"))
    assert [c.kind for c in w.connector.calls if c.status == 403] == ["send", "create"]
    assert w.app[TEAMS].refs.personal(SAM.aad) is None and not sender.reaches(sam)
    await w.install(SAM)  # Sam adds TED again: reachable again
    assert sender.reaches(sam)


@teams_test()
async def test_a_403_opening_a_chat_with_someone_from_a_roster_is_unreachable(w):
    w.connector.members[TEAM] = [{"id": HARPER.id, "aadObjectId": HARPER.aad, "name": HARPER.name}]
    await w.install(CASEY, team=TEAM)
    sender, harper = w.app[TEAMS].sender, person(w, "harper.hr")
    assert sender.reaches(harper)
    w.connector.fail_next(1, 403, when=lambda c: c.kind == "create")
    with pytest.raises(Unreachable):
        await sender.dm(harper, Reply("A report needs HR."))
    assert not sender.reaches(harper)


@teams_test()
async def test_someone_teams_refuses_is_flagged_and_the_communications_team_told(w):
    for user in (SAM, CASEY, ROBIN):
        await w.install(user)
    await w.file_report(as_=ALEX)
    w.connector.fail_next(2, 403, when=lambda c: SAM.id in c.members or c.conversation_id.endswith(SAM.aad))
    await w.deliver()
    report = w.ted.reports.by_ref("TED-2026-0001")
    assert json.loads(report["flags"]) == ["unreachable:sam.leisure@tendring.example"]
    assert w.connector.failures_left == 0
    assert not w.app[TEAMS].sender.reaches(person(w, "sam.leisure"))
    await w.deliver()
    told = (await w.inbox(ROBIN, "send"))[-1]
    assert "sam.leisure@tendring.example could not be reached" in told.text
    sam_rows = [r for r in w.ted.db["outbox"].rows if r["recipient"] == "sam.leisure@tendring.example"]
    assert [r["status"] for r in sam_rows] == ["sent"]  # not retried for hours: Teams said no for good


@teams_test(comms_teams_conversation="19:never-added@thread.tacv2")
async def test_updates_and_channel_posts_without_a_reference_do_nothing_quietly(w):
    sender = w.app[TEAMS].sender
    assert await sender.channel(Reply("x")) is None
    await sender.update("19:unknown@thread.tacv2", "msg-1", Reply("x"))
    assert await sender.dm_user("29:nobody", Reply("x")) == ("", "")
    assert w.connector.calls == []
