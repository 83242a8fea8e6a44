import io

from bot.terminal import run_terminal_chat


def test_terminal_chat_answers_and_reads_follow_ups_in_context(ted_session):
    stdin = io.StringIO("can I add business contacts on my personal facebook?\nand what about linkedin?\nquit\n")
    out = io.StringIO()
    assert run_terminal_chat(ted_session, stdin, out) == 0
    text = out.getvalue()
    assert text.count("ted> ") == 2
    assert "5.13" in text and ("5.15" in text or "LinkedIn" in text)
