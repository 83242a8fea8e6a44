"""`ted serve`: one aiohttp server for every channel TED is enabled on."""

from __future__ import annotations

import errno
import logging
import socket
from pathlib import Path

from aiohttp import web

from bot.guard import body_deadline, plain_errors, server_options
from bot.health import health_route
from bot.pool import POOL, HandlerPool
from bot.teams.config import off_level as teams_off_level
from bot.teams.config import teams_mode
from bot.web.app import mount_web
from bot.workers import background_workers
from core.problems import Problem

log = logging.getLogger("ted.server")

MAX_BODY = 64 * 1024
CHANNELS = web.AppKey("ted.channels", list)


def make_app(ted, slack_retry=None, pool: HandlerPool | None = None) -> web.Application:
    """The one server. `slack_retry` (a handlers.reports.retry.RetryPolicy) lets tests shorten Slack back-off;
    `pool` (bot/pool.py) is where every channel's handlers run: by default TED_WORKERS threads, each with its own
    TED on the same database file."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[plain_errors, body_deadline(ted.settings)])
    app[CHANNELS] = ["web chat"]
    app[POOL] = pool = pool or HandlerPool(ted)
    app.cleanup_ctx.append(pool.lifecycle)  # first: the workers are up before any channel starts, down after

    app.router.add_get("/healthz", health_route(ted))
    # The web chat: /, /api/*, /policy, /admin, /static (bot/web/app.py). Mounted first, so its inbox is the
    # outbox's first sender: the web copy is kept even when a chat platform fails and the row is retried.
    mount_web(app, ted, pool)
    app.cleanup_ctx.append(background_workers(ted, pool))
    s = ted.settings
    if s.slack_bot_token or s.slack_signing_secret or s.slack_app_token:
        from bot.slack.app import mount_slack  # imported only when configured: Bolt is slow to import

        if slack := mount_slack(app, ted, slack_retry, pool):
            app[CHANNELS].append(slack)
    teams, why_not = teams_mode(s)
    if teams:
        from bot.teams.app import mount_teams  # imported only when configured: botbuilder is slow to import

        app[CHANNELS].append(mount_teams(app, ted, teams, pool))
    else:
        log.log(teams_off_level(s), why_not)
    return app


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, made before TED loads anything, so a busy port is said at once in one sentence."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, backlog=128)
    except socket.gaierror as exc:
        raise Problem(
            f"TED_HOST {host!r} is not a name or address this machine can listen on ({exc.strerror}): "
            "set TED_HOST to 127.0.0.1, 0.0.0.0 or one of this machine's addresses"
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Problem(
                f"port {port} on {host} is already in use by another program, so TED cannot listen "
                "there: stop that program (is TED already running?), or set TED_PORT to a free port"
            ) from exc
        if exc.errno == errno.EACCES:
            raise Problem(
                f"TED is not allowed to listen on port {port} ({exc.strerror}): ports below 1024 need "
                "extra privileges, so set TED_PORT to 1024 or above"
            ) from exc
        if exc.errno == errno.EADDRNOTAVAIL:
            raise Problem(
                f"{host} is not an address of this machine ({exc.strerror}): set TED_HOST to one of its "
                "addresses, or 0.0.0.0 for all of them"
            ) from exc
        raise Problem(f"TED cannot listen on {host}:{port} ({exc.strerror})") from exc


def serve(ted, sock: socket.socket | None = None) -> int:
    s = ted.settings
    sock = sock or listen(s.host, s.port)
    app = make_app(ted)
    port = sock.getsockname()[1]
    log.info(
        "TED listening on http://%s:%s/ channels on: %s database %s",
        s.host,
        port,
        ", ".join(app[CHANNELS]),
        Path(ted.db_path).resolve() if ted.db_path != ":memory:" else ":memory:",
    )
    web.run_app(app, sock=sock, print=None, **server_options(s))
    return 0
