import io

from bot.terminal import reply_text, run_terminal_chat
from chat import actions
from chat.model import Button, Reply
from knowledge.answer import FALLBACK, POLICY
from tests.renderer_fixtures import C56, C513


def test_terminal_chat_answers_and_reads_follow_ups_in_context(ted):
    stdin = io.StringIO("can I add business contacts on my personal facebook?\nand what about linkedin?\nquit\n")
    out = io.StringIO()
    assert run_terminal_chat(ted, stdin, out) == 0
    text = out.getvalue()
    assert text.count("ted> ") == 2
    assert "5.13" in text and ("5.15" in text or "LinkedIn" in text)


def test_the_terminal_is_a_channel_through_the_router(ted):
    out = io.StringIO()
    assert run_terminal_chat(ted, io.StringIO("can I add a supplier on my personal facebook?\n"), out) == 0
    (asked,) = ted.db["asked"].rows
    assert (asked["platform"], asked["user_id"], asked["intent"]) == ("terminal", "local", POLICY)
    assert asked["conversation_id"].startswith("terminal-")


def test_reply_text_is_the_words_then_the_did_you_mean_choices():
    answer = Reply("", intent=POLICY, citations=(C513,), buttons=(Button(actions.FEEDBACK_UP, "👍 Helpful", "1"),))
    assert reply_text(answer) == "ted> " + answer.plain_text
    assert "5.13" in reply_text(answer) and "Helpful" not in reply_text(answer)  # no buttons to press here
    choices = (Button(actions.DID_YOU_MEAN, C513.label, "d|5.13"), Button(actions.DID_YOU_MEAN, C56.label, "d|5.6"))
    unsure = Reply("I couldn't find that.", intent=FALLBACK, choices=choices)
    assert reply_text(unsure) == f"ted> I couldn't find that.\n     Did you mean: {C513.label}; {C56.label}"


def test_reporting_in_the_terminal_says_where_reports_are_filed_never_type_report_again(ted):
    from handlers import messages

    out = io.StringIO()
    lines = "/report\n/report status\nsomeone keeps sending me threats on facebook, I want to report it\n"
    assert run_terminal_chat(ted, io.StringIO(lines), out) == 0
    text = out.getvalue()
    assert text.count(messages.TERMINAL_REPORT) == 3 and "type /report" not in text and "999" in text
    assert ted.db["reports"].count == 0
