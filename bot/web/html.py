"""The shell of the pages the server renders itself (the policy, /admin, errors). Pure functions.

Everything that came from a person or a document goes through `esc()`; pages load only /static files, so
they work under the strict Content-Security-Policy set in bot/web/app.py.
"""

from __future__ import annotations

import re
from html import escape

NOT_TEXT = re.compile(r"[\ud800-\udfff]")  # lone surrogates: bytes that were never UTF-8 (an old file name)


def esc(text: object) -> str:
    """Safe to put in a page, and to encode: what never was text is left out rather than failing the page."""
    return escape(NOT_TEXT.sub("", "" if text is None else str(text)), quote=True)


# On every page (the chat page gets it in place of its <!--footer--> line, bot/web/endpoint.py): the
# accessibility statement and the privacy notice must be reachable from anywhere in TED.
FOOTER = (
    '<footer class="site-footer"><div class="bar">'
    '<ul class="footer-links">'
    '<li><a href="/accessibility">Accessibility statement</a></li>'
    '<li><a href="/privacy">Privacy notice</a></li>'
    '<li><a href="/policy">Policies</a></li></ul>'
    "<p>TED is an automated assistant run by Tendring District Council. It answers from the council's "
    "published policies and can be wrong: for anything important, check with your line manager.</p>"
    "</div></footer>"
)


def page(
    title: str, main: str, *, scripts: tuple[str, ...] = (), meta: dict[str, str] | None = None, signed_in_as: str = ""
) -> str:
    metas = "".join(f'<meta name="{esc(k)}" content="{esc(v)}">' for k, v in (meta or {}).items())
    tags = "".join(f'<script type="module" src="{esc(s)}"></script>' for s in scripts)
    who = f'<p class="who">Signed in as <strong>{esc(signed_in_as)}</strong></p>' if signed_in_as else ""
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — TED</title>{metas}"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/ted.css">'
        f"{tags}</head><body>"
        '<a class="skip" href="#main">Skip to main content</a>'
        '<header class="masthead"><div class="bar">'
        '<p class="brand"><a href="/">TED <span>Tendring District Council staff assistant</span></a></p>'
        f'{who}<nav aria-label="TED"><a href="/">Talk to TED</a> <a href="/policy">Policy</a></nav>'
        "</div></header>"
        f'<main id="main" tabindex="-1">{main}</main>{FOOTER}</body></html>'
    )


def error_page(message: str, status: int) -> str:
    title = {401: "Please sign in", 403: "Not available", 404: "Not found"}.get(status, "Sorry")
    return page(title, f'<h1>{esc(title)}</h1><p class="lede">{esc(message)}</p><p><a href="/">Back to TED</a></p>')
