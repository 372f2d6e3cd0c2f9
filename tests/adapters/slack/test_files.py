"""Files on Slack through the fake Web API: downloading what an agent shared, uploading what a
supplier sent."""

from __future__ import annotations

import logging

import pytest

from adapters.base import FileContent, FileUnavailable
from dialogue.errors import PermanentDeliveryError
from dialogue.messages import Attachment, ConversationKey, OutgoingMessage, Platform
from tests.adapters.slack.support import make_adapter
from tests.fakes.slack_api import BOT_TOKEN, SUPPORT, FakeSlackApi

MB = 1024 * 1024
THREAD = "1700000000.000100"


def shared(url: str, **fields: object) -> Attachment:
    values: dict[str, object] = {"kind": "document", "file_id": "F1", "file_name": "label.pdf", "url": url}
    values.update(platform="slack", mime_type="application/pdf", **fields)
    return Attachment(**values)  # type: ignore[arg-type]


async def test_a_shared_file_is_downloaded_with_the_bot_token(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url)
    url = slack_api.host_file("F1", b"%PDF-1.7 label", name="label.pdf", mime_type="application/pdf")
    content = await adapter.fetch_file(shared(url, size=14), max_bytes=MB)
    assert content == FileContent("label.pdf", "application/pdf", b"%PDF-1.7 label")
    [download] = slack_api.calls_to("files-pri")
    assert download.token == BOT_TOKEN


async def test_a_login_page_instead_of_the_file_is_refused(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url)
    url = slack_api.host_file("F1", b"%PDF", name="label.pdf")
    slack_api.login_page = True  # the app lacks files:read
    with pytest.raises(FileUnavailable, match=r"login page .*files:read"):
        await adapter.fetch_file(shared(url), max_bytes=MB)


async def test_a_file_too_large_is_refused_by_size_and_while_streaming(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url)
    url = slack_api.host_file("F1", b"x" * 4096, name="big.bin")
    with pytest.raises(FileUnavailable, match="limit"):
        await adapter.fetch_file(shared(url, size=5 * MB), max_bytes=MB)
    assert slack_api.calls_to("files-pri") == []  # refused before asking
    with pytest.raises(FileUnavailable, match=r"file too large \(1 MB, limit 1 MB\)"):
        await adapter.fetch_file(shared(url), max_bytes=1000)  # the size was not announced


async def test_the_token_goes_to_slack_only(
    slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    adapter, _ = make_adapter(slack_api.base_url)
    with caplog.at_level(logging.DEBUG), pytest.raises(FileUnavailable, match="not on Slack"):
        await adapter.fetch_file(shared("https://evil.example/files-pri/T1-F1/x.pdf"), max_bytes=MB)
    with pytest.raises(FileUnavailable) as caught:
        await adapter.fetch_file(
            shared(f"{slack_api.root_url}/files-pri/T0001-F404/download/x"), max_bytes=MB
        )
    assert "404" in str(caught.value) and BOT_TOKEN not in str(caught.value)
    assert BOT_TOKEN not in caplog.text


async def test_a_suppliers_file_is_uploaded_into_the_card_thread(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    message = OutgoingMessage(
        ConversationKey(Platform.SLACK, SUPPORT, THREAD),
        "Supplier: the **damaged** carton",
        format="markdown",
    )
    photo = FileContent("carton.jpg", "image/jpeg", b"\xff\xd8 jpeg")
    result = await adapter.send(message, [photo])
    [upload] = slack_api.uploads
    assert (upload.filename, upload.data, upload.channel, upload.thread_ts) == (
        "carton.jpg",
        b"\xff\xd8 jpeg",
        SUPPORT,
        THREAD,
    )
    assert upload.initial_comment == "Supplier: the *damaged* carton" and upload.completed
    assert result.platform_message_id == slack_api.messages[SUPPORT][-1]["ts"]
    assert slack_api.calls_to("chat.postMessage") == []


async def test_an_upload_error_is_mapped_like_any_other(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    slack_api.fail_next("files.completeUploadExternal", error="channel_not_found")
    message = OutgoingMessage(ConversationKey(Platform.SLACK, SUPPORT, THREAD), "")
    with pytest.raises(PermanentDeliveryError, match="channel_not_found"):
        await adapter.send(message, [FileContent("a.txt", "text/plain", b"a")])
