"""Files the bot generated for a reply (charts): kept in SQL beside the outbox row that carries them.

A reply's generated attachment holds its bytes (`Attachment.content`) only until the turn commits:
`keep_generated` stores them in the same transaction as the outbox row and leaves a reference
(`platform="generated"`, `file_id` = the row's random id). The sender fetches them back through
`GeneratedFiles.fetch_file`, like a file from any platform, and the web chat serves them by that id.
Retention (bot.jobs.maintenance) deletes them with the finished pipeline rows.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, orm

from adapters.base import FileContent, FileUnavailable
from bot.storage.dialect import Sessionmaker
from bot.storage.tables import GeneratedFileRow
from dialogue.messages import Attachment, OutgoingMessage

GENERATED = "generated"  # Attachment.platform of a file the bot made


def keep_generated(db: orm.Session, msg: OutgoingMessage, now: datetime) -> OutgoingMessage:
    """`msg` with every generated file's bytes stored (in the caller's transaction) and referenced by id."""
    if not any(a.content for a in msg.files):
        return msg
    files: list[Attachment] = []
    for attachment in msg.files:
        if not attachment.content:
            files.append(attachment)
            continue
        file_id = str(uuid.uuid4())
        db.execute(
            insert(GeneratedFileRow).values(
                id=file_id,
                file_name=attachment.file_name or f"{file_id}.bin",
                mime_type=attachment.mime_type or "application/octet-stream",
                content=attachment.content,
                created_at=now,
            )
        )
        files.append(
            replace(
                attachment, file_id=file_id, platform=GENERATED, size=len(attachment.content), content=b""
            )
        )
    return replace(msg, files=tuple(files))


class GeneratedFiles:
    """The stored generated files, as a file source for the sender and the web chat."""

    def __init__(self, sessionmaker: Sessionmaker) -> None:
        self._sessionmaker = sessionmaker

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent:
        async with self._sessionmaker() as s:
            row = await s.get(GeneratedFileRow, attachment.file_id)
        if row is None:
            raise FileUnavailable("it is no longer kept")
        if max_bytes and len(row.content) > max_bytes:
            raise FileUnavailable(f"it is larger than {max_bytes} bytes")
        return FileContent(name=row.file_name, mime_type=row.mime_type, data=row.content)
