"""Reports v2 end to end on Slack: who receives what for a normal, a confidential and a "someone in my management
line is involved" report (a Slack user picker names them); presses by a stranger and by a person involved are
refused and change nothing; "View details" opens a modal with the history this person may see."""

from chat import actions
from chat.model import Action
from handlers.directory import parse_csv
from tests.fakes.slack_world import ALEX, JAMIE, SAM, dm_channel, slack_test
from tests.fakes.world import SAMPLE_DIRECTORY

CASEY, ROBIN, HARPER, JORDAN = "U0COMMSMGR", "U0COMMSOFF", "U0HRADVISR", "U0HOSLEISR"
EVERYONE = (SAM, CASEY, ROBIN, HARPER, JORDAN, JAMIE)
REF = "TED-2026-0001"


async def filed(w, **changes) -> dict:
    """File a report as Alex and deliver it: {person: [their DMs' text]} for everyone who might hear."""
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    status, _ = await w.file_report(as_=ALEX, **changes)
    assert status == 200 and w.ted.reports.by_ref(REF) is not None
    await w.deliver()
    await w.api.settle()
    return {p: [c.body["text"] for c in await w.inbox(p)] for p in EVERYONE}


def channel_posts(w) -> list:
    return [c for c in w.api.of("chat.postMessage") if c.body["channel"] == "C0COMMS"]


@slack_test(comms_slack_channel="C0COMMS")
async def test_slack_normal_report_every_copy_says_who_reported_it(w):
    got = await filed(w)
    assert {p for p, texts in got.items() if texts} == {SAM, CASEY}
    assert all("Reported by: Alex Reed (Leisure and Tourism)" in got[p][0] for p in (SAM, CASEY))
    assert "Reported by: Alex Reed" in channel_posts(w)[0].body["text"]
    # The report form offers Slack's own people picker and the "rather not say who" choice.
    view = await w.open_report(as_=ALEX)
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks["involved"]["element"]["type"] == "multi_users_select"
    assert blocks["involved_line"]["element"]["type"] == "checkboxes"
    assert "initial_option" not in blocks["at_risk"]["element"]  # no default: it must be answered


@slack_test(comms_slack_channel="C0COMMS")
async def test_slack_confidential_report_reaches_the_communications_team_only(w):
    got = await filed(w, confidential="yes")
    assert {p for p, texts in got.items() if texts} == {CASEY, ROBIN}
    assert all("Reported by: Alex Reed (Leisure and Tourism) — confidential" in got[p][0] for p in (CASEY, ROBIN))
    assert len(channel_posts(w)) == 1


@slack_test(comms_slack_channel="C0COMMS")
async def test_slack_named_line_manager_never_receives_and_their_presses_are_refused(w):
    got = await filed(w, involved=[SAM])  # picked in Slack's user picker
    assert {p for p, texts in got.items() if texts} == {JORDAN, CASEY, HARPER}
    assert "People involved (never sent this report): Sam Okafor" in got[JORDAN][0]
    card = (await w.inbox(JORDAN))[0].body
    for who in (SAM, JAMIE):  # the person involved, and a stranger
        for action_id in (actions.REPORT_ACK, actions.REPORT_DETAILS):
            status, _ = await w.press(action_id, on=card, as_=who, channel=dm_channel(JORDAN))
            assert status == 200
    await w.api.settle()
    assert w.ted.reports.by_ref(REF)["status"] == "open"
    assert len(w.api.of("views.open")) == 1  # only the report form: no details modal for them
    assert sum("only the people this report was sent to" in str(c.body) for c in w.api.calls) == 2
    assert sum("only the person who filed this report" in str(c.body) for c in w.api.calls) == 2
    assert [e["action"] for e in w.ted.reports.events(w.ted.reports.by_ref(REF)["id"])] == ["filed"]


@slack_test(comms_slack_channel="C0COMMS")
async def test_slack_someone_in_my_line_rather_not_say_goes_to_hr_and_comms_and_not_the_line(w):
    got = await filed(w, involved_line="yes")
    assert {p for p, texts in got.items() if texts} == {CASEY, ROBIN, HARPER}
    assert "not named" in got[HARPER][0]


@slack_test(comms_slack_channel="C0COMMS")
async def test_slack_view_details_opens_a_modal_with_the_history_this_person_may_see(w):
    await filed(w)
    card = (await w.inbox(SAM))[0].body
    w.ted.router.action(
        Action("slack", CASEY, actions.REPORT_NOTE_SUBMIT, REF, form={"note": "Internal: asked Facebook"})
    )
    opened = len(w.api.of("views.open"))
    await w.press(actions.REPORT_DETAILS, on=card, as_=SAM, channel=dm_channel(SAM))
    (modal,) = (await w.api.wait_for("views.open", opened + 1))[opened:]
    view = modal.body["view"]
    assert view["type"] == "modal" and "submit" not in view and view["close"]["text"] == "Close"
    text = str(view["blocks"])
    assert "History:" in text and "Alex Reed filed" in text and "Internal: asked Facebook" in text
