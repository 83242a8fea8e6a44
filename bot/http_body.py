"""Reading a request body with a size limit, for the platform endpoints (Slack events, Teams activities)."""

from __future__ import annotations

from aiohttp import web


async def read_bounded(request: web.Request, max_bytes: int) -> bytes | None:
    """The whole body, or None when it is (or turns out to be) larger than max_bytes: answer 413."""
    if (request.content_length or 0) > max_bytes:
        return None
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > max_bytes:
            return None
    return bytes(data)
