"""Generated files: stored with the outbox row in one transaction, fetched back by id, never serialized."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.base import FileUnavailable
from bot.storage.db import make_sessionmaker
from bot.storage.generated_files import GENERATED, GeneratedFiles, keep_generated
from bot.storage.serde import outgoing_to_json
from dialogue.messages import Attachment, ConversationKey, OutgoingMessage, Platform

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CHAT = ConversationKey(Platform.TELEGRAM, "7001")


def chart(data: bytes = b"\x89PNG chart") -> Attachment:
    return Attachment(kind="photo", file_id="", file_name="trend.png", mime_type="image/png", content=data)


async def test_a_chart_is_stored_and_referenced_by_id(engine: Any) -> None:
    sessionmaker = make_sessionmaker(engine)
    relayed = Attachment(kind="document", file_id="tg-file-1", platform="telegram")
    message = OutgoingMessage(CHAT, "trends", files=(chart(), relayed))
    async with sessionmaker.begin() as s:
        kept = await s.run_sync(keep_generated, message, NOW)
    stored, untouched = kept.files
    assert untouched == relayed
    assert stored.platform == GENERATED and stored.content == b"" and stored.size == len(b"\x89PNG chart")
    payload = outgoing_to_json(kept)["files"][0]
    assert payload["file_id"] == stored.file_id and "content" not in payload
    file = await GeneratedFiles(sessionmaker).fetch_file(stored, max_bytes=1024)
    assert (file.name, file.mime_type, file.data) == ("trend.png", "image/png", b"\x89PNG chart")


async def test_a_file_too_large_or_gone_is_unavailable(engine: Any) -> None:
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker.begin() as s:
        kept = await s.run_sync(keep_generated, OutgoingMessage(CHAT, "", files=(chart(b"x" * 2048),)), NOW)
    files = GeneratedFiles(sessionmaker)
    with pytest.raises(FileUnavailable, match="larger"):
        await files.fetch_file(kept.files[0], max_bytes=1024)
    with pytest.raises(FileUnavailable, match="no longer kept"):
        await files.fetch_file(Attachment(kind="photo", file_id="gone", platform=GENERATED), max_bytes=0)


async def test_a_rolled_back_turn_keeps_no_file(engine: Any) -> None:
    sessionmaker = make_sessionmaker(engine)
    with pytest.raises(RuntimeError):
        async with sessionmaker.begin() as s:
            kept = await s.run_sync(keep_generated, OutgoingMessage(CHAT, "", files=(chart(),)), NOW)
            raise RuntimeError("the lease was lost")
    with pytest.raises(FileUnavailable):
        await GeneratedFiles(sessionmaker).fetch_file(kept.files[0], max_bytes=0)


def test_unstored_bytes_are_never_serialized() -> None:
    with pytest.raises(ValueError, match="keep_generated"):
        outgoing_to_json(OutgoingMessage(CHAT, "", files=(chart(),)))
