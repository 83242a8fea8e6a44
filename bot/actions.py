"""Every action id TED puts on a button or form, in one place. Dispatch tables key on these."""

FEEDBACK_UP = "ted.feedback.up"
FEEDBACK_DOWN = "ted.feedback.down"
FEEDBACK_REASON = "ted.feedback.reason"  # the optional "what was wrong?" form
DID_YOU_MEAN = "ted.didyoumean"  # value: "<doc>|<clause>"
SHARE = "ted.share"  # value: asked-question id; posts an only-you-can-see answer to the channel
REPORT_OPEN = "ted.report.open"  # value: the question it came from (pre-fills the report form)

ASK_ACTIONS = (FEEDBACK_UP, FEEDBACK_DOWN, FEEDBACK_REASON, DID_YOU_MEAN, SHARE)
