"""Reports v2 end to end on Teams: who receives what for a normal, a confidential and a "someone in my management
line is involved" report (a multi-select of directory people names them); presses by a stranger and by a person
involved are refused and change nothing, and the card's single-use token is not spent by them, so the card still
works for its recipient; "View details" answers with a card of the history this person may see."""

import json

from chat import actions
from tests.fakes.teams_world import ALEX, CASEY, HARPER, ROBIN, SAM, STRANGER, teams_test

SAM_EMAIL = "sam.leisure@tendring.example"
REF = "TED-2026-0001"
PEOPLE = (SAM, CASEY, ROBIN, HARPER)


async def filed(w, **changes) -> dict:
    """Everyone installs TED; Alex files a report; it is delivered. {person: the report cards they got}."""
    for p in PEOPLE:
        await w.install(p)
    await w.file_report(as_=ALEX, **changes)
    await w.deliver()
    return {p: [c for c in await w.inbox(p, "send") if REF in c.text] for p in PEOPLE}


@teams_test()
async def test_teams_normal_report_every_card_says_who_reported_it(w):
    form = await w.open_report(as_=ALEX)
    inputs = {i["id"]: i for i in form.card["body"] if i.get("type", "").startswith("Input.")}
    assert inputs["involved"]["type"] == "Input.ChoiceSet" and inputs["involved"]["isMultiSelect"]
    assert SAM_EMAIL in [c["value"] for c in inputs["involved"]["choices"]]
    assert "value" not in inputs["at_risk"]  # no default: it must be answered
    got = await filed(w)
    assert {p for p, cards in got.items() if cards} == {SAM, CASEY}
    assert all("Reported by: Alex Reed (Leisure and Tourism)" in got[p][0].text for p in (SAM, CASEY))


@teams_test()
async def test_teams_confidential_report_reaches_the_communications_team_only(w):
    got = await filed(w, confidential="yes")
    assert {p for p, cards in got.items() if cards} == {CASEY, ROBIN}
    assert "confidential" in got[CASEY][0].text and "Alex Reed" in got[CASEY][0].text


@teams_test()
async def test_teams_someone_in_my_line_rather_not_say_goes_to_hr_and_comms(w):
    got = await filed(w, involved_line="yes")
    assert {p for p, cards in got.items() if cards} == {CASEY, ROBIN, HARPER}


@teams_test()
async def test_teams_card_still_works_after_a_refused_press_by_a_stranger_or_the_person_involved(w):
    got = await filed(w, involved=SAM_EMAIL)  # Teams sends a multi-select's values joined with ","
    assert {p for p, cards in got.items() if cards} == {CASEY, HARPER}  # Jordan (next up) is not on Teams here
    card = got[CASEY][0]
    for who in (STRANGER, SAM):
        await w.press(actions.REPORT_ACK, on=card, as_=who)
    assert w.ted.reports.by_ref(REF)["status"] == "open"
    refusals = [c for c in w.connector.of("send", "reply") if "only the people this report was sent to" in c.text]
    assert len(refusals) == 2
    assert not [c for c in w.connector.of("update") if c.activity_id == card.activity_id]
    await w.press(actions.REPORT_ACK, on=card, as_=CASEY)  # the same card, the same token: it still works
    assert w.ted.reports.by_ref(REF)["status"] == "acknowledged"
    assert not [c for c in w.connector.of("send", "reply") if c.text == "This card has already been used."]
    await w.press(actions.REPORT_ACK, on=card, as_=CASEY)  # spent now
    assert [c for c in w.connector.of("send", "reply") if c.text == "This card has already been used."]


@teams_test()
async def test_teams_view_details_is_a_card_of_the_history_this_person_may_see(w):
    got = await filed(w)
    card = got[SAM][0]
    await w.press(actions.REPORT_DETAILS, on=card, as_=SAM)
    details = (await w.inbox(SAM))[-1]
    assert "History:" in details.text and "Alex Reed filed" in details.text
    assert not [d for d in details.submits()]  # a card to read, nothing to press
    await w.press(actions.REPORT_DETAILS, on=card, as_=HARPER)  # not hers to see
    assert [c for c in w.connector.calls if "only the person who filed this report" in c.text]
    await w.press(actions.REPORT_DETAILS, on=card, as_=SAM)  # looking again: a look never spends the card
    assert not [c for c in w.connector.of("send", "reply") if c.text == "This card has already been used."]


@teams_test()
async def test_someone_outside_the_staff_directory_is_never_shown_the_staff_list(w):
    def report_form() -> str:
        forms = [json.dumps(c.body) for c in w.connector.calls if '"involved"' in json.dumps(c.body)]
        assert forms
        return forms[-1]

    everyone = [p.email for p in w.ted.directory.everyone()]
    await w.ask("report", as_=STRANGER)
    shown = [email for email in everyone if email in report_form()]
    assert shown == ["casey.comms@tendring.example"]  # only where to email screenshots: the Communications Manager
    await w.ask("report", as_=ALEX)
    assert any(email in report_form() for email in everyone)


@teams_test()
async def test_a_teams_submit_cannot_attach_a_stored_screenshot(w):
    # Adaptive Cards have no file input: a "screenshots" value in the submit data is not one of the card's inputs,
    # so somebody else's stored screenshot (its id is on the reports its recipients received) is never attached.
    record = {"id": "C" * 24, "name": "theirs.png", "mimetype": "image/png", "size": 9, "url": "/uploads/" + "C" * 24}
    await filed(w, screenshots=[record])
    assert json.loads(w.ted.reports.by_ref(REF)["attachments"]) == []


@teams_test()
async def test_teams_a_press_that_only_opens_a_form_leaves_the_card_usable_and_a_resolved_report_says_so(w):
    got = await filed(w)
    card = got[SAM][0]
    used = "This card has already been used."
    for _ in range(2):  # the form closed unsent and opened again: only opening it never spends the card
        await w.press(actions.REPORT_NOTE, on=card, as_=SAM)
    assert not [c for c in w.connector.of("send", "reply") if c.text == used]
    forms = [c for c in await w.inbox(SAM) if any(d.get("form") for d in c.submits())]
    assert len(forms) == 2
    await w.press(actions.REPORT_ACK, on=card, as_=SAM)
    assert w.ted.reports.by_ref(REF)["status"] == "acknowledged"  # and the card still acts
    w.ted.reports.db["reports"].update(w.ted.reports.by_ref(REF)["id"], {"status": "resolved"})
    first = got[CASEY][0]  # Casey's card, as first sent, its buttons never pressed
    await w.press(actions.REPORT_REASSIGN, on=first, as_=CASEY)
    said = [c for c in await w.inbox(CASEY) if "already resolved" in c.text]
    assert said and not any(d.get("form") for d in said[-1].submits())  # no form that could only be refused
