"""Conversations: a message is read on its own first; the previous turn only when the message can't stand alone;
the whole answer shown (summary first, clauses that complete it as cards); the report bridge; a fallback that
helps. Through the handlers (the router, as every channel uses it) and end to end in the web chat."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chat import actions
from chat.model import Message
from handlers.ask.followup import asks_more, combine, is_elliptical, stands_alone
from knowledge.model import Clause, Document
from knowledge.store import save_documents
from tests.fakes.web_world import web_test

PRESS = "a journalist rang me asking about the leisure centre closure, can I comment?"
LINKEDIN = "Can I accept a supplier's LinkedIn request?"


def chat(ted, *texts: str, conversation: str = "c1"):
    """Each text in turn in one conversation; the first reply to each."""
    return [ted.router.message(Message("web", "u1", t, conversation_id=conversation))[0] for t in texts]


def clauses(reply) -> list[str]:
    return [c.clause for c in reply.citations]


def test_elliptical_messages_lean_on_the_previous_question_and_whole_questions_do_not():
    prev = "can I post photos of my team on my personal facebook page?"
    for text in (
        "what about instagram?",
        "and if it's my own account?",
        "same for tiktok?",
        "does that apply to councillors too?",
        "instagram?",
    ):
        assert is_elliptical(text, prev), text
    for text in (
        "How do I renew my parking permit?",
        "can I add a supplier on my personal facebook?",
        "Where do I park at the depot?",
        "who approves a new council account for our team?",
    ):
        assert not is_elliptical(text, prev), text


def test_a_follow_up_naming_another_platform_takes_its_place_in_the_previous_question():
    assert combine(LINKEDIN, "and what about facebook?") == "Can I accept a supplier's facebook request?"
    assert "councillors" in combine("does the policy apply to contractors?", "does that apply to councillors too?")


def test_the_previous_topic_never_leaks_into_a_new_question(ted):
    before = ted.db["unanswered"].count
    first, parking, depot = chat(ted, PRESS, "How do I renew my parking permit?", "Where do I park at the depot?")
    assert first.intent == "policy" and "6.3" in clauses(first)
    assert parking.intent == "fallback" and depot.intent == "fallback"
    assert ted.db["unanswered"].count == before + 2  # logged like any other unanswered question


def test_a_word_a_clause_answers_alone_and_a_question_about_this_policy_are_new_topics(ted):
    logo = "can I use the council logo on my instagram?"
    first, owner_q = chat(ted, logo, "who owns this policy?")
    alone = ted.asker.ask("who owns this policy?")
    assert "5.6" in clauses(first) and clauses(owner_q)[0] == alone.citations[0].clause != "5.6"
    _, passwords = chat(ted, logo, "passwords", conversation="c2")
    assert clauses(passwords)[0] == ted.asker.ask("passwords").citations[0].clause != "5.6"
    # One word no clause answers alone still asks about the question before.
    _, weekends = chat(ted, "do I have to check the council facebook page?", "weekends?", conversation="c3")
    assert weekends.intent == "policy" and weekends.citations


def test_a_follow_up_that_changes_the_platform_changes_the_clause(ted):
    linkedin, facebook = chat(ted, LINKEDIN, "and what about facebook?")
    assert linkedin.citations[0].clause in {"5.13", "5.15"}
    assert facebook.intent == "policy" and facebook.citations[0].clause == "5.13"


def test_smalltalk_between_questions_is_not_coloured_and_keeps_the_thread(ted):
    _, thanks, facebook = chat(ted, LINKEDIN, "thanks!", "and what about facebook?")
    assert thanks.intent == "smalltalk" and not thanks.citations
    assert facebook.citations[0].clause == "5.13"


def test_the_whole_answer_shows_the_clauses_that_complete_it_as_cards(ted):
    (linkedin,) = chat(ted, LINKEDIN)
    shown = {linkedin.citations[0].clause, *(c.clause for c in linkedin.also)}
    assert {"5.13", "5.15"} <= shown  # the rule and its LinkedIn exception, both as cards
    assert not {c.split("|")[1] for c in (b.value for b in linkedin.choices)} & shown
    # (told as it happens, "someone left an abusive comment…", it is a report: the form comes first)
    (abuse,) = chat(ted, "what if someone leaves an abusive comment about me on the council's page?", conversation="c2")
    assert {"7.1", "7.2"} <= {abuse.citations[0].clause, *(c.clause for c in abuse.also)}
    assert len(abuse.also) <= 2  # at most three cards
    assert linkedin.summary and linkedin.plain_text.startswith("In short:")  # a direct first line


def test_sharing_the_councils_own_news_is_answered_by_the_clause_that_encourages_it(ted):
    (reply,) = chat(ted, "can I share the council's press release on my own Facebook?")
    assert reply.intent == "policy" and reply.citations[0].clause == "5.17"  # not 5.16, LinkedIn updates


def test_every_chip_and_button_carries_clause_ids(ted):
    (reply,) = chat(ted, "can I post about work on my own account?")
    for chip in reply.choices:
        doc, _, clause = chip.value.partition("|")
        assert chip.action_id == actions.DID_YOU_MEAN and doc == "tdc-social-media-policy" and clause
        (landed,) = ted.router.action(_press(chip))
        assert landed.citations[0].clause == clause
        assert landed.summary  # led by its plain-English summary, as any answer is


def test_a_did_you_mean_chip_makes_its_clause_the_topic_of_the_next_follow_up(ted):
    (reply,) = chat(ted, "can I post about my job?", conversation="chip")
    assert reply.choices, "the question should offer alternatives"
    chip = reply.choices[0]
    doc, _, clause = chip.value.partition("|")
    from chat.model import Action

    ted.router.action(Action("web", "u1", chip.action_id, chip.value, conversation_id="chip"))
    topic = ted.conversations.previous_question(Message("web", "u1", "what about instagram?", conversation_id="chip"))
    questions = ted.db.execute("select questions from clauses where doc_id = ? and number = ?", [doc, clause])
    assert topic == questions.fetchone()[0].split("\n")[0]  # the chosen clause's own question stands as the topic


def test_a_follow_up_with_nothing_before_it_asks_for_the_whole_question(ted):
    (first,) = chat(ted, "what about instagram?", conversation="fresh")
    assert first.intent == "smalltalk" and "whole question" in first.text and not first.citations
    (on,) = chat(ted, "what about on twitter?", conversation="fresh-on")
    assert on.text.startswith("What would you like to know about twitter?")  # not "about on twitter"
    (mine,) = chat(ted, "and what about my own account?", conversation="fresh-mine")
    assert "know about your own account?" in mine.text and "say about my own account?" in mine.text
    assert ted.db["unanswered"].count == 0  # not a question the policy failed to answer
    _, follow = chat(ted, LINKEDIN, "and what about facebook?", conversation="fresh2")
    assert follow.intent == "policy"  # with a question before it, the same shape is a follow-up
    # Questions of their own that open like one, and abuse, are answered as before.
    (abuse,) = chat(ted, "what if I get abuse?", conversation="fresh3")
    assert abuse.intent == "policy" and actions.REPORT_OPEN in [b.action_id for b in abuse.buttons]
    (harassment,) = chat(ted, "what about harassment?", conversation="fresh4")
    assert harassment.intent == "report"


def _press(button):
    from chat.model import Action

    return Action("web", "u1", button.action_id, button.value, conversation_id="c1")


def test_a_colleagues_possible_breach_offers_report_this(ted):
    (reply,) = chat(ted, "my colleague keeps posting rude things about our director")
    assert actions.REPORT_OPEN in {b.action_id for b in reply.buttons}


def held_with_leave_policy(ted, owner: str) -> None:
    """A second document beside the bundled policy: a two-clause leave policy with this owner."""
    leave = Document(
        "staff-leave",
        "Staff Leave Policy",
        (
            Clause("1.1", "Annual leave must be booked through the HR portal at least two weeks ahead."),
            Clause("1.2", "Sick leave is reported to your line manager before 10am on the first day."),
        ),
        owner=owner,
    )
    save_documents(ted.db, [leave], embedder=ted.answerer.index.embedder)


def test_the_fallback_names_the_closest_document_and_its_owner_never_every_title(ted):
    held_with_leave_policy(ted, "Head of People")
    (reply,) = chat(ted, "what time does Clacton library open on Saturdays?")
    assert reply.intent == "fallback" and " or " not in reply.text.split("so I won't guess")[0]
    (hello,) = chat(ted, "hello", conversation="c3")
    assert "Social Media Policy" in hello.text and "Staff Leave Policy" in hello.text  # the documents held
    assert "Ask me about council policy" in hello.text  # not only the Social Media Policy
    for asked in ("what documents do you have?", "which policies can you answer from?", "list your documents"):
        (held,) = chat(ted, asked, conversation="c4")
        assert held.intent == "smalltalk" and "Staff Leave Policy" in held.text, (asked, held.text)


def test_ted_ask_json_always_has_did_you_mean_see_also_and_also_relevant(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "ask",
            "--db",
            str(tmp_path / "t.db"),
            "--json",
            "where is the nearest post office?",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(out.stdout)
    assert answer["did_you_mean"] == [] and answer["see_also"] == [] and answer["also_relevant"] == []


@web_test()
async def test_a_conversation_in_the_web_chat(w):
    (first,) = await w.ask(LINKEDIN)
    assert first["citations"][0]["clause"] in {"5.13", "5.15"} and "also" in first
    (follow,) = await w.ask("and what about facebook?")
    assert follow["citations"][0]["clause"] == "5.13"
    (other,) = await w.ask("How do I renew my parking permit?")
    assert other["intent"] == "fallback"
    assert w.ted.db["unanswered"].count == 1
    (again,) = await w.ask("same for instagram?")  # the parking question set no topic
    assert again["intent"] == "policy" and again["citations"][0]["clause"] == "5.13"


def test_a_follow_up_naming_whose_account_swaps_the_owner_in_the_previous_question():
    assert combine("can I use my own facebook to look into a resident?", "and from the council's account?").startswith(
        "can I use the council's facebook to look into a resident?"
    )
    assert combine("can I share my views on the council's facebook page?", "and on my own account?").startswith(
        "can I share my views on my own facebook page?"
    )


def test_a_follow_up_about_the_other_side_s_account_is_not_answered_by_a_clause_about_the_first(ted):
    own, council = chat(
        ted, "can I use my own facebook to look into a benefit claimant?", "and from the council's account?"
    )
    assert own.citations[0].clause == "5.18"
    assert council.intent == "policy" and council.citations[0].clause == "7.4"


def test_an_out_of_scope_turn_sets_no_topic_and_the_follow_up_after_it_leans_on_the_question_before(ted):
    before = ted.db["unanswered"].count
    first, meeting, again = chat(
        ted,
        "can I reply to a journalist who messaged me on twitter?",
        "how do I book a meeting room?",
        "and if they phone me instead?",
    )
    assert meeting.intent == "fallback" and ted.db["unanswered"].count == before + 1
    assert first.citations[0].clause == again.citations[0].clause == "6.3"


def test_a_fragment_is_read_as_the_question_it_completes_not_as_smalltalk(ted):
    _, who = chat(ted, "do I need permission to speak for the council on social media?", "who from?")
    assert who.intent == "policy" and who.citations[0].clause == "6.2"


def test_a_combined_reading_that_lands_where_the_question_before_did_is_answered(ted):
    _, training = chat(
        ted,
        "who is responsible for making sure staff in my service follow the policy?",
        "do they have to arrange training too?",
    )
    assert training.intent == "policy" and training.citations[0].clause == "3.2"


def test_a_colleagues_possible_breach_that_no_clause_answers_gets_the_report_form(ted):
    (reply,) = chat(ted, "my colleague posted confidential info about a planning application on facebook")
    assert reply.intent == "report" and actions.REPORT_OPEN in {b.action_id for b in reply.buttons}
    (follow,) = chat(
        ted,
        "a coworker has been slagging off the council on tiktok",
        "what does the policy say about that?",
        conversation="c9",
    )[1:]
    assert follow.intent == "policy" and follow.citations[0].clause == "5.10"  # what was reported is the topic


def test_every_report_category_has_a_bridge_to_the_form(ted):
    described = {
        "disparaging": "someone posted a video on tiktok disparaging the council",
        "abuse_me": "a resident keeps sending me abusive messages on facebook",
        "abuse_colleague": "a councillor is being harassed on twitter by a troll",
        "colleague_breach": "my colleague keeps posting rude things about our director",
    }
    for i, text in enumerate(described.values()):
        (reply,) = chat(ted, text, conversation=f"r{i}")
        assert actions.REPORT_OPEN in {b.action_id for b in reply.buttons}, text


def test_a_follow_up_asking_the_rules_next_step_gets_that_clause_first(ted):
    # The combined reading is mostly the question before it; what the follow-up itself asks picks the next clause
    # of the same rule, and the clause answered before stays beside it as a card.
    fast, sunday = chat(ted, "how fast do we have to reply to comments on the council's instagram?", "and on a sunday?")
    assert fast.citations[0].clause == "6.8"
    assert sunday.intent == "policy" and sunday.citations[0].clause == "6.9"
    assert "6.8" in {c.clause for c in sunday.also}
    _, leaver = chat(
        ted,
        "what should the password be like for our team's twitter?",
        "and when someone leaves the team?",
        conversation="c2",
    )
    assert leaver.citations[0].clause == "8.2"


def test_a_follow_up_about_the_same_rule_keeps_its_clause(ted):
    _, who = chat(ted, "do I have to do a course before I can post on the council's tiktok?", "who runs it?")
    assert who.intent == "policy" and who.citations[0].clause == "8.4"


def test_a_rule_for_council_accounts_does_not_answer_the_same_question_about_ones_own_account(ted):
    # Political content is ruled on for council accounts only: on one's own account TED says it is not sure
    # rather than offer whatever else mentions one's own account ("share the council's posts on your own").
    before = ted.db["unanswered"].count
    council, own = chat(
        ted, "is it ok to post about the labour party on the council's instagram?", "and if it's my own instagram?"
    )
    assert council.citations[0].clause == "6.6"
    assert own.intent == "fallback" and ted.db["unanswered"].count == before + 1
    logged = next(ted.db["unanswered"].rows_where(order_by="id desc", limit=1))["question"]
    assert "labour party" in logged and "own instagram" in logged  # as TED read it, not the fragment alone


def test_instead_at_the_end_leans_on_the_previous_question():
    prev = "can I post professional updates about my council project on linkedin?"
    assert is_elliptical("should it go on the council's account instead?", prev)
    assert is_elliptical("can I do that on the council's page instead?", prev)


def test_people_named_in_more_than_one_word_take_the_place_of_those_before_one_for_one():
    assert combine("do contractors have to follow the social media policy?", "what about agency staff?") == (
        "do agency staff have to follow the social media policy?"
    )
    assert combine("does the policy apply to agency workers?", "and councillors?") == (
        "does the policy apply to councillors?"
    )


def test_a_whole_question_opening_with_and_is_a_new_topic_unless_it_speaks_of_the_rule_before(ted):
    before = ted.db["unanswered"].count
    _, holiday = chat(ted, "who approves new council accounts?", "and who approves my holiday?")
    assert holiday.intent == "fallback" and ted.db["unanswered"].count == before + 1
    logged = next(ted.db["unanswered"].rows_where(order_by="id desc", limit=1))["question"]
    assert logged == "and who approves my holiday?"  # read alone: not coloured by the accounts question
    _, trainer = chat(
        ted,
        "do I need training before I post on the council's tiktok?",
        "and who runs the training?",
        conversation="c2",
    )
    assert trainer.intent == "policy" and trainer.citations[0].clause == "8.4"


def test_stands_alone_tells_a_whole_question_from_a_follow_up():
    assert stands_alone("and how do I change my email password?")
    assert stands_alone("and who approves my holiday?")
    assert stands_alone("and how much annual leave do I get?")  # "how much", "how many", "how long" open questions
    for text in ("and when should it be changed?", "what about my work email?", "who do I tell?", "what if I refuse?"):
        assert not stands_alone(text), text


def test_a_follow_up_on_something_reported_is_logged_in_its_own_words_only(ted):
    # What someone reports is for the people it is routed to; the unanswered list is for the curators.
    report, _, allowed = chat(
        ted,
        "my neighbour Dave Smith keeps posting abuse about me on tiktok",
        "and if it's on nextdoor?",
        "is that allowed?",
    )
    assert report.intent == "report"
    logged = [r["question"] for r in ted.db["unanswered"].rows]
    assert logged and not any("Dave Smith" in q or "neighbour" in q for q in logged)
    assert allowed.intent in {"fallback", "policy", "report"}


def test_a_follow_up_asking_what_happens_then_is_read_with_the_question_before(ted):
    _, weekends = chat(
        ted, "how fast do we have to reply to comments on the council's instagram?", "and what happens at weekends?"
    )
    assert weekends.intent == "policy" and weekends.citations[0].clause in {"6.8", "6.9"}


def test_instead_and_too_are_not_words_the_follow_up_asks():
    prev = "can contractors post on the council's facebook?"
    assert "instead" not in asks_more(prev, "and instagram instead?")
    assert asks_more(prev, "and instagram too?") == ""


def test_a_follow_up_naming_someone_already_asked_about_repeats_nobody():
    assert "councillors and councillors" not in combine(
        "can staff and councillors post on facebook?", "what about councillors?"
    )


def test_a_follow_up_naming_a_document_ted_does_not_hold_is_a_new_topic(ted):
    _, expenses, held = chat(
        ted,
        "can I post photos of my team on my personal facebook?",
        "and the expenses policy?",
        "and the social media policy?",
    )
    assert expenses.intent == "fallback" and "Expenses Policy" in expenses.text
    assert held.intent == "policy"  # the document TED holds, named loosely, is no new topic


def test_an_unsure_follow_up_on_the_next_clause_of_the_rule_answered_is_answered(ted):
    # The combined reading is not sure of itself, but it lands on the next clause of the rule just answered, and
    # what the follow-up asks ("a disclaimer") is plainly closer to that clause than to the one before.
    first, disclaimer = chat(
        ted, "can I put that I work in housing on my facebook profile?", "and what about a disclaimer?"
    )
    assert first.citations[0].clause == "5.7"
    assert disclaimer.intent == "policy" and disclaimer.citations[0].clause == "5.8"


NEAR_MISS = "my cousin works for the council too, can we be friends on facebook"  # TED is unsure: 0.41
FAR_OFF = "How do I renew my parking permit?"


def test_a_not_covered_that_was_nearly_an_answer_offers_the_closest_clauses_and_is_still_logged(ted):
    (reply,) = chat(ted, NEAR_MISS, conversation="near")
    assert reply.intent == "fallback" and "so I won't guess" in reply.text
    assert 1 <= len(reply.choices) <= 3 and not reply.citations  # choices, never an answer in their place
    for chip in reply.choices:
        assert chip.label in reply.text  # named in words too, for every surface without buttons
        doc, clause, asked = chip.value.split("|")  # the clause, and the question asked (for the asker's choice)
        assert chip.action_id == actions.DID_YOU_MEAN and doc == "tdc-social-media-policy" and clause
        assert asked == str(reply.asked_id)
        (landed,) = ted.router.action(_press(chip))
        assert landed.intent == "policy" and landed.citations[0].clause == clause
    assert ted.db.execute("select question from unanswered").fetchall() == [(NEAR_MISS,)]  # for the comms team


def test_a_question_far_from_every_clause_gets_the_plain_not_covered_without_choices(ted):
    (reply,) = chat(ted, FAR_OFF)
    assert reply.intent == "fallback" and reply.choices == () and "closest I found" not in reply.text


def test_ted_suggest_confidence_sets_how_unsure_a_not_covered_may_be_and_still_offer_clauses():
    from app import build
    from core.settings import Settings

    never = build(Settings(suggest_confidence=1.0), ":memory:")
    (reply,) = chat(never, NEAR_MISS)
    assert reply.intent == "fallback" and reply.choices == ()
    always = build(Settings(suggest_confidence=0.0), ":memory:")
    (reply,) = chat(always, FAR_OFF)
    assert reply.intent == "fallback" and reply.choices


def test_a_question_the_communications_team_marked_not_covered_offers_no_clauses():
    from app import build
    from core.settings import Settings
    from knowledge import teach

    ted = build(Settings(suggest_confidence=0.0), ":memory:")  # any other "not covered" would offer them
    teach.not_covered(
        ted.db,
        NEAR_MISS,
        "casey@tendringdc.gov.uk",
        doc_id="tdc-social-media-policy",
        embedder=ted.answerer.index.embedder,
    )
    (reply,) = chat(ted, NEAR_MISS, conversation="nc")
    assert reply.intent == "fallback" and reply.choices == ()


@web_test()
async def test_the_closest_clauses_of_a_not_covered_are_chips_in_the_web_chat(w):
    (reply,) = await w.ask(NEAR_MISS)
    assert reply["intent"] == "fallback" and reply["choices"]
    chip = reply["choices"][0]
    status, body = await w.press(chip["action_id"], chip["value"])
    assert status == 200 and body["replies"][0]["citations"][0]["clause"] == chip["value"].split("|")[1]


def test_a_not_covered_names_its_closest_clauses_in_plain_words_one_or_several():
    from knowledge.answer import Citation, closest_names

    one = Citation("leave", "1.2", "Sick leave", "Sick leave is reported before 10am.", 0.4, "Staff Leave Policy")
    same = Citation(
        "leave", "1.3", "Sick leave", "Fit notes are needed after seven days off sick.", 0.4, "Staff Leave Policy"
    )
    other = Citation(
        "tdc-social-media-policy", "5.9", "Confidential information", "Employees must not…", 0.3, "Social Media Policy"
    )
    assert closest_names((one,), "leave") == ["“1.2 — Sick leave”"]
    # the same title twice: each by its first words; two documents: each with its own
    assert closest_names((one, same, other), "leave") == [
        "“1.2 — Sick leave is reported before 10am. (Staff Leave Policy)”",
        "“1.3 — Fit notes are needed after seven days off… (Staff Leave Policy)”",
        "“5.9 — Confidential information (Social Media Policy)”",
    ]


def test_with_the_semantic_signal_off_what_was_taught_holds_whatever_the_punctuation():
    from app import build
    from core.settings import Settings
    from knowledge import teach

    ted = build(Settings(semantic=False, suggest_confidence=0.0), ":memory:")
    bins = "how do I book a green waste bin collection for a resident who rang in"
    teach.not_covered(ted.db, bins, "casey@tendringdc.gov.uk", doc_id="tdc-social-media-policy")
    (reply,) = chat(ted, bins.capitalize() + "?", conversation="lex")
    assert reply.intent == "fallback" and reply.choices == ()  # settled as taught: no clauses offered
    teach.teach(ted.db, "5.13", "can my cousin and I be facebook friends", "casey@tendringdc.gov.uk")
    (reply,) = chat(ted, "Can my cousin and I be Facebook friends?!", conversation="lex2")
    assert reply.intent == "policy" and reply.citations[0].clause == "5.13"


def test_a_question_that_merely_names_a_policy_ted_does_not_hold_is_offered_no_clauses_of_another():
    from app import build
    from core.settings import Settings

    ted = build(Settings(suggest_confidence=0.0), ":memory:")
    (reply,) = chat(ted, "what's the telework policy at the Department of Education?")
    assert reply.intent == "fallback" and reply.choices == ()


def test_on_a_small_knowledge_base_of_the_council_s_own_an_unrelated_question_is_not_answered():
    """A pilot with one short policy: a question whose words brush a clause but whose meaning is far from it is
    not answered (nor offered it), and a question about a policy TED doesn't hold is not taken for smalltalk."""
    from app import build
    from core.settings import Settings

    ted = build(Settings(suggest_confidence=0.0), ":memory:", first_use=False)
    parking = Document(
        "parking",
        "Parking policy",
        (
            Clause("1.1", "Staff permits cost five pounds a month and are bought through the HR portal."),
            Clause("2.1", "Electric vehicles may use the charging bays for up to four hours."),
            Clause("2.2", "Bicycles go in the shed behind the depot."),
        ),
    )
    save_documents(ted.db, [parking], embedder=ted.answerer.index.embedder)
    (far,) = chat(ted, "can I post on facebook during work hours?", conversation="p1")
    assert far.intent == "fallback" and far.choices == ()
    (leave,) = chat(ted, "what is the sick leave policy?", conversation="p2")
    assert leave.intent == "fallback" and "I don't hold the Sick Leave Policy" in leave.text
    (near,) = chat(ted, "how long can I leave my electric car in the charging bay?", conversation="p3")
    assert near.intent == "policy" and near.citations[0].clause == "2.1"


def test_a_follow_up_bringing_a_subject_of_its_own_is_asked_as_it_stands_and_logged(ted):
    # Two or more new words that the rule the combined reading lands on never uses: a new topic.
    before = ted.db["unanswered"].count
    first, permit = chat(ted, "could a job applicant look at my facebook?", "same for my parking permit?")
    assert first.intent == "policy" and permit.intent == "fallback"
    _, leave = chat(
        ted,
        "what should my profile say if I mention I work for the council?",
        "and how much annual leave do I get?",
        conversation="c2",
    )
    assert leave.intent == "fallback"
    assert ted.db["unanswered"].count == before + 2
    logged = [r["question"] for r in ted.db["unanswered"].rows_where(order_by="id desc", limit=2)]
    assert logged == ["and how much annual leave do I get?", "same for my parking permit?"]  # their own words
    # Words about whose account it is vary the question before; they are no subject of their own.
    _, private = chat(
        ted,
        "is a drunk photo on my instagram going to get me in trouble?",
        "even if my account's private?",
        conversation="c3",
    )
    assert private.intent == "policy" and private.citations[0].clause == "5.4"
    # Nor is another kind of account or page: "a temporary campaign account" varies the question before.
    _, campaign = chat(
        ted, "who approves a new council account?", "what about a temporary campaign account?", conversation="c4"
    )
    assert campaign.intent == "policy" and campaign.citations[0].clause == "6.1"


def test_a_short_question_that_finds_no_answer_alone_is_read_with_the_one_before(ted):
    # No "and" in front: alone it finds nothing, and the rule before has every word it adds.
    _, trainer = chat(ted, "do I need training before I post on the council's instagram?", "who runs the training?")
    assert trainer.intent == "policy" and trainer.citations[0].clause == "8.4"
    # Alone, the same words start no conversation of their own.
    (alone,) = chat(ted, "who runs the training?", conversation="c2")
    assert alone.intent == "fallback"


def test_a_clause_about_one_platform_does_not_answer_a_follow_up_that_moves_to_another(ted):
    # 5.16 is LinkedIn's own clause: "what about on my facebook?" is not answered by it, however well the
    # combined reading matches the rest of it. A clause listing many platforms (2.3) still answers a swap.
    first, facebook = chat(
        ted, "can I share an update about a project I led at the council on my linkedin?", "what about on my facebook?"
    )
    assert first.intent == "policy" and first.citations[0].clause == "5.16"
    assert "5.16" not in clauses(facebook) and "5.15" not in clauses(facebook)
    _, whatsapp = chat(ted, "does the social media policy cover snapchat?", "and whatsapp?", conversation="c2")
    assert whatsapp.intent == "policy" and whatsapp.citations[0].clause == "2.3"


@pytest.mark.parametrize(
    ("owner", "said"),
    [
        ("Harper Singh", "ask Harper Singh,"),
        ("Head of People", "ask the Head of People,"),
        ("HR", "ask HR,"),
        ("HR Business Partner", "ask the HR Business Partner,"),
    ],
)
def test_the_fallback_names_an_owner_as_a_sentence_would(ted, owner, said):
    held_with_leave_policy(ted, owner)
    (reply,) = chat(ted, "is maternity leave paid in full?")
    assert reply.intent == "fallback" and "Staff Leave Policy" in reply.text, reply.text
    assert said in reply.text and "the Harper" not in reply.text and "the HR," not in reply.text, reply.text


def test_a_question_naming_a_document_held_is_answered_from_it_or_not_at_all(ted):
    other = Document(
        "social-media",
        "Social media",  # another organisation's page, nearly the council policy's name
        (Clause("0.4", "Feel free to talk about already-public information about your project on social media."),),
    )
    expenses = Document(
        "expenses-policy",
        "Expenses Policy",
        (
            Clause("2.1", "Mileage is paid at 45p a mile for the first 10,000 miles."),
            Clause("3.1", "Meals are paid up to £10 a day when away for more than five hours."),
        ),
        owner="Head of Finance",
    )
    save_documents(ted.db, [other, expenses], embedder=ted.answerer.index.embedder)
    (named,) = chat(ted, "what does the Social Media Policy say about talking about my project online?")
    assert named.intent == "policy" and named.citations[0].doc == "tdc-social-media-policy", named.citations
    (clause,) = chat(ted, "what does 2.1 of the Expenses Policy say?", conversation="c2")
    assert clause.intent == "policy" and (clause.citations[0].doc, clause.citations[0].clause) == (
        "expenses-policy",
        "2.1",
    )
    (taxis,) = chat(ted, "what does the Expenses Policy say about booking taxis?", conversation="c3")
    assert taxis.intent == "fallback" and "Expenses Policy" in taxis.text and "Head of Finance" in taxis.text


def test_a_follow_up_about_something_another_clause_answers_moves_to_it(ted):
    parking = Document(
        "parking-policy",
        "Staff Parking Policy",
        (
            Clause("1.2", "A staff parking permit costs £120 a year."),
            Clause("3.1", "Electric cars may charge in bays 1 to 4."),
        ),
    )
    expenses = Document(
        "expenses-policy",
        "Expenses Policy",
        (Clause("2.1", "Mileage is paid at 45p a mile."), Clause("3.1", "Meals are paid up to £10 a day.")),
    )
    save_documents(ted.db, [parking, expenses], embedder=ted.answerer.index.embedder)
    _, mileage = chat(ted, "how much is a staff parking permit?", "what about mileage?")
    assert mileage.intent == "policy" and (mileage.citations[0].doc, mileage.citations[0].clause) == (
        "expenses-policy",
        "2.1",
    )
    _, meals = chat(ted, "how much mileage can I claim?", "what about meals?", conversation="c2")
    assert (meals.citations[0].doc, meals.citations[0].clause) == ("expenses-policy", "3.1")
    # What points back at the question before still leans on it.
    _, that = chat(ted, "can I use facebook at work?", "what does the policy say about that?", conversation="c3")
    assert that.citations[0].doc == "tdc-social-media-policy"


def test_who_owns_a_document_is_answered_from_its_details_when_no_clause_says(ted):
    expenses = Document(
        "expenses-policy",
        "Expenses Policy",
        (Clause("2.1", "Mileage is paid at 45p a mile."), Clause("4.1", "Claims must be made within three months.")),
        owner="Head of Finance",
    )
    save_documents(ted.db, [expenses], embedder=ted.answerer.index.embedder)
    before = ted.db["unanswered"].count
    (owner,) = chat(ted, "who owns the expenses policy?")
    assert owner.intent == "fallback" and "the Head of Finance" in owner.text and not owner.citations
    assert ted.db["unanswered"].count == before + 1  # no clause answers it: logged like any other
    (ours,) = chat(ted, "who owns the social media policy?", conversation="c2")  # its clause 3.1 says so
    assert ours.intent == "policy" and ours.citations[0].clause == "3.1"
