"""Asking: intents, the fallback, cross-references, and input that must never break search."""

import pytest

from knowledge.answer import FALLBACK, POLICY, REPORT, SMALLTALK, Citation, document_name
from tests.renderer_fixtures import C513


def ask(ted, q, **kw):
    return ted.asker.ask(q, **kw)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "NEAR(",
        "linkedin NEAR/2 contacts",
        "*",
        "(",
        ")",
        "social:media",
        "-facebook",
        "facebook AND OR NOT",
        "title:logo",
        "^logo",
        "'; drop table clauses; --",
        "{col1 col2}: x",
        "a + b",
        "NOT",
        "AND",
        "OR",
        "\\",
        "%",
        "_",
        "\x00",
    ],
)
def test_fts_syntax_is_just_words(ted_session, text):
    a = ask(ted_session, text)
    assert a.intent in {POLICY, FALLBACK, SMALLTALK}
    assert isinstance(a.text, str) and a.plain_text


@pytest.mark.parametrize(
    "text",
    [
        "Can I use my café’s logo? ☕️🙂",
        "ｌｏｇｏ on my facebook?",
        "Ĺîñķêđíñ cöñtäcts",
        "שלום facebook",
        "logo\u200b\u200d on \ufeffpersonal accounts",
        "😀😀😀",
        "e\u0301\u0301\u0301",
    ],
)
def test_odd_unicode(ted_session, text):
    a = ask(ted_session, text)
    assert a.intent in {POLICY, FALLBACK, SMALLTALK}


def test_empty_and_whitespace_questions_get_a_polite_prompt(ted_session):
    for q in ["", "   ", "\n\t", None]:  # a bare @TED on Slack or Teams arrives as "": tests/test_*_inbound.py
        a = ask(ted_session, q)
        assert a.intent == SMALLTALK and "question" in a.text.lower() and not a.citations


def test_a_40k_character_question_is_answered(ted_session):
    q = ("can I add a supplier on facebook? " * 1200)[:40000]
    a = ask(ted_session, q)
    assert a.intent == POLICY and a.citations[0].clause == "5.13"


def test_typos_are_tolerated(ted_session):
    assert ask(ted_session, "can I add a supplier on linkdin").citations[0].clause in {"5.13", "5.15"}
    a = ask(ted_session, "what happens with disiplinary if I breach this")
    assert a.intent == POLICY and a.citations[0].clause == "2.5"


def test_answer_quotes_the_clause_verbatim_and_names_it(ted_session):
    a = ask(ted_session, "can I put the council logo on my personal facebook?")
    c = a.citations[0]
    assert a.intent == POLICY and c.clause == "5.6"
    assert c.text == "The Council logo, or any sub-brands, should not be used on personal accounts."
    assert c.text in a.plain_text and "5.6" in a.plain_text and "Social Media Policy" in a.plain_text
    assert a.summary and f"In short: {a.summary}" in a.plain_text and a.to_json()["answer"] == a.plain_text
    assert 0.0 < a.confidence <= 1.0


@pytest.mark.parametrize(
    "q",
    [
        "what's the council's line on people harassing staff online",  # 7.3 first; 7.2 completes it, below 7.1
        "someone posted abuse about me",
        "can I accept a supplier's linkedin request?",
        "someone left an abusive comment about me on the council's page",
    ],
)
def test_citations_are_best_first_by_the_score_each_carries(ted_session, q):
    cited = [c["score"] for c in ted_session.asker.ask(q, channel="eval").to_json()["citations"]]
    assert cited == sorted(cited, reverse=True), cited


def test_cross_reference_is_followed(ted_session):
    a = ask(ted_session, "LinkedIn is for professional networking, so can I connect with business contacts there?")
    assert a.intent == POLICY
    assert a.citations[0].clause == "5.15"
    assert [c.clause for c in a.see_also] == ["5.13"]
    assert "See also 5.13" in a.plain_text


def test_fallback_says_so_names_who_to_ask_and_is_recorded(ted):
    a = ask(ted, "who won the pub quiz last week?")
    assert a.intent == FALLBACK and not a.citations
    assert "Communications Manager" in a.text and "couldn't find" in a.text
    rows = list(ted.db["unanswered"].rows)
    assert [r["question"] for r in rows] == ["who won the pub quiz last week?"]


def test_the_unanswered_log_keeps_the_nearest_clause_that_was_not_good_enough(ted):
    a = ask(ted, "How do I renew my parking permit?")
    assert a.intent == FALLBACK and a.nearest[0] == "tdc-social-media-policy" and a.nearest[1]
    (row,) = ted.db["unanswered"].rows
    assert (row["best_doc"], row["best_clause"]) == a.nearest


@pytest.mark.parametrize("q", ["hello", "thanks!", "what can you do?", "bye", "who are you?"])
def test_smalltalk(ted_session, q):
    a = ask(ted_session, q)
    assert a.intent == SMALLTALK and not a.citations


def test_report_intent_offers_the_form(ted_session):
    a = ask(ted_session, "I want to report a fake account pretending to be the council")
    assert a.intent == REPORT and a.offer_report


@pytest.mark.parametrize(
    "q",
    [
        "could I put in a report about a reply under our facebook video?",
        "how do i submit a report on a post slating the housing team",
        "can we reprot a nasty comment on our page",  # two letters swapped
        "can i repotr a horrible reply",
    ],
)
def test_asking_to_file_a_report_however_it_is_put(ted_session, q):
    assert ask(ted_session, q).intent == REPORT


@pytest.mark.parametrize(
    "q",
    [
        "how do I submit a report to cabinet about our social media strategy?",
        "can I put in a report about the council's instagram engagement figures to my manager?",
    ],
)
def test_a_report_that_is_council_work_is_not_a_report_of_something_posted(ted_session, q):
    assert ask(ted_session, q).intent != REPORT


def test_a_real_word_next_to_report_is_not_taken_for_it(ted_session):
    # "repost" is one letter from "report", but not a slip of it: sharing a post is a policy question.
    assert ask(ted_session, "can I repost the council's post about the carnival on my own facebook?").intent == POLICY


def test_abuse_told_as_it_happens_is_a_report_with_its_clause(ted_session):
    # Someone telling what is happening to them wants it dealt with: the form, and the clause that says how.
    a = ask(ted_session, "someone keeps sending me abuse after I replied from the council page, what do I do?")
    assert a.intent == REPORT and a.offer_report
    assert a.citations[0].clause in {"7.1", "7.2", "7.3"}


def test_question_about_abuse_in_general_is_answered_and_offers_the_report_form(ted_session):
    a = ask(ted_session, "what should I do if someone is abusive to me on the council page?")
    assert a.intent == POLICY and a.offer_report
    assert a.citations[0].clause in {"7.1", "7.2", "7.3"}


@pytest.mark.parametrize(
    "q",
    [
        "who should staff tell if they come across a post that reflects badly on the council?",
        "is calling the council rubbish on my own instagram a breach?",
        # told as it happened, but asking about the rules
        "why is abusing coworkers on social media treated as serious",
        "I've been asked to run the museum's instagram, do I need sign-off first?",
        "I posted on the council page as myself by mistake, whats the rule on that?",
    ],
)
def test_question_about_the_rules_is_not_a_report(ted_session, q):
    assert ask(ted_session, q).intent != REPORT


@pytest.mark.parametrize(
    "q",
    [
        "a resident has put my photo on facebook saying he'll be waiting for me after work",
        "there's a tiktok going round that mocks our refuse collectors by name",
        # someone else's doing, with a question about the rules: still a report
        "a resident has posted my car reg online, what's the policy on that?",
        "why does someone keep posting my phone number on the council page?",
    ],
)
def test_a_report_phrased_without_the_word_report(ted_session, q):
    a = ask(ted_session, q)
    assert a.intent == REPORT and a.offer_report


def test_follow_up_reads_the_previous_question(ted_session):
    first = "can I add business contacts on my personal facebook?"
    a = ask(ted_session, "and what about linkedin?", follow_up_of=first)
    assert a.intent == POLICY and a.citations[0].clause in {"5.13", "5.15"}


def test_json_shape(ted_session):
    j = ask(ted_session, "can I put the council logo on my personal facebook?").to_json()
    assert set(j) >= {"intent", "answer", "confidence", "citations"}
    c = j["citations"][0]
    assert set(c) == {"doc", "clause", "title", "text", "score"}
    assert c["doc"] == "tdc-social-media-policy" and len(c["text"]) <= 1500


def test_one_heading_names_a_quoted_clause_everywhere():
    assert C513.where == "Social Media Policy, Web edition" == document_name("Social Media Policy", "Web edition")
    assert C513.headline == "Social Media Policy, Web edition — 5.13 — Adding business contacts on personal accounts"
    untitled = Citation("expenses-guide", "2.1", "", "Claim within 3 months.", 1.0)
    assert untitled.where == "expenses-guide" and untitled.headline == "expenses-guide — 2.1"


def test_stemming_is_right_from_many_threads_at_once():
    # The answer workers stem in parallel; a shared snowball stemmer gave wrong stems and IndexErrors.
    import threading

    from knowledge.text import _stemmer

    words = [f"{w}{i % 7}" for i in range(4000) for w in ("confidentiality", "organisations", "posting")]
    want = {w: _stemmer().stemWord(w) for w in set(words)}
    wrong: list[str] = []

    def run():
        s = _stemmer()
        wrong.extend(w for w in words if s.stemWord(w) != want[w])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong


def test_report_model_is_only_used_beside_an_enriched_document():
    # Fitted where questions sit close to example questions; beside a bare passage the margin means something else.
    from handlers.ask.examples import IntentExamples, IntentScores

    intents = IntentExamples(None)
    cues = {"happening": 1.0, "in_general": 0.0, "pass_on": 1.0, "abuse": 1.0}
    near = IntentScores(0.1, 0.9, 0.3, 0.85, cues)
    assert intents.report_probability(near) > intents.report_model["threshold"]
    assert intents.report_probability(IntentScores(0.1, 0.9, 0.3, 0.85, cues, enriched=False)) == 0.0


@pytest.mark.parametrize(
    "told",
    [
        "a resident said he would come to the office with a knife",
        "a guy on facebook said he's going to wait for me after work",
        "I'm scared, someone online said they'd come to the office and hurt me",
        "someone said in a comment that they know where I live",
        "I got a message saying they know where my kids go to school",
        "someone on twitter said they will bring a gun to the council meeting",
    ],
)
def test_a_threat_of_harm_puts_999_first_and_offers_the_report_form_never_not_covered(ted, told):
    a = ted.asker.ask(told, channel="test")
    assert (
        a.intent == REPORT and a.offer_report and a.text.startswith("If you or anyone else is in danger now, call 999")
    )
    assert ted.db["unanswered"].count == 0  # a threat is for the people a report goes to, not the triage list


@pytest.mark.parametrize(
    "question",
    [
        "can I post a photo of my team at the knife crime awareness event?",
        "can I get a colleague to share a post?",
        "would sharing this hurt someone's feelings?",
    ],
)
def test_the_councils_own_campaigns_and_everyday_words_are_no_threat(ted, question):
    assert ted.asker.ask(question, channel="test").intent != REPORT


def test_someone_who_may_harm_themselves_is_pointed_to_help_and_nothing_is_logged(ted):
    a = ted.asker.ask("I want to kill myself", channel="test")
    assert "999" in a.text and "Samaritans" in a.text and "116 123" in a.text and a.intent == SMALLTALK
    assert ted.db["unanswered"].count == 0


@pytest.mark.parametrize(
    "named, clause",
    [
        ("what does 5.13 say?", "5.13"),
        ("clause 6.6", "6.6"),
        ("explain 5.15", "5.15"),
        ("5.5", "5.5"),
        ("show me section 7.2", "7.2"),
    ],
)
def test_a_clause_asked_for_by_its_number_is_that_clause(ted, named, clause):
    a = ted.asker.ask(named, channel="test")
    assert a.intent == POLICY and a.citations[0].clause == clause and a.summary


def test_a_number_no_clause_has_is_asked_as_any_question(ted):
    assert ted.asker.ask("what does 99.9 say?", channel="test").intent == FALLBACK


@pytest.mark.parametrize(
    "typed", ["can I post on face book?", "can I post on face\u200bbook?", "can I post on Face Book?"]
)
def test_a_platform_typed_in_two_or_split_by_an_invisible_character_is_read_as_one(ted_session, typed):
    whole = ted_session.asker.ask("can I post on facebook?", channel="test")
    got = ted_session.asker.ask(typed, channel="test")
    assert got.intent == whole.intent == POLICY and got.citations[0].clause == whole.citations[0].clause


def test_an_unanswered_question_that_meets_a_busy_database_is_recorded_on_a_second_try(tmp_path):
    import sqlite3

    from app import build
    from core.settings import Settings

    path = tmp_path / "ted.db"
    ted = build(Settings(), str(path))
    ted.db.execute("pragma busy_timeout = 200")  # as the real 5 s, shorter
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("begin immediate")  # another process holds the write lock past the first try
    tries = []

    def seen(statement: str) -> None:  # SQLite's own trace of what TED's connection runs
        if statement.lower().startswith('insert into "unanswered"'):
            tries.append(statement)
            if len(tries) == 2:
                other.execute("commit")  # the other writer finishes before the second try

    ted.db.conn.set_trace_callback(seen)
    try:
        answer = ted.asker.ask("how do I book a meeting room at the town hall?", channel="web")
    finally:
        ted.db.conn.set_trace_callback(None)
        if other.in_transaction:
            other.execute("rollback")
        other.close()
    assert answer.intent == FALLBACK and answer.unanswered_id and len(tries) == 2
    assert ted.db["unanswered"].count == 1
