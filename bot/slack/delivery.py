"""Where each Reply goes on Slack, given the Route it answers.

- A Reply with a form and a fresh trigger_id opens a modal (trigger ids are single-use and live 3 s).
- A private reply (Reply.ephemeral, or any answer to a button on an only-you-can-see message, except
  "Share") goes through the interaction's response_url, else chat.postEphemeral, else a DM.
- A visible reply answering a button on an only-you-can-see message ("Share") is posted in the channel
  through response_url (which works where TED is not a member) and the private original is removed.
- A reply marked ``replace_original`` (a report card after Acknowledge, a note…) updates the message
  the button was on, in place: chat.update on its channel and ts, else through response_url. It is
  never posted as a new copy.
- Any other reply is posted in the conversation, in its thread when there is one; else DMed.
"""

from __future__ import annotations

import dataclasses
import logging

from slack_sdk.errors import SlackApiError

from bot.slack.client import SlackNotifier
from bot.slack.forms import panel_view, wrap_metadata
from bot.slack.inbound import Route
from chat.model import Reply

log = logging.getLogger("ted.slack.delivery")


class Delivery:
    def __init__(self, notifier: SlackNotifier):
        self.notifier = notifier

    async def deliver(self, replies: list[Reply], route: Route) -> None:
        for reply in replies:
            try:
                route = await self.deliver_one(reply, route)
            except SlackApiError as exc:
                log.warning("slack delivery failed error=%s channel=%s", exc.response.get("error"), route.channel)

    async def deliver_one(self, reply: Reply, route: Route) -> Route:
        """Delivers one reply; returns the route for the next (without a used trigger_id)."""
        n = self.notifier
        if reply.panel and route.trigger_id:
            await n.open_view(route.trigger_id, panel_view(reply))
            return dataclasses.replace(route, trigger_id="")
        if reply.form is not None and route.trigger_id:
            meta = wrap_metadata(reply.form.private_metadata, route.metadata())
            await n.open_form(route.trigger_id, reply.form, reply.text, meta)
            return dataclasses.replace(route, trigger_id="")
        if reply.replace_original:
            await self._replace(reply, route)
            return route
        shared = bool(reply.shared_by)
        if reply.ephemeral or (route.source_ephemeral and not shared):
            await self._private(reply, route)
        elif route.source_ephemeral and route.response_url and await n.respond(route.response_url, reply, "in_channel"):
            await n.respond(route.response_url, None, delete_original=True)
        elif route.channel:
            await n.post(route.channel, reply, route.thread_ts)
        elif route.user:
            await n.dm(route.user, reply)
        return route

    async def _replace(self, reply: Reply, route: Route) -> None:
        n = self.notifier
        if route.channel and route.message_ts:
            try:
                await n.update(route.channel, route.message_ts, reply)
                return
            except SlackApiError as exc:  # e.g. message_not_found: try the interaction's own way back
                log.info("slack chat.update refused error=%s channel=%s", exc.response.get("error"), route.channel)
        if route.response_url and await n.respond(route.response_url, reply, replace_original=True):
            return
        log.info("slack could not update the pressed message channel=%s", route.channel)

    async def _private(self, reply: Reply, route: Route) -> None:
        n = self.notifier
        if route.response_url and await n.respond(route.response_url, reply, "ephemeral", route.thread_ts):
            return
        if route.channel and route.user:
            try:
                await n.ephemeral(route.channel, route.user, reply, route.thread_ts)
                return
            except SlackApiError as exc:  # e.g. not_in_channel: the person still gets the answer, by DM
                log.info("slack ephemeral refused error=%s; sending by DM", exc.response.get("error"))
        if route.user:
            await n.dm(route.user, reply)
