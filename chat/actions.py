"""Every action id TED puts on a button or form, in one place. Dispatch tables key on these."""

FEEDBACK_UP = "ted.feedback.up"
FEEDBACK_DOWN = "ted.feedback.down"
FEEDBACK_REASON = "ted.feedback.reason"  # the optional "what was wrong?" form
DID_YOU_MEAN = "ted.didyoumean"  # value: "<doc>|<clause>"
SHARE = "ted.share"  # value: asked-question id; posts an only-you-can-see answer to the channel
REPORT_OPEN = "ted.report.open"  # value: the question it came from (pre-fills the report form)

ASK_ACTIONS = (FEEDBACK_UP, FEEDBACK_DOWN, FEEDBACK_REASON, DID_YOU_MEAN, SHARE)

# Reports: buttons carry the report's reference as their value; forms carry it as private metadata.
REPORT_SUBMIT = "ted.report.submit"
# Not on any button: a report form whose card TED can no longer check (no token, or one from an older release)
# comes back filled in as sent, to be checked and sent again, rather than refused with what was typed lost.
REPORT_FORM_AGAIN = "ted.report.form.again"
REPORT_ACK = "ted.report.ack"
REPORT_NOTE = "ted.report.note"
REPORT_NOTE_SUBMIT = "ted.report.note.submit"
REPORT_REASSIGN = "ted.report.reassign"
REPORT_REASSIGN_SUBMIT = "ted.report.reassign.submit"
REPORT_RESOLVE = "ted.report.resolve"
REPORT_RESOLVE_SUBMIT = "ted.report.resolve.submit"
REPORT_STATUS = "ted.report.status"
REPORT_DETAILS = "ted.report.details"  # "View details": the report and its history, as this person may see them
REPORT_SNOOZE = "ted.report.snooze"
REPORT_SNOOZE_SUBMIT = "ted.report.snooze.submit"
