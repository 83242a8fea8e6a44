"""`ted serve`: one aiohttp server for every channel TED is enabled on."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.workers import background_workers

log = logging.getLogger("ted.server")

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>TED Web Chat</title></head>
<body><main><h1>TED Web Chat — Talk to TED</h1>
<form id="f"><label for="q">Your question</label> <input id="q" name="q" size="60">
<button>Ask</button></form><div id="out" aria-live="polite"></div></main>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await fetch('/api/ask', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({question: document.getElementById('q').value})});
  const a = await r.json();
  const p = document.createElement('pre'); p.textContent = a.answer; p.style.whiteSpace = 'pre-wrap';
  document.getElementById('out').replaceChildren(p);
});
</script></body></html>"""

MAX_BODY = 64 * 1024
CHANNELS = web.AppKey("ted.channels", list)


def make_app(ted, slack_retry=None) -> web.Application:
    """The one server. `slack_retry` (a bot.slack_client.RetryPolicy) lets tests shorten Slack back-off."""
    app = web.Application(client_max_size=MAX_BODY)
    app[CHANNELS] = ["web chat"]

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=_PAGE, content_type="text/html")

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def api_ask(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "Send JSON like {\"question\": \"…\"}."}, status=400)
        question = body.get("question") if isinstance(body, dict) else None
        if not isinstance(question, str):
            return web.json_response({"error": "Send JSON like {\"question\": \"…\"}."}, status=400)
        return web.json_response(ted.asker.ask(question, channel="web").to_json())

    app.router.add_get("/", index)
    app.router.add_get("/healthz", health)
    app.router.add_post("/api/ask", api_ask)
    app.cleanup_ctx.append(background_workers(ted))
    s = ted.settings
    if s.slack_bot_token or s.slack_signing_secret or s.slack_app_token:
        from bot.slack_app import mount_slack  # imported only when configured: Bolt is slow to import

        if slack := mount_slack(app, ted, slack_retry):
            app[CHANNELS].append(slack)
    return app


def serve(ted) -> int:
    s = ted.settings
    app = make_app(ted)
    log.info("TED listening on http://%s:%s/ channels on: %s", s.host, s.port, ", ".join(app[CHANNELS]))
    web.run_app(app, host=s.host, port=s.port, print=None)
    return 0
