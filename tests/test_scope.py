"""A question about a document TED does not hold is recognised by name (knowledge/scope.py), and the ones that
name the document TED does hold, or no document at all, are not."""

import pytest

from knowledge.scope import unheld_document

HELD = ["Social Media Policy"]
RELATED = ["Data Protection Policy", "IT Strategy", "Covert Surveillance Policy Procedure & Manual (RIPA Policy)"]


@pytest.mark.parametrize(
    "question,name",
    [
        ("what does the Procurement Policy say about gifts?", "Procurement Policy"),
        ("what does the data protection policy say about retention", "Data Protection Policy"),
        ("what does the ripa policy say", "Covert Surveillance Policy Procedure & Manual (RIPA Policy)"),
        ("what does the code of conduct say about gifts", "Code of Conduct"),
        ("whats in the council's travel plan", "Travel Plan"),
        ("what does the IT Strategy say about who leads on social media", "IT Strategy"),
        ("does the social media policy cover tiktok?", None),
        ("is there any role in the policy for managers?", None),
        ("what does this policy say about linkedin", None),
        ("can I post on facebook?", None),
        ("what is the sick leave policy", "Sick Leave Policy"),  # with or without a question mark
        ("whats the data protection policy?", "Data Protection Policy"),
        ("where can i find the expenses policy", "Expenses Policy"),
        ("what is the social media policy?", None),  # held
        ("what is the policy on tiktok", None),  # the policy asked about, not another one
        ("is there a policy on tiktok", None),
    ],
)
def test_documents_named_in_questions(question, name):
    assert unheld_document(question, HELD, RELATED) == name


def test_a_question_about_a_document_not_held_falls_back_naming_it(ted):
    answer = ted.asker.ask("what does the Procurement Policy say about gifts from suppliers?")
    assert answer.intent == "fallback" and "Procurement Policy" in answer.text and not answer.citations


def test_a_document_not_held_is_named_as_people_write_it():
    from knowledge.scope import unheld_document

    held = ["Social Media Policy"]
    assert unheld_document("what does the ict security policy say about passwords?", held) == "ICT Security Policy"
    assert unheld_document("what does the CCTV policy say?", held) == "CCTV Policy"
    assert unheld_document("what does the gifts and hospitality policy say?", held) == "Gifts and Hospitality Policy"
    assert unheld_document("what does the hr and the leave policy say?", held) == "Leave Policy"  # "the" ends it
