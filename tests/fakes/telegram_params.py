"""How the fake Telegram server reads a Bot API call: its method name and its parameters, typed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from tests.fakes.telegram_files import parse_multipart

METHODS = (
    "getMe",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "setMessageReaction",
    "answerCallbackQuery",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "getUpdates",
    "getFile",
    "sendPhoto",
    "sendDocument",
)
UPLOAD_METHODS = ("sendPhoto", "sendDocument")
CANONICAL = {name.lower(): name for name in METHODS}
_JSON_PARAMS = {
    "reply_markup",
    "reply_parameters",
    "allowed_updates",
    "entities",
    "link_preview_options",
    "reaction",
}
_INT_PARAMS = {
    "offset",
    "limit",
    "timeout",
    "message_id",
    "message_thread_id",
    "cache_time",
    "max_connections",
}
_BOOL_PARAMS = {"drop_pending_updates", "show_alert", "disable_notification", "is_big"}


async def parse_params(request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """A call's parameters, typed as the Bot API types them (query, JSON, form, multipart), and uploads."""
    raw: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, tuple[str, bytes]] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if body and "json" in content_type:
        raw.update(json.loads(body))
        return raw, uploads
    if body and content_type.startswith("multipart/form-data"):
        fields, uploads = parse_multipart(body, content_type)
        raw.update(fields)
    elif body:
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in _JSON_PARAMS:
            params[key] = json.loads(value)
        elif isinstance(value, str) and key in _INT_PARAMS:
            params[key] = int(value)
        elif isinstance(value, str) and key in _BOOL_PARAMS:
            params[key] = value.lower() == "true"
        elif key == "chat_id" and isinstance(value, str) and value.lstrip("-").isdigit():
            params[key] = int(value)
        else:
            params[key] = value
    for name, (file_name, data) in uploads.items():
        params[name] = {"file_name": file_name, "size": len(data)}  # recorded with the call
    return params, uploads
