"""Real Telegram update JSON, built the way the Bot API sends it (for the fake Bot API and tests)."""

from __future__ import annotations

from typing import Any

BOT_USER_ID = 123456


def tg_user(
    user_id: int, first_name: str = "Li", last_name: str = "Wei", language: str = "en"
) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "last_name": last_name,
        "username": f"user{user_id}",
        "language_code": language,
    }


def tg_chat(chat_id: int, chat_type: str = "private", title: str = "") -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat.update(first_name="Li", last_name="Wei", username=f"user{chat_id}")
    else:
        chat["title"] = title or "Suppliers group"
    return chat


def _message(
    message_id: int,
    chat_id: int,
    user_id: int,
    *,
    chat_type: str = "private",
    date: int = 1_790_000_000,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "from": tg_user(user_id),
        "chat": tg_chat(chat_id, chat_type),
        "date": date,
        **fields,
    }


def text_update(
    update_id: int,
    text: str,
    *,
    chat_id: int = 5001,
    user_id: int | None = None,
    message_id: int | None = None,
    chat_type: str = "private",
) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(" ", 1)[0]
        fields["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return {
        "update_id": update_id,
        "message": _message(
            message_id or update_id, chat_id, user_id or abs(chat_id), chat_type=chat_type, **fields
        ),
    }


def edited_update(
    update_id: int, message_id: int, text: str, *, chat_id: int = 5001, user_id: int | None = None
) -> dict[str, Any]:
    message = _message(message_id, chat_id, user_id or chat_id, text=text, edit_date=1_790_000_100)
    return {"update_id": update_id, "edited_message": message}


def photo_update(update_id: int, *, chat_id: int = 5001, caption: str = "") -> dict[str, Any]:
    sizes = [
        {
            "file_id": f"small-{update_id}",
            "file_unique_id": f"s{update_id}",
            "width": 90,
            "height": 90,
            "file_size": 1200,
        },
        {
            "file_id": f"large-{update_id}",
            "file_unique_id": f"l{update_id}",
            "width": 1280,
            "height": 960,
            "file_size": 120_000,
        },
    ]
    fields: dict[str, Any] = {"photo": sizes}
    if caption:
        fields["caption"] = caption
    return {"update_id": update_id, "message": _message(update_id, chat_id, chat_id, **fields)}


def document_update(
    update_id: int, *, chat_id: int = 5001, file_name: str = "invoice.pdf", mime_type: str = "application/pdf"
) -> dict[str, Any]:
    document = {
        "file_id": f"doc-{update_id}",
        "file_unique_id": f"d{update_id}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": 50_000,
    }
    return {"update_id": update_id, "message": _message(update_id, chat_id, chat_id, document=document)}


def callback_update(
    update_id: int,
    data: str,
    *,
    chat_id: int = 5001,
    query_id: str | None = None,
    message_id: int = 900,
    chat_type: str = "private",
) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "from": {"id": BOT_USER_ID, "is_bot": True, "first_name": "Opsbot", "username": "opsbot_test_bot"},
        "chat": tg_chat(chat_id, chat_type),
        "date": 1_790_000_000,
        "text": "Set SKU-1 stock to 40?",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": "Yes", "callback_data": "confirm:yes"},
                    {"text": "No", "callback_data": "confirm:no"},
                ]
            ]
        },
    }
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id or f"cbq-{update_id}",
            "from": tg_user(abs(chat_id)),
            "message": message,
            "chat_instance": "-4242",
            "data": data,
        },
    }
