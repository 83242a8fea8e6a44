"""The chat layer: platform-neutral messages and replies, the router, one adapter per platform."""
