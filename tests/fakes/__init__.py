"""Fakes for TED's tests, and three test worlds that speak one vocabulary.

Each world is TED's real server on 127.0.0.1 port 0 over an in-memory database (tests/fakes/world.py), driven
the way its platform drives it:

- slack_world.SlackWorld: a Slack workspace sending signed HTTP to TED; TED answers into slack_api.FakeSlackApi.
- teams_world.TeamsWorld: Teams POSTing activities; TED answers into bot_connector.FakeBotConnector.
- web_world.WebWorld: browsers (own cookie jar, own session) using the web chat's JSON API.

The vocabulary. Every verb is a coroutine on the world `w`; `as_` is who does it, each world's ALEX unless
given (a Slack user id, a TeamsUser, an email or a Browser), and the same sample staff have the same names
(ALEX, SAM, ...) in every world:

    ask(text, as_=)                 a message to TED: a Slack DM, a Teams personal chat, the web chat. Returns
                                    what the platform gives back at once: Teams' last card in that chat, the
                                    web's replies; on Slack the message's ts (TED answers afterwards).
    mention(text, as_=, channel=, thread=)
                                    @TED in a channel, in a thread if given. Slack, Teams.
    press(action_id, as_=, on=)     a button on a message TED sent (`on`: Slack's message blocks, a Teams card).
    press(action_id, value, as_=)   on the web, where a button is its action id and value.
    submit(form, values, as_=)      a form TED showed, filled in: Slack's modal view, a Teams form card, the
                                    web reply's form.
    open_report(as_=)               /report (Slack), "report" (Teams), the "Report it" button (web): the report
                                    form as submit() takes it. Slack and web take a text to start from.
    file_report(as_=, **changes)    the whole report flow: open_report, then submit GOOD_REPORT with `changes`.
    deliver()                       runs the outbox once: notifications waiting go out; how many.
    inbox(person)                   what TED sent the person in their 1:1 chat with it: Slack DM posts, Teams
                                    personal-chat activities (or just some `kinds`), the web inbox.

press, submit and file_report return the HTTP answer's (status, body) on Slack and the web; Teams answers in
the chat instead (read it with `inbox` or `w.connector`), so there they return nothing, file_report the form.

    slack_test(**settings), teams_test(**settings), web_test(**settings)
                                    run an `async def test_...(w, *fixtures)` in a fresh world (World.test).
                                    teams_test runs it once per SDK binding (TEAMS_SDK=botbuilder, =agents)
                                    through pytest's `teams_binding` fixture (tests/conftest.py).

Beneath the vocabulary each world keeps its platform's own calls, named for the platform: `post` (raw HTTP:
the status and body, no checks) in Slack and Teams, Browser.get/post on the web; Slack's `event`, `command`
(slash commands) and `interact`; Teams' `send` (an activity, 200 expected), `install(person, team=)`,
`report_card` and `w.teams` (activities as Teams builds them); the web's `browser()` (a new session).
Shared sample data (SUPPLIER, DID_YOU_MEAN, GOOD_REPORT, SAMPLE_DIRECTORY) is in tests/fakes/world.py.
"""
