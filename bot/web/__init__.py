"""TED Web Chat (aiohttp): routes, identity, uploads, renderer and static files."""
