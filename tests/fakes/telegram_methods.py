"""The Bot API methods of the fake Telegram server that act on chats: send, edit, delete, react, webhooks.

`FakeTelegramAPI` (tests/fakes/telegram_api.py) serves them over HTTP; this is what each call does to
the recorded state, with the errors the real Bot API gives for bad input.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_files import FakeTelegramFiles
from tests.fakes.telegram_html import utf16_len, visible_text
from tests.fakes.telegram_updates import BOT_USER_ID


@dataclass
class SentMessage:
    message_id: int
    chat_id: int | str
    html: str  # the text parameter as sent
    text: str  # what the user sees: tags removed, entities decoded
    reply_markup: Any = None
    parse_mode: str = ""
    edits: list[str] = field(default_factory=list)


class ChatMethods:
    """What each chat method does; the server calls `_handle` under its lock."""

    bot_username: str
    files: FakeTelegramFiles
    messages: list[SentMessage]
    deleted: list[SentMessage]
    reactions: list[tuple[int | str, int, str]]
    webhook: dict[str, Any]
    answered_callbacks: list[str]
    _message_ids: itertools.count[int]
    _updates: list[dict[str, Any]]
    _confirmed_offset: int

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_USER_ID, "is_bot": True, "first_name": "Opsbot", "username": self.bot_username}

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one call; runs under the lock."""
        if method == "getMe":
            return 200, self._bot_user()
        if method == "getFile":
            return self.files.get_file(params)
        if method == "sendMessage":
            text = str(params.get("text", ""))
            parse_mode = str(params.get("parse_mode", ""))
            if "chat_id" not in params:
                return 400, "Bad Request: chat_id is empty"
            shown, error = visible_text(text, parse_mode)
            if error:
                return 400, error
            if not shown.strip():
                return 400, "Bad Request: message text is empty"
            if utf16_len(shown) > 4096:
                return 400, "Bad Request: message is too long"
            message = SentMessage(
                next(self._message_ids),
                params["chat_id"],
                text,
                shown,
                params.get("reply_markup"),
                parse_mode,
            )
            self.messages.append(message)
            return 200, self._message_json(message)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            target = next((m for m in self.messages if m.message_id == params.get("message_id")), None)
            if target is None or str(target.chat_id) != str(params.get("chat_id")):
                return 400, "Bad Request: message to edit not found"
            if method == "editMessageText":
                shown, error = visible_text(str(params.get("text", "")), str(params.get("parse_mode", "")))
                if error:
                    return 400, error
                target.edits.append(shown)
                target.text, target.html = shown, str(params.get("text", ""))
            target.reply_markup = params.get("reply_markup")
            return 200, self._message_json(target)
        if method == "deleteMessage":
            target = next((m for m in self.messages if m.message_id == params.get("message_id")), None)
            if target is None or str(target.chat_id) != str(params.get("chat_id")):
                return 400, "Bad Request: message to delete not found"
            self.messages.remove(target)
            self.deleted.append(target)
            return 200, True
        if method == "setMessageReaction":
            if "chat_id" not in params or "message_id" not in params:
                return 400, "Bad Request: message to react not found"
            for reaction in params.get("reaction") or []:
                if reaction.get("type") != "emoji" or not reaction.get("emoji"):
                    return 400, "Bad Request: REACTION_INVALID"
                self.reactions.append((params["chat_id"], params["message_id"], reaction["emoji"]))
            return 200, True
        if method == "answerCallbackQuery":
            self.answered_callbacks.append(str(params.get("callback_query_id", "")))
            return 200, True
        if method == "setWebhook":
            self.webhook = {
                "url": params.get("url", ""),
                "secret_token": params.get("secret_token", ""),
                "allowed_updates": params.get("allowed_updates", []),
            }
            if params.get("drop_pending_updates"):
                self._confirmed_offset = max(
                    [u["update_id"] + 1 for u in self._updates] + [self._confirmed_offset]
                )
            return 200, True
        if method == "deleteWebhook":
            self.webhook = {}
            if params.get("drop_pending_updates"):
                self._confirmed_offset = max(
                    [u["update_id"] + 1 for u in self._updates] + [self._confirmed_offset]
                )
            return 200, True
        if method == "getWebhookInfo":
            pending = len([u for u in self._updates if u["update_id"] >= self._confirmed_offset])
            info: dict[str, Any] = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": pending,
            }
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return 200, info
        return 404, "Not Found: method not found"

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        chat_id = message.chat_id
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": "private" if isinstance(chat_id, int) and chat_id > 0 else "group",
            },
            "from": self._bot_user(),
            "text": message.text,
        }
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body
