"""The accessibility statement (/accessibility, the GOV.UK model statement) and the privacy notice (/privacy, with
the retention settings actually in force), and the footer that links both from every page."""

import re
from html import unescape

from bot.web.notices import STATEMENT_PREPARED
from tests.fakes.web_world import ALEX, CASEY, web_test

FOOTER_LINKS = ('href="/accessibility">Accessibility statement</a>', 'href="/privacy">Privacy notice</a>')


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


@web_test(accessibility_contact="the Digital Team (digital@example.gov.uk)")
async def test_the_accessibility_statement_follows_the_model_statement(w):
    b = await w.browser()
    status, page = await b.get("/accessibility")
    assert status == 200
    headings = [unescape(h) for h in re.findall(r"<h2[^>]*>([^<]+)</h2>", page)]
    assert headings == [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "What we're doing to improve accessibility",
        "Preparation of this accessibility statement",
    ]
    words = text_of(page)
    assert "<h3>Compliance status</h3>" in page and "<h3>Non-accessible content</h3>" in page
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard" in words
    assert "Non-compliance with the accessibility regulations" in words and "1.1.1" in words
    assert "Disproportionate burden" in words
    assert "the Digital Team (digital@example.gov.uk)" in words  # alternative formats and problems
    assert "large print, easy read, audio recording or braille" in words
    assert "Equality and Human Rights Commission (EHRC)" in words and "Equality Advisory and Support Service" in words
    assert "Equality Commission for Northern Ireland (ECNI)" in words
    assert f"This statement was prepared on {STATEMENT_PREPARED}" in words
    assert "axe-core" in words and "1280 pixels" in words and "390 pixels" in words and "keyboard only" in words
    assert w.ted.settings.base_url in words


@web_test(question_retention_days=30, retention_days=200, dpo_contact="the DPO (dpo@example.gov.uk)")
async def test_the_privacy_notice_says_what_why_how_long_who_and_how_to_ask_or_complain(w):
    b = await w.browser()
    status, page = await b.get("/privacy")
    assert status == 200
    words = text_of(page)
    for held in (
        "Questions you ask TED",
        "Questions TED could not answer",
        "Feedback on answers",
        "Conversation memory",
        "Reports",
        "Screenshots attached to reports",
        "The staff directory",
    ):
        assert f"<h3>{held}" in page, held
    assert words.count("30 days, then deleted") == 4  # questions, unanswered, feedback, memory: the setting
    assert "200 days after the report is resolved" in words
    assert "public task" in words and "Article 6(1)(e)" in words and "legitimate interests" in words
    assert "special category" in words and "Article 9(2)(b)" in words
    assert "the DPO (dpo@example.gov.uk)" in words and "subject access request" in words
    assert "Information Commissioner's Office (ICO)" in words and "ico.org.uk/make-a-complaint" in words
    assert "never who asked" in words and "pseudonym" not in words.split("Your rights")[0]


@web_test(pseudonymise_questions=True)
async def test_the_privacy_notice_says_when_questions_are_pseudonymised(w):
    _, page = await (await w.browser()).get("/privacy")
    assert "a pseudonym (a keyed code made from it)" in text_of(page)


@web_test()
async def test_every_page_links_the_accessibility_statement_and_the_privacy_notice(w):
    guest, casey = await w.browser(), await w.browser(CASEY)
    await w.browser(ALEX)
    pages = [
        await guest.get(p)
        for p in ("/", "/policy/tdc-social-media-policy", "/policy/nope", "/admin", "/accessibility", "/privacy")
    ]
    pages.append(await casey.get("/admin"))
    assert [status for status, _ in pages] == [200, 200, 404, 401, 200, 200, 200]
    for status, page in pages:
        assert all(link in page for link in FOOTER_LINKS), (status, page[-600:])
        assert page.count("<footer") == 1 and "<!--footer-->" not in page
