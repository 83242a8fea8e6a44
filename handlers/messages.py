"""Words TED says that don't come from a policy. Kept together so they can be reviewed as one."""

EMPTY_QUESTION = (
    "I didn't catch a question there. Ask me anything about council policy — for example "
    "“can I add a supplier on my personal Facebook?” — or type “report” to report abuse "
    "or content that disparages the council."
)

# Said first (the web chat's first message, Teams' welcome) and in `help`: TED is automated, what it can and can't
# do, and the way to a person (transparency: UK GDPR Articles 13-14, the ICO's guidance on AI and on monitoring
# workers). Keep DISCLOSURE short and plain; the privacy notice is /privacy in TED Web Chat.
DISCLOSURE = (
    "I'm an automated assistant, not a person. I answer only from the council's published policies and I "
    "can be wrong; I can't give legal or HR advice or make decisions about you. For anything personal, "
    "urgent or that I can't answer, talk to your line manager, HR or the Communications Manager."
)

PRIVACY_POINTER = (
    "What I keep about you, for how long and how to get a copy: the privacy notice, “Privacy notice” "
    "at the foot of TED Web Chat (/privacy)."
)

GREETING = (
    "Hello! I'm TED, the council's policy assistant. Ask me about council policy — for "
    "example “can I say I work for the council on my Instagram?” — and I'll quote the clause "
    "that answers it. If you've seen abuse or content that disparages the council, say "
    "“report” and I'll take the details to the right people.\n\n" + DISCLOSURE
)

# Greeting and help name the documents TED actually holds (AskService.greeting / .capabilities).
HOLDING = "The documents I can answer from: {documents}."
HOLDING_NONE = "I don't hold any policy documents yet: the Communications team can add them."

CAPABILITIES = (
    "I can:\n• answer questions about council policy, quoting the exact clause I rely on "
    "(and I'll tell you plainly when the policy doesn't cover something);\n"
    "• take a report of social-media content that disparages the council, or of abuse aimed "
    "at staff or councillors, and send it to your line manager, the service-area manager and "
    "the Communications Manager.\nTry “can I accept a LinkedIn invite from a supplier?” or "
    "“report”.\n\n" + DISCLOSURE + "\n\n" + PRIVACY_POINTER
)

THANKS = "You're welcome. Ask me any time — and if you ever need to report something, just say “report”."

GOODBYE = "Bye for now. I'm here whenever you have another policy question."

DANGER = (
    "If you or anyone else is in danger now, call 999. A threat like this should be reported straight away: use "
    "the report form (type /report, or press “Report this”) and I'll send it to your line manager, the relevant "
    "service-area manager and the Communications Manager. Please don't reply to the person, and keep any messages "
    "or screenshots."
)
SELF_HARM = (
    "I'm sorry you're going through this. If you're in danger now, call 999. You can talk to Samaritans at any "
    "time, free, on 116 123. Your line manager or HR can also put you in touch with the council's staff support."
)
REPORT_OFFER = (
    "I can take a report of that. Use the report form (type /report, or press “Report this”) "
    "and I'll send it to your line manager, the relevant service-area manager and the "
    "Communications Manager. Please don't engage with the poster. If someone is in immediate "
    "danger, call 999."
)

REPORT_ALSO = "If you'd like to report this, use /report or press “Report this” and I'll route it to the right people."

FEEDBACK_THANKS = "Thanks for the feedback — it helps the communications team keep TED accurate."

FEEDBACK_SORRY = (
    "Sorry that didn't help. If you tell me what was missing or wrong, the communications team will see it."
)

FEEDBACK_UNKNOWN = "I couldn't find that answer any more, so I couldn't record your feedback."

CLAUSE_GONE = "That clause is no longer in the knowledge base — the policy may have been updated."

SHARE_REFUSED = "Only the person who asked can share that answer."

REPORT_FORM_INTRO = (
    "Tell me what you saw and I'll send it to the right people. Please don't engage with the "
    "poster. If someone is in immediate danger, call 999 first."
)

REPORT_NOT_SAVED = (
    "⚠️ I couldn't save your report, so it has NOT been sent to anyone. The fault is on my side: "
    "my storage isn't accepting anything new right now. Please tell {manager} or {comms} directly "
    "instead, and keep any screenshots. If someone is in immediate danger, call 999."
)

REPORT_NOT_SAVED_BUSY = (
    "⚠️ I couldn't save your report, so it has NOT been sent to anyone. The fault is on my side: I'm busy with a "
    "large update just now. Please send it again in a minute, or tell {manager} or {comms} directly. If someone "
    "is in immediate danger, call 999."
)

REPORT_HELP = (
    "/report — open the report form\n/report status — where your reports stand\n"
    "/report open — reports waiting for you (managers and the communications team)"
)

NO_REPORTS = "You haven't filed any reports with me. Type /report to file one."

NOTHING_OPEN = "Nothing is waiting for you. 🎉"

NOT_IN_DIRECTORY = (
    "I can't find you in the staff directory, so I can't show reports assigned to you. Please ask IT to add you."
)

NOT_ALLOWED = (
    "Sorry — only the people this report was sent to, and the communications team, can act on it. "
    "Nothing has been changed."
)

REPORT_FORM_AGAIN = (
    "That form came from a card I can no longer check (it may be from before TED was updated), so nothing has been "
    "sent yet. Here is what you wrote: check it and press Send."
)
REPORT_ALREADY_RESOLVED = "{ref} is already resolved, so nothing can be changed now (you can still add a note)."
REPORT_NOT_FOUND = (
    "I can't find that report (it may have been deleted under the retention period). Nothing has been changed."
)
NOT_ALLOWED_TO_VIEW = (
    "Sorry — only the person who filed this report, the people it was sent to and the communications team can see it."
)

WEB_PICK_FIRST_TO_REPORT = (
    "Please choose who you are first (“Signed in as”, at the top of the page), so the "
    "report goes to the right people and you can follow it up."
)

# Slack's App Home tab (bot/slack/app.py); the tab also shows CAPABILITIES.
SLACK_HOME_ASK = (
    "• Send me a direct message here (the Messages tab), for example “can I accept a LinkedIn invite "
    "from a supplier?”. Follow-ups in the same thread (“and what about Facebook?”) are read with "
    "the question before.\n• Mention @TED in a channel and I'll answer in a thread.\n"
    "• Type /ted and your question anywhere: only you see the answer, and “Share in channel” "
    "posts it for everyone.\nEvery answer quotes the clause it relies on; press 👍 or 👎 to tell "
    "the communications team whether it helped."
)

SLACK_HOME_REPORT = (
    "Seen social-media content that disparages the council, or abuse aimed at staff or "
    "councillors? Type /report (or press “Report this” under an answer) and fill in the form. "
    "I'll send it to your line manager, the service-area manager and the Communications "
    "Manager. Please don't engage with the poster. If someone is in immediate danger, call 999."
)

# Microsoft Teams (bot/teams/).
TEAMS_INVOKE = "That button isn't one I can act on. Please use the buttons on my latest message."
TEAMS_PRIVATE_FAILED = (
    "That is for your eyes only, and I couldn't open a private chat with you to send it. Start a chat with TED "
    "(search for TED in Teams chats, or open the TED app) and ask me there."
)
TEAMS_SENT_PRIVATELY = (
    "I've sent you that in a private chat with me, so only you can see it — look for TED in your Teams chats."
)

TEAMS_SCREENSHOTS = (
    "Teams can't attach screenshots to this form. When you've sent it you'll get a reference "
    "(TED-…): please email any screenshots to {contact}, quoting it."
)

TEAMS_ERROR = "Sorry — something went wrong on my side and I couldn't finish that. Please try again in a minute."

# TED Web Chat (bot/web/): what the browser shows when something can't be done.
WEB_BAD_JSON = "Sorry, I couldn't read that request. Please reload the page and try again."
WEB_TOO_LONG = (
    "That {what} is very long ({length:,} characters). Please keep it under {limit:,} characters — "
    "a sentence or two is plenty."
)
WEB_TOO_SLOW = "That took too long to arrive, so I stopped waiting. Please check your connection and try again."
WEB_BODY_TOO_LARGE = "That was too much to send in one go. Please shorten it and try again."
WEB_CSRF = "For your security I couldn't accept that: the page may be out of date. Please reload it and try again."
WEB_NOT_SIGNED_IN = "Please sign in to the intranet first, then open TED from there."
WEB_PICK_FIRST = "Please choose who you are first (top of the page)."
WEB_NO_PICKING = "Sign-in is handled by the intranet, so you can't switch person here."
WEB_PICKING_OFF = (
    "Choosing who you are is switched off here, because TED can be reached from the network. Please "
    "open TED from the intranet, where you are signed in."
)
WEB_JSON_ONLY = 'Send the question as JSON (Content-Type: application/json), like {"question": "…"}.'
WEB_JSON_BODY = "Send this as JSON (Content-Type: application/json), the way TED's own pages do."
WEB_WRONG_HOST = "This address isn't one TED is served under. Open TED from its own address (see TED_PUBLIC_URL)."
WEB_CROSS_SITE = "For your security I only answer requests from TED's own pages, not from another site."
WEB_UNKNOWN_PERSON = "I can't find that person in the staff directory."
WEB_NOT_ADMIN = "This page is for the communications team. Ask the Communications Manager if you need access."
WEB_UNKNOWN_ACTION = "Sorry, I don't know that button. Please reload the page and try again."
WEB_ERROR = "Sorry, something went wrong on my side. Please try again in a moment."
WEB_STORAGE = (
    "Sorry, I couldn't save that: my storage isn't accepting anything new right now, so nothing was "
    "changed. Please try again later. To report something urgently, tell your line manager or the "
    "Communications Manager directly; if someone is in immediate danger, call 999."
)
WEB_NOT_FOUND = "Sorry, there's nothing here."
WEB_NO_POLICY = "I don't have a policy with that name. The policies I know are listed on this page."
WEB_UPLOAD_TOO_BIG = "That file is too big: screenshots can be up to {mb} MB."
WEB_UPLOAD_NOT_IMAGE = "That doesn't look like an image. Please attach a PNG, JPEG, GIF or WebP screenshot."
WEB_UPLOAD_MISSING = "One of the screenshots is no longer available. Please attach it again."
WEB_UPLOAD_NONE = "Please choose an image file to attach."

# Knowledge-base curation (handlers/curation/, bot/web/curation.py).
KB_REVIEW_DUE = (
    "Review due: the {title} is due for review on {date}. Please check it still says what the council "
    "does, then upload the new version (or change the review date) at {url}."
)
KB_REVIEW_DUE_OWNER = (
    "Review due: the {title} is due for review on {date}. Please check it still says what the council "
    "does, then send the new version (or the new review date) to the Communications Manager, who publishes it."
)
KB_DIGEST_TITLE = "TED's week: what staff asked, {start} to {end}"
KB_DIGEST_UNANSWERED = "Questions TED couldn't answer ({n}):"
KB_DIGEST_DOWN = "Answers marked 👎 ({n}):"
KB_DIGEST_TOP = "Most-asked clauses:"
KB_DIGEST_TEACH = "Teach TED from these at {url}."
WEB_DOC_NONE = "Please choose a policy document to upload (.md, .txt, .html, .docx or .pdf)."
WEB_DOC_TOO_BIG = "“{name}” is too big: documents can be up to {mb} MB."
WEB_DOC_KIND = "“{name}” can't be used: {reason}. Nothing was changed."
WEB_DOC_UNREADABLE = "“{name}” couldn't be read: {reason}. Nothing was changed."
WEB_UPLOAD_QUOTA = (
    "You've attached {count} screenshot(s), {mb} MB, in the last hour, which is as much as I can take "
    "from one person in an hour. Please try again a little later; if it's urgent, send the report "
    "without them and email them to the Communications Manager, quoting its reference."
)

# What the web server says for a route or method it doesn't have (bot/guard.py's plain_errors).
HTTP_ERRORS = {
    404: "There's nothing at that address.",
    405: "That address doesn't take that kind of request.",
    413: "That request is too big.",
    415: "That kind of content isn't accepted here.",
}

# Slack: a form whose answer came back after Slack had closed its window (bot/slack/app.py).
SLACK_FORM_NOT_SENT = "That form was *not* sent, so nothing has changed yet:\n{problems}"
SLACK_FORM_TYPED = "What you wrote, so you don't have to type it again:\n> {typed}"

# `ted chat` has no forms (bot/terminal.py).
TERMINAL_REPORT = (
    "Reports are filed in TED on Slack, Teams or the TED Web Chat (the form there takes the details and routes them "
    "to the right people); the terminal can't show the form. Nothing has been filed from here. Please don't engage "
    "with the poster. If someone is in immediate danger, call 999."
)

# A follow-up with nothing before it to follow ("what about instagram?" as the first message).
WHOLE_QUESTION = (
    "What would you like to know about {about}? Ask me the whole question — for example “{example}” — and I'll "
    "find the clause that answers it."
)
