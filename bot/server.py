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


def make_app(ted) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)

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
    return app


def serve(ted) -> int:
    s = ted.settings
    channels = ["web chat"]
    log.info("TED listening on http://%s:%s/ channels on: %s", s.host, s.port, ", ".join(channels))
    web.run_app(make_app(ted), host=s.host, port=s.port, print=None)
    return 0
