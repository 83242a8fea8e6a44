"""`ted serve`: one aiohttp server for every channel TED is enabled on."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.teams.config import off_level as teams_off_level
from bot.teams.config import teams_mode
from bot.web.app import mount_web
from bot.workers import background_workers

log = logging.getLogger("ted.server")

MAX_BODY = 64 * 1024
CHANNELS = web.AppKey("ted.channels", list)


def make_app(ted, slack_retry=None) -> web.Application:
    """The one server. `slack_retry` (a handlers.reports.retry.RetryPolicy) lets tests shorten Slack back-off."""
    app = web.Application(client_max_size=MAX_BODY)
    app[CHANNELS] = ["web chat"]

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", health)
    # The web chat: /, /api/*, /policy, /admin, /static (bot/web/app.py). Mounted first, so its inbox is the
    # outbox's first sender: the web copy is kept even when a chat platform fails and the row is retried.
    mount_web(app, ted)
    app.cleanup_ctx.append(background_workers(ted))
    s = ted.settings
    if s.slack_bot_token or s.slack_signing_secret or s.slack_app_token:
        from bot.slack.app import mount_slack  # imported only when configured: Bolt is slow to import

        if slack := mount_slack(app, ted, slack_retry):
            app[CHANNELS].append(slack)
    teams, why_not = teams_mode(s)
    if teams:
        from bot.teams.app import mount_teams  # imported only when configured: botbuilder is slow to import

        app[CHANNELS].append(mount_teams(app, ted, teams))
    else:
        log.log(teams_off_level(s), why_not)
    return app


def serve(ted) -> int:
    s = ted.settings
    app = make_app(ted)
    log.info("TED listening on http://%s:%s/ channels on: %s", s.host, s.port, ", ".join(app[CHANNELS]))
    web.run_app(app, host=s.host, port=s.port, print=None)
    return 0
