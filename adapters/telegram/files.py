"""Files on Telegram: fetching what a user sent (getFile, then the file URL) and the upload rules.

The Bot API serves files of at most 20 MB and takes uploads of at most 50 MB (photos 10 MB). File URLs
contain the bot token, so no URL and no raw error text leaves this module without being scrubbed.
"""

from __future__ import annotations

import math
import mimetypes
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import TelegramError

from adapters.base import FileContent, FileUnavailable
from dialogue.errors import DeliveryFailure, PermanentDeliveryError
from dialogue.messages import Attachment

MB = 1024 * 1024
DOWNLOAD_LIMIT = 20 * MB  # getFile serves files up to this size
UPLOAD_LIMIT = 50 * MB  # sendDocument / sendPhoto by upload
PHOTO_LIMIT = 10 * MB
# Image types Telegram shows as a photo; others (GIF, SVG, HEIC, ...) go as documents, intact.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


def megabytes(size: int) -> str:
    return f"{math.ceil(size / MB)} MB"


def scrub(text: str, token: str) -> str:
    """`text` with the bot token (and anything shaped like one) replaced."""
    if token:
        text = text.replace(token, "<token>")
    return _TOKEN.sub("<token>", text)


def _name_of(attachment: Attachment, file_path: str) -> str:
    if attachment.file_name:
        return attachment.file_name
    name = PurePosixPath(urlsplit(file_path).path).name
    return name or attachment.kind or "file"


def _mime_of(attachment: Attachment, name: str) -> str:
    if attachment.mime_type:
        return attachment.mime_type
    if attachment.kind == "photo":
        return "image/jpeg"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _too_large(size: int, limit: int) -> FileUnavailable:
    why = "Telegram serves bots at most" if limit == DOWNLOAD_LIMIT else "the limit is"
    return FileUnavailable(
        f"file too large to fetch from Telegram ({megabytes(size)}; {why} {megabytes(limit)})"
    )


async def fetch_file(bot: Bot, attachment: Attachment, *, max_bytes: int, token: str) -> FileContent:
    """Download a file a user sent: getFile, then its URL; FileUnavailable when too large or gone."""
    limit = min(max_bytes, DOWNLOAD_LIMIT) if max_bytes > 0 else DOWNLOAD_LIMIT
    if attachment.size > limit:
        raise _too_large(attachment.size, limit)
    if not attachment.file_id:
        raise FileUnavailable("the attachment has no Telegram file id")
    try:
        file = await bot.get_file(attachment.file_id)
        if file.file_size is not None and file.file_size > limit:
            raise _too_large(file.file_size, limit)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        raise FileUnavailable(f"telegram: {scrub(str(exc.message), token)}") from None
    if len(data) > limit:
        raise _too_large(len(data), limit)
    name = _name_of(attachment, file.file_path or "")
    return FileContent(name=name, mime_type=_mime_of(attachment, name), data=data)


def upload_method(file: FileContent) -> str:
    """ "photo" for a picture Telegram can show as one, else "document"; too large is permanent."""
    size = len(file.data)
    if size > UPLOAD_LIMIT:
        raise PermanentDeliveryError(
            f"file too large for Telegram ({megabytes(size)}, limit {megabytes(UPLOAD_LIMIT)}): {file.name}",
            kind=DeliveryFailure.TOO_LARGE,
        )
    if file.mime_type.lower() in PHOTO_TYPES and size <= PHOTO_LIMIT:
        return "photo"
    return "document"
