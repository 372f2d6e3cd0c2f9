"""Files through the fake Bot API: fetching what a supplier sent, uploading what an agent relays."""

from __future__ import annotations

import logging

import pytest

from adapters.base import FileContent, FileUnavailable
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import Attachment
from tests.adapters.telegram.support import CHAT, Harness, reply
from tests.fakes.telegram_api import document_update, photo_update

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def attachment(file_id: str, **fields: object) -> Attachment:
    values: dict[str, object] = {"kind": "document", "file_id": file_id, "platform": "telegram"}
    values.update(fields)
    return Attachment(**values)  # type: ignore[arg-type]


# --- what a supplier sends ------------------------------------------------------------------------------


async def test_a_photo_arrives_with_its_size_and_platform(harness: Harness) -> None:
    await harness.post(photo_update(30, caption="damaged carton"))
    [photo] = harness.inbox.stored["30"].attachments
    assert (photo.kind, photo.file_id, photo.size, photo.platform) == (
        "photo",
        "large-30",
        120_000,
        "telegram",
    )
    assert harness.inbox.stored["30"].text == "damaged carton"  # the caption is the text


async def test_a_document_with_a_caption_keeps_both(harness: Harness) -> None:
    update = document_update(31, file_name="invoice-77.pdf")
    update["message"]["caption"] = "invoice for PO-1001"
    await harness.post(update)
    message = harness.inbox.stored["31"]
    assert message.text == "invoice for PO-1001"
    [doc] = message.attachments
    assert (doc.kind, doc.file_name, doc.size, doc.platform) == (
        "document",
        "invoice-77.pdf",
        50_000,
        "telegram",
    )


async def test_fetching_a_file_downloads_it_by_get_file(harness: Harness) -> None:
    harness.api.add_file("doc-1", b"%PDF-1.7 invoice", file_name="invoice.pdf")
    content = await harness.adapter.fetch_file(
        attachment("doc-1", file_name="invoice.pdf", mime_type="application/pdf"), max_bytes=MB
    )
    assert content == FileContent("invoice.pdf", "application/pdf", b"%PDF-1.7 invoice")
    assert [c.params["file_id"] for c in harness.api.calls("getFile")] == ["doc-1"]


async def test_a_photo_without_a_name_is_named_after_its_path(harness: Harness) -> None:
    harness.api.add_file("photo-1", PNG, file_name="p.jpg")
    content = await harness.adapter.fetch_file(attachment("photo-1", kind="photo"), max_bytes=MB)
    assert content.name.endswith("p.jpg") and content.mime_type == "image/jpeg"


@pytest.mark.parametrize(
    ("size", "max_bytes", "reason"),
    [
        (25 * MB, 50 * MB, "25 MB; Telegram serves bots at most 20 MB"),
        (3 * MB, 2 * MB, "3 MB; the limit is 2 MB"),
    ],
)
async def test_a_file_too_large_is_refused_before_any_download(
    harness: Harness, size: int, max_bytes: int, reason: str
) -> None:
    with pytest.raises(FileUnavailable, match=reason):
        await harness.adapter.fetch_file(attachment("big", size=size), max_bytes=max_bytes)
    assert harness.api.calls("getFile") == []


async def test_a_file_telegram_will_not_serve_is_unavailable(harness: Harness) -> None:
    harness.api.add_file("huge", b"x", size=30 * MB)  # the attachment did not say how large it is
    with pytest.raises(FileUnavailable, match=r"(?i)file is too big"):
        await harness.adapter.fetch_file(attachment("huge"), max_bytes=50 * MB)
    with pytest.raises(FileUnavailable, match=r"(?i)invalid file_id"):
        await harness.adapter.fetch_file(attachment("gone"), max_bytes=MB)


async def test_no_token_in_a_download_error(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.add_file("doc-2", b"data")
    harness.api.files.download = lambda path: None  # type: ignore[method-assign]  # the URL is gone
    with caplog.at_level(logging.INFO), pytest.raises(FileUnavailable) as caught:
        await harness.adapter.fetch_file(attachment("doc-2"), max_bytes=MB)
    assert harness.api.token not in str(caught.value)
    # httpx logs request URLs at INFO; bot.logging_setup keeps it at WARNING in production
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not [line for line in ours if harness.api.token in line]


# --- what an agent relays -------------------------------------------------------------------------------


async def test_a_photo_goes_with_the_text_as_its_caption(harness: Harness) -> None:
    photo = FileContent("carton.png", "image/png", PNG)
    result = await harness.adapter.send(reply("Here is the **label** we need", format="markdown"), [photo])
    [sent] = harness.api.sent_files(CHAT)
    assert (sent.method, sent.file_name, sent.size) == ("sendPhoto", "carton.png", len(PNG))
    assert sent.caption == "Here is the label we need" and sent.caption_html.count("<b>label</b>") == 1
    assert harness.api.calls("sendMessage") == []
    assert result.platform_message_id == str(sent.message_id)


async def test_other_files_are_documents_after_a_long_text(harness: Harness) -> None:
    text = "Please check these. " * 60  # over the 1024-character caption limit
    files = [
        FileContent("po.pdf", "application/pdf", b"%PDF"),
        FileContent("anim.gif", "image/gif", b"GIF89a"),
    ]
    await harness.adapter.send(reply(text), files)
    assert [m.text.strip() for m in harness.api.messages_to(CHAT)] == [text.strip()]
    assert [(f.method, f.file_name, f.caption) for f in harness.api.sent_files(CHAT)] == [
        ("sendDocument", "po.pdf", ""),
        ("sendDocument", "anim.gif", ""),
    ]


async def test_a_photo_telegram_refuses_goes_as_a_document(harness: Harness) -> None:
    harness.api.fail_next("sendPhoto", 400, description="Bad Request: PHOTO_INVALID_DIMENSIONS")
    await harness.adapter.send(reply("panorama"), [FileContent("wide.jpg", "image/jpeg", b"\xff\xd8")])
    assert [(f.method, f.caption) for f in harness.api.sent_files(CHAT)] == [("sendDocument", "panorama")]


async def test_a_file_over_50_mb_fails_permanently_before_sending_anything(harness: Harness) -> None:
    big = FileContent("backup.zip", "application/zip", b"\x00" * (62 * MB))
    with pytest.raises(PermanentDeliveryError) as caught:
        await harness.adapter.send(reply("the backup"), [big])
    assert caught.value.reason == "file too large for Telegram (62 MB, limit 50 MB): backup.zip"
    assert harness.api.calls("sendMessage") == [] and harness.api.calls("sendDocument") == []


async def test_a_retry_after_a_failed_file_sends_no_text_twice(harness: Harness) -> None:
    text = "Long note. " * 120
    harness.api.fail_next("sendDocument", 429, retry_after=2)
    files = [FileContent("po.pdf", "application/pdf", b"%PDF")]
    with pytest.raises(TransientDeliveryError):
        await harness.adapter.send(reply(text), files)
    await harness.adapter.send(reply(text), files)
    assert len(harness.api.messages_to(CHAT)) == 1
    assert [f.file_name for f in harness.api.sent_files(CHAT)] == ["po.pdf"]


async def test_a_blocked_supplier_refuses_files_too(harness: Harness) -> None:
    harness.api.block_chat(CHAT)
    with pytest.raises(PermanentDeliveryError, match="blocked"):
        await harness.adapter.send(reply(""), [FileContent("po.pdf", "application/pdf", b"%PDF")])
