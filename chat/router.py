"""Dispatch by table: a message goes to the message handler for its command, an action to the
handler registered for its action id. Adapters hold a router; nothing here knows a platform."""

from __future__ import annotations

import logging
from collections.abc import Callable

from chat.model import Action, Message, Reply

log = logging.getLogger("ted.router")

MessageHandler = Callable[[Message], list[Reply]]
ActionHandler = Callable[[Action], list[Reply]]


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, MessageHandler] = {}
        self.actions: dict[str, ActionHandler] = {}
        self.default: MessageHandler | None = None

    def on_command(self, command: str, handler: MessageHandler) -> None:
        self.commands[command] = handler

    def on_message(self, handler: MessageHandler) -> None:
        self.default = handler

    def on_action(self, action_id: str, handler: ActionHandler) -> None:
        self.actions[action_id] = handler

    def message(self, msg: Message) -> list[Reply]:
        handler = self.commands.get(msg.command) or self.default
        if handler is None:
            return []
        return handler(msg)

    def action(self, act: Action) -> list[Reply]:
        handler = self.actions.get(act.action_id)
        if handler is None:
            log.warning("no handler for action id=%s platform=%s", act.action_id, act.platform)
            return []
        return handler(act)
