"""Files on the fake Bot API: getFile, the file download route, and sendPhoto / sendDocument uploads.

Files a user "sent" are registered with `add`; a declared `size` larger than the data stands in for a
big file without allocating it (getFile then refuses it, as Telegram does past 20 MB). Uploads arrive
as multipart/form-data, as python-telegram-bot sends them, and are recorded with their name, size and
caption.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_html import utf16_len, visible_text

MB = 1024 * 1024
DOWNLOAD_LIMIT = 20 * MB
UPLOAD_LIMIT = 50 * MB
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    data: bytes
    file_path: str
    size: int


@dataclass(frozen=True)
class SentFile:
    """One sendPhoto / sendDocument as the fake received it."""

    method: str  # "sendPhoto" | "sendDocument"
    chat_id: int | str
    message_id: int
    file_name: str
    size: int
    data: bytes
    caption: str  # what the user sees
    caption_html: str
    parse_mode: str


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """(form fields, uploaded files as name -> (file name, bytes)) of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    uploads: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            uploads[name] = (filename, data)
        else:
            fields[name] = data.decode("utf-8")
    return fields, uploads


class FakeTelegramFiles:
    """The fake's file store and upload log (call everything under the fake's lock)."""

    def __init__(self) -> None:
        self.stored: dict[str, StoredFile] = {}
        self.sent: list[SentFile] = []
        self.downloads: list[str] = []  # file paths fetched
        self._paths = itertools.count(1)

    def reset(self) -> None:
        self.stored.clear()
        self.sent.clear()
        self.downloads.clear()

    def add(self, file_id: str, data: bytes, *, file_name: str = "file.bin", size: int | None = None) -> None:
        """Register a file a user sent (getFile will find it under `file_id`)."""
        path = f"documents/file_{next(self._paths)}_{file_name}"
        self.stored[file_id] = StoredFile(file_id, data, path, len(data) if size is None else size)

    def get_file(self, params: dict[str, Any]) -> tuple[int, Any]:
        stored = self.stored.get(str(params.get("file_id", "")))
        if stored is None:
            return 400, "Bad Request: invalid file_id"
        if stored.size > DOWNLOAD_LIMIT:
            return 400, "Bad Request: file is too big"
        return 200, {
            "file_id": stored.file_id,
            "file_unique_id": f"u-{stored.file_id}",
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def download(self, path: str) -> bytes | None:
        for stored in self.stored.values():
            if stored.file_path == path:
                self.downloads.append(path)
                return stored.data
        return None

    def upload(
        self,
        method: str,
        params: dict[str, Any],
        uploads: dict[str, tuple[str, bytes]],
        message_id: int,
    ) -> tuple[int, Any]:
        field = "photo" if method == "sendPhoto" else "document"
        if "chat_id" not in params:
            return 400, "Bad Request: chat_id is empty"
        if field not in uploads:
            return 400, f"Bad Request: there is no {field} in the request"
        file_name, data = uploads[field]
        if len(data) > UPLOAD_LIMIT:
            return 413, "Request Entity Too Large"
        caption_html = str(params.get("caption", ""))
        parse_mode = str(params.get("parse_mode", ""))
        caption, error = visible_text(caption_html, parse_mode)
        if error:
            return 400, error
        if utf16_len(caption) > CAPTION_LIMIT:
            return 400, "Bad Request: message caption is too long"
        sent = SentFile(
            method,
            params["chat_id"],
            message_id,
            file_name,
            len(data),
            data,
            caption,
            caption_html,
            parse_mode,
        )
        self.sent.append(sent)
        media: Any = (
            [{"file_id": f"sent-{message_id}", "file_unique_id": f"s{message_id}", "width": 1, "height": 1}]
            if field == "photo"
            else {"file_id": f"sent-{message_id}", "file_unique_id": f"s{message_id}", "file_name": file_name}
        )
        body: dict[str, Any] = {field: media}
        if caption:
            body["caption"] = caption
        return 200, body
