"""The platform-neutral chat layer: router + handlers over a real (in-memory) database."""

import pytest

from app import build
from chat import actions
from chat.model import COMMAND, DM, MENTION, Action, Message
from core.settings import Settings


@pytest.fixture
def chat():
    return build(Settings(public_url="https://ted.example"), ":memory:")


def msg(text, **kw):
    base = dict(platform="test", user_id="U1", text=text, conversation_id="D1", surface=DM)
    base.update(kw)
    return Message(**base)


def test_dm_question_gets_clause_feedback_buttons_and_link(chat):
    (reply,) = chat.router.message(msg("can I put the council logo on my personal facebook?"))
    assert reply.intent == "policy" and reply.citations[0].clause == "5.6"
    ids = [b.action_id for b in reply.buttons]
    assert ids == [actions.FEEDBACK_UP, actions.FEEDBACK_DOWN]
    assert reply.link == "https://ted.example/policy/tdc-social-media-policy#5.6"
    assert not reply.ephemeral and not reply.in_thread


def test_slash_command_is_private_with_share_and_mention_answers_in_thread(chat):
    (r,) = chat.router.message(msg("can I add a supplier on facebook?", command="/ted", surface=COMMAND))
    assert r.ephemeral and actions.SHARE in [b.action_id for b in r.buttons]
    (r,) = chat.router.message(msg("can I add a supplier on facebook?", surface=MENTION, thread_id="1.2"))
    assert r.in_thread and not r.ephemeral


def test_help_command(chat):
    (r,) = chat.router.message(msg("help", command="/ted", surface=COMMAND))
    assert "report" in r.text.lower() and r.ephemeral


def test_abuse_question_offers_report_this_prefilled(chat):
    q = "someone keeps sending me abuse after I replied from the council page, what do I do?"
    (r,) = chat.router.message(msg(q))
    report = [b for b in r.buttons if b.action_id == actions.REPORT_OPEN]
    assert report and report[0].value == q


def test_thread_follow_up_uses_the_earlier_question(chat):
    chat.router.message(msg("can I add business contacts on my personal facebook?", thread_id="T1"))
    (r,) = chat.router.message(msg("and what about linkedin?", thread_id="T1"))
    assert r.intent == "policy" and r.citations[0].clause in {"5.13", "5.15"}


def test_feedback_up_down_with_reason_is_stored(chat):
    (r,) = chat.router.message(msg("can I put the council logo on my personal facebook?"))
    asked = r.asked_id
    (up,) = chat.router.action(Action("test", "U1", actions.FEEDBACK_UP, str(asked)))
    assert "thanks" in up.text.lower()
    (down,) = chat.router.action(Action("test", "U1", actions.FEEDBACK_DOWN, str(asked)))
    assert down.form and down.form.form_id == actions.FEEDBACK_REASON
    fid = down.form.private_metadata
    chat.router.action(Action("test", "U1", actions.FEEDBACK_REASON, fid, form={"reason": "wanted 5.7"}))
    rows = list(chat.db["feedback"].rows_where(order_by="id"))
    assert [(x["helpful"], x["reason"], x["clause"]) for x in rows] == [(1, "", "5.6"), (0, "wanted 5.7", "5.6")]
    # Someone else cannot change another person's reason.
    chat.router.action(Action("test", "U2", actions.FEEDBACK_REASON, fid, form={"reason": "spam"}))
    assert chat.db["feedback"].get(int(fid))["reason"] == "wanted 5.7"


def test_feedback_on_unknown_answer_is_polite(chat):
    (r,) = chat.router.action(Action("test", "U1", actions.FEEDBACK_UP, "99999"))
    assert "couldn't" in r.text


def test_did_you_mean_shows_that_clause(chat):
    (r,) = chat.router.action(Action("test", "U1", actions.DID_YOU_MEAN, "tdc-social-media-policy|5.13"))
    assert r.citations[0].clause == "5.13" and "business contacts" in r.plain_text


def test_share_only_by_the_asker(chat):
    (r,) = chat.router.message(msg("can I add a supplier on facebook?", command="/ted", surface=COMMAND))
    asked = str(r.asked_id)
    (refused,) = chat.router.action(Action("test", "U2", actions.SHARE, asked))
    assert refused.ephemeral and "Only the person" in refused.text
    (shared,) = chat.router.action(Action("test", "U1", actions.SHARE, asked))
    assert not shared.ephemeral and shared.shared_by == "U1" and shared.citations


def test_duplicate_delivery_is_seen_once(chat):
    assert chat.conversations.first_delivery("slack", "Ev1")
    assert not chat.conversations.first_delivery("slack", "Ev1")
    assert chat.conversations.first_delivery("teams", "Ev1")


def test_reply_in_a_new_thread_under_a_top_level_question_keeps_context(chat):
    chat.router.message(msg("can I add business contacts on my personal facebook?"))
    (r,) = chat.router.message(msg("and what about linkedin?", thread_id="T9"))
    assert r.intent == "policy" and r.citations[0].clause in {"5.13", "5.15"}
