"""Tell each chat linked to a supplier of the changes an import made, in the import's transaction.

A change is recorded once per (kind, id, new value) in `data_changes`: the same change arriving again,
by file or by API, finds it there and tells nobody. Each chat gets one message in its language, queued to
the outbox like any reply, or held in `notifications` through quiet hours (bot.jobs.notifications).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bot.notifications.changes import Change
from bot.notifications.quiet import quiet_until
from bot.notifications.settings import NotificationSettings
from bot.notifications.texts import notification_text
from bot.storage.outbox import outbox_values
from bot.storage.serde import outgoing_to_json
from bot.storage.tables import ConversationRow, DataChangeRow, NotificationRow, OutboxRow, SupplierLinkRow
from bot.wakeups import OUTBOX
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from dialogue.notifications import notifications_off

_CHANGES: Table = DataChangeRow.__table__  # type: ignore[assignment]
_NOTIFICATIONS: Table = NotificationRow.__table__  # type: ignore[assignment]
_OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
_PLATFORMS = {p.value for p in Platform}


@dataclass(frozen=True, slots=True)
class Chat:
    key: str
    language: str
    off: bool


def notification_message(change: Change, chat: Chat) -> OutgoingMessage:
    return OutgoingMessage(
        conversation=ConversationKey.parse(chat.key),
        text=notification_text(change.kind, change.entity_id, change.facts, chat.language),
        kind="notification",
        metadata={"outcome": change.kind, "language": chat.language, "entity_id": change.entity_id},
    )


def _record(conn: Connection, change: Change, now: datetime) -> int | None:
    """Store the change; None when the same change was stored before (it was told already)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {
        "dedupe_key": change.dedupe_key,
        "kind": change.kind,
        "entity_id": change.entity_id,
        "supplier_id": change.supplier_id,
        "facts": change.facts,
        "changed_at": now,
    }
    statement = dialect.insert(_CHANGES).values(**values).on_conflict_do_nothing().returning(_CHANGES.c.id)
    found = conn.execute(statement).scalar_one_or_none()
    return None if found is None else int(found)


def linked_chats(conn: Connection, suppliers: Sequence[str], default_language: str) -> dict[str, list[Chat]]:
    """Each supplier's linked chats (a private chat's key is the linked user's), with language and opt-out."""
    links = conn.execute(
        select(SupplierLinkRow.supplier_id, SupplierLinkRow.platform, SupplierLinkRow.user_id).where(
            SupplierLinkRow.supplier_id.in_(list(suppliers))
        )
    ).all()
    keys = {f"{link.platform}:{link.user_id}" for link in links if link.platform in _PLATFORMS}
    conversations: dict[str, Any] = {
        row.key: row
        for row in conn.execute(
            select(
                ConversationRow.key,
                ConversationRow.language,
                ConversationRow.state,
                ConversationRow.delivery_blocked,
            ).where(ConversationRow.key.in_(list(keys)))
        )
    }
    chats: dict[str, list[Chat]] = {}
    for link in links:
        key = f"{link.platform}:{link.user_id}"
        if key not in keys:
            continue
        seen = conversations.get(key)
        language = seen.language if seen is not None and seen.language in ("en", "zh") else default_language
        off = seen is not None and (bool(seen.delivery_blocked) or notifications_off(seen.state or {}))
        chats.setdefault(link.supplier_id, []).append(Chat(key, language, off))
    return chats


def queue_notifications(
    conn: Connection, changes: Sequence[Change], *, now: datetime, settings: NotificationSettings
) -> int:
    """Record `changes` and queue one message per new change and linked chat; the number queued or held."""
    if not settings.enabled or not changes:
        return 0
    chats = linked_chats(conn, sorted({c.supplier_id for c in changes}), settings.default_language)
    held_until = quiet_until(now, settings.quiet_hours)
    told = 0
    for change in changes:
        change_id = _record(conn, change, now)
        if change_id is None:
            continue
        for chat in chats.get(change.supplier_id, []):
            if chat.off:
                continue
            message = notification_message(change, chat)
            row = {
                "change_id": change_id,
                "conversation_key": chat.key,
                "payload": outgoing_to_json(message),
                "release_at": held_until,
                "created_at": now,
                "status": "held",
                "outbox_id": None,
            }
            if held_until is None:
                values = outbox_values(message, None, now)
                row["outbox_id"] = conn.execute(
                    insert(_OUTBOX).values(**values).returning(_OUTBOX.c.id)
                ).scalar_one()
                row["status"] = "queued"
            conn.execute(insert(_NOTIFICATIONS).values(**row))
            told += 1
    if told and held_until is None and conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": OUTBOX})  # wake the senders
    return told
