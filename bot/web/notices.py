"""`/accessibility` and `/privacy`: the accessibility statement and the privacy notice, linked from every page's
footer (bot/web/html.py FOOTER) and from TED's `help` reply.

The accessibility statement follows the GOV.UK model statement that the Public Sector Bodies (Websites and Mobile
Applications) (No. 2) Accessibility Regulations 2018 expect; the privacy notice says what TED holds, why, for how
long (from the settings in force, not a copy of their defaults), who sees it, and how to ask for it or complain.
docs/dpia.md is the data protection impact assessment behind it.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.endpoint import WebChat, endpoint
from bot.web.html import esc, page
from bot.web.identity import Identity
from core.settings import Settings

# When the statement was written and last reviewed, and when TED was last tested by hand. The automated checks
# (tests/browser/test_accessibility.py) run on every change; update these dates at each review.
STATEMENT_PREPARED = "1 December 2026"
STATEMENT_REVIEWED = "1 December 2026"
AXE_VERSION = "4.12"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _section(key: str, heading: str, body: str) -> str:
    return f'<section aria-labelledby="h-{key}"><h2 id="h-{key}">{esc(heading)}</h2>{body}</section>'


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def accessibility_html(settings: Settings) -> str:
    contact = esc(settings.accessibility_contact_or_default)
    where = esc(settings.base_url)
    main = (
        "<h1>Accessibility statement for TED</h1>"
        f'<p class="lede">This statement applies to TED Web Chat at {where}: the chat page, My reports, the Inbox, '
        "the policy pages, the admin page, this statement and the privacy notice. TED in Slack and Microsoft Teams "
        "is shown by those apps, whose own accessibility statements apply.</p>"
        "<p>This website is run by Tendring District Council. We want as many people as possible to be able to use "
        "it. For example, that means you should be able to:</p>"
        + _list(
            [
                "change colours, contrast levels and fonts using browser or device settings",
                "zoom in up to 400% without the text spilling off the screen",
                "use the whole chat, the report form and the admin page with a keyboard only",
                "use speech recognition software: every button and field has a visible label",
                "listen to the website using a screen reader (TED's answers are announced as they arrive)",
            ]
        )
        + "<p>We've also made the website text as simple as possible to understand. Policy clauses are quoted "
        "exactly as the council wrote them, with a plain-English summary beside each one.</p>"
        '<p><a href="https://mcmw.abilitynet.org.uk/">AbilityNet</a> has advice on making your device easier to '
        "use if you have a disability.</p>"
        + _section(
            "how",
            "How accessible this website is",
            "<p>We know some parts of this website are not fully accessible:</p>"
            + _list(
                [
                    "screenshots attached to a report open as images with no text description, only their file name",
                    "a policy document loaded from a Word or PDF file has headings only where the "
                    "original document had them",
                    "new messages arriving in your Inbox are shown as a count on the Inbox tab; a screen "
                    "reader hears them when you open the tab, not as they arrive",
                ]
            ),
        )
        + _section(
            "feedback",
            "Feedback and contact information",
            "<p>If you need information on this website in a different format, like accessible PDF, large "
            f"print, easy read, audio recording or braille, contact {contact}. Tell us the page and what "
            "you need. We'll consider your request and get back to you within 5 working days.</p>"
            "<p>You can always ask a person instead of TED: your line manager, HR, or the Communications "
            "Manager can answer any policy question and take any report.</p>",
        )
        + _section(
            "report",
            "Reporting accessibility problems with this website",
            "<p>We're always looking to improve the accessibility of this website. If you find any problems "
            "not listed on this page or think we're not meeting accessibility requirements, contact "
            f"{contact}. Please say which page you were on and what went wrong.</p>",
        )
        + _section(
            "enforcement",
            "Enforcement procedure",
            "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public "
            "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "
            "‘accessibility regulations’). If you're not happy with how we respond to your complaint, "
            '<a href="https://www.equalityadvisoryservice.com/">contact the Equality Advisory and Support '
            "Service (EASS)</a>.</p>"
            "<p>If you are in Northern Ireland and are not happy with how we respond to your complaint you "
            'can contact the <a href="https://www.equalityni.org/Home">Equality Commission for Northern '
            "Ireland (ECNI)</a>, who are responsible for enforcing the accessibility regulations in "
            "Northern Ireland.</p>",
        )
        + _section(
            "technical",
            "Technical information about this website's accessibility",
            "<p>Tendring District Council is committed to making its website accessible, in accordance with "
            "the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations "
            "2018.</p>"
            "<h3>Compliance status</h3>"
            '<p>This website is partially compliant with the <a href="https://www.w3.org/TR/WCAG22/">Web '
            "Content Accessibility Guidelines version 2.2</a> AA standard, due to the non-compliances "
            "listed below.</p>"
            "<h3>Non-accessible content</h3>"
            "<p>The content listed below is non-accessible for the following reasons.</p>"
            "<h4>Non-compliance with the accessibility regulations</h4>"
            + _list(
                [
                    "Screenshots attached to a report have no text alternative. This fails WCAG 2.2 "
                    "success criterion 1.1.1 (non-text content). We plan to let the person reporting "
                    "describe each screenshot; until then the report's own description says what it "
                    "shows.",
                    "A policy loaded from a document without headings is shown as one section. This "
                    "may fail WCAG 2.2 success criterion 1.3.1 (info and relationships). The council's "
                    "policy owners are asked to use real headings in the documents they publish.",
                ]
            )
            + "<h4>Disproportionate burden</h4><p>We are not claiming disproportionate burden for any part "
            "of this website.</p>"
            "<h4>Content that's not within the scope of the accessibility regulations</h4>"
            "<p>Slack and Microsoft Teams are third-party apps that the council does not control.</p>",
        )
        + _section(
            "improving",
            "What we're doing to improve accessibility",
            "<p>Every change to TED is checked automatically before it is released: each page is tested "
            "with an accessibility checker at desktop and mobile widths, and the chat and the report form "
            "are used with the keyboard only. We will fix the issues listed above and ask staff who use "
            "assistive technology to try TED.</p>",
        )
        + _section(
            "preparation",
            "Preparation of this accessibility statement",
            f"<p>This statement was prepared on {STATEMENT_PREPARED}. It was last reviewed on "
            f"{STATEMENT_REVIEWED}.</p>"
            f"<p>This website was last tested on {STATEMENT_PREPARED} against the WCAG 2.2 AA standard. "
            "The test was carried out by the council's TED development team. We tested every page of TED "
            "Web Chat (the chat before and after an answer and with the report form open, My reports, the "
            "Inbox, the policy pages, the admin page, this statement and the privacy notice) with the "
            f"axe-core {AXE_VERSION} automated checker, using its rules for WCAG 2.0, 2.1 and 2.2 at "
            "levels A and AA, at a desktop width (1280 pixels) and a mobile width (390 pixels); and we "
            "asked a question, read the answer and sent a report using the keyboard only. These tests "
            "run again with every change to TED.</p>",
        )
    )
    return page("Accessibility statement", main)


def privacy_html(settings: Settings) -> str:
    q_days, r_days = _days(settings.question_retention_days), _days(settings.retention_days)
    dpo = esc(settings.dpo_contact)
    pseudonymised = settings.pseudonymise_questions
    who_asked = (
        "in place of your user id, a pseudonym (a keyed code made from it) — so the stored question "
        "does not show who you are, but the council can still find it for you if you ask"
        if pseudonymised
        else "your user id on the platform you used (Slack, Teams or your email in TED Web Chat)"
    )
    rows = [
        (
            "Questions you ask TED",
            f"the question, when, where (Slack, Teams, web), {who_asked}, and which clause TED answered with",
            f"{q_days}, then deleted",
        ),
        ("Questions TED could not answer", "the question, when and where; never who asked", f"{q_days}, then deleted"),
        (
            "Feedback on answers (👍/👎)",
            "your rating, any reason you give, the question and clause, and "
            + ("a pseudonym of your user id" if pseudonymised else "your user id"),
            f"{q_days}, then deleted",
        ),
        (
            "Conversation memory",
            "the last question in each conversation, so a follow-up like “and what about LinkedIn?” makes sense",
            f"{q_days}, then deleted",
        ),
        (
            "Reports",
            "who reported, what happened, links, the account, when it was seen, your description, "
            "whether someone is at risk, whether you want HR support, who it was sent to, and every action and note "
            "on it",
            f"{r_days} after the report is resolved; then the personal content is removed and only the "
            "reference, dates, category, platform, service area, outcome and who handled it stay (longer only if "
            "the report is on legal hold)",
        ),
        (
            "Screenshots attached to reports",
            "the image files you attach",
            f"deleted with the report's personal content, {r_days} after it is resolved",
        ),
        (
            "The staff directory",
            "name, work email, Slack and Teams ids, line manager, service area and TED "
            "roles, imported by IT from the council's records",
            "while you work for the council; when you leave you "
            "are marked as left (not deleted) so that reports you were part of stay complete",
        ),
        (
            "Copies of report messages",
            "the messages about a report that TED sends you, kept in your TED Web "
            "Chat Inbox (and in Slack or Teams when you use them)",
            "in TED, removed with the report's personal content",
        ),
        (
            "How to reach you in Teams",
            "the conversation reference Teams gives TED when it is installed for you, "
            "so it can send you report messages",
            "until TED is removed for you in Teams",
        ),
        (
            "Your TED Web Chat session",
            "a cookie that keeps you signed in and protects the page's forms; no tracking or analytics",
            "12 hours at most",
        ),
    ]
    # One heading per kind of information rather than a three-column table, which a phone cannot fit.
    held = "".join(
        f'<div class="held"><h3>{esc(what)}</h3><p><strong>What:</strong> {esc(details)}</p>'
        f"<p><strong>Kept for:</strong> {esc(kept)}</p></div>"
        for what, details, kept in rows
    )
    main = (
        "<h1>Privacy notice: how TED uses your information</h1>"
        '<p class="lede">TED is an automated assistant run by Tendring District Council. This notice says what it '
        "keeps about you, why, for how long, who can see it, and what your rights are.</p>"
        f"<p>Tendring District Council is the controller for this information. You can contact {dpo} about "
        "anything in this notice.</p>"
        + _section(
            "what",
            "What TED holds",
            "<p>The questions you ask are personal data: they are linked to you "
            "and may say something about you. Please don't put other people's personal details in a "
            "question.</p>" + held,
        )
        + _section(
            "why",
            "Why we use it (our lawful basis)",
            "<p>We use this information to answer staff questions about council policy, to improve those "
            "answers, and to handle reports of abuse aimed at staff and councillors, or of content that "
            "disparages the council. Our lawful basis is <strong>public task</strong> (UK GDPR Article "
            "6(1)(e)): running the council and meeting its duties as an employer, including the duty of "
            "care to staff. Where a use is not part of the council's public tasks, the basis is "
            "<strong>legitimate interests</strong> (Article 6(1)(f)), and we have weighed your interests "
            "against ours in the council's data protection impact assessment.</p>"
            "<p><strong>Reports may contain special category information</strong>, for example about "
            "someone's health, religion, ethnicity or sexual orientation when abuse targets it. We use it "
            "only to protect and support the people involved, under our obligations as an employer (UK "
            "GDPR Article 9(2)(b) and the Data Protection Act 2018, Schedule 1, paragraph 1). Put in a "
            "report only what the people handling it need to know.</p>"
            "<p>TED does not make decisions about you. It does not read your messages anywhere else: it "
            "sees only what you send to it.</p>",
        )
        + _section(
            "who",
            "Who can see it",
            _list(
                [
                    "Questions TED could not answer, and feedback: the council's communications team (on "
                    "TED's admin page), to improve the answers.",
                    "A report: the people it is sent to — your line manager, the service-area manager, the "
                    "Communications Manager, HR when you ask for support or someone is at risk, and the "
                    "head of service if nobody acknowledges it in time — and the communications team.",
                    "The council's IT staff who run TED, who can see everything it stores.",
                    "When you use TED in Slack or Microsoft Teams, your messages also pass through those "
                    "companies' services, under the council's contracts with them.",
                ]
            ),
        )
        + _section(
            "rights",
            "Your rights, and how to ask for your information",
            "<p>You can ask for a copy of everything TED holds about you (a subject access request), and "
            "ask us to correct it, delete it, or stop using it. Contact "
            f"{dpo}. We will reply within one month. The council can gather everything TED holds about "
            "one person in one step, including questions stored under a pseudonym.</p>",
        )
        + _section(
            "complain",
            "How to complain",
            f"<p>If you're unhappy with how TED uses your information, please complain to {dpo} first. "
            "We will acknowledge your complaint within 30 days and tell you what we are doing about "
            "it.</p><p>You can also complain to the Information Commissioner's Office (ICO): "
            '<a href="https://ico.org.uk/make-a-complaint/">ico.org.uk/make-a-complaint</a>, or call '
            "0303 123 1113.</p>",
        )
    )
    return page("Privacy notice", main)


@endpoint(html=True, cookie=False)
async def accessibility_page(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.Response(text=accessibility_html(w.ted.settings), content_type="text/html")


@endpoint(html=True, cookie=False)
async def privacy_page(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.Response(text=privacy_html(w.ted.settings), content_type="text/html")
