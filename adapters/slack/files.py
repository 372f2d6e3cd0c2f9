"""Files on Slack: downloading what a person shared (with the bot token) and uploading into a thread.

A download is a GET of the file's `url_private_download` with `Authorization: Bearer <bot token>`,
streamed and cut off past `max_bytes`. Without the `files:read` scope Slack answers 200 with its
HTML login page instead of the file: that, and any other HTML answer, is refused. The token is only
ever sent to Slack's own hosts (or the configured API host, a fake in tests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import FileContent, FileUnavailable
from dialogue.messages import Attachment

MB = 1024 * 1024
_TRUSTED_SUFFIX = ".slack.com"
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def _megabytes(size: int) -> str:
    return f"{math.ceil(size / MB)} MB"


def _too_large(size: int, limit: int) -> FileUnavailable:
    return FileUnavailable(f"file too large ({_megabytes(size)}, limit {_megabytes(limit)})")


def _trusted(url: str, api_base_url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(_TRUSTED_SUFFIX)):
        return True
    api = urlsplit(api_base_url)
    return bool(host) and host == (api.hostname or "").lower() and parts.port == api.port


async def download(attachment: Attachment, *, token: str, max_bytes: int, api_base_url: str) -> FileContent:
    """The bytes of a Slack file; FileUnavailable when too large, gone, or answered with a login page."""
    if max_bytes > 0 and attachment.size > max_bytes:
        raise _too_large(attachment.size, max_bytes)
    if not attachment.url:
        raise FileUnavailable("the Slack file has no download URL")
    if not _trusted(attachment.url, api_base_url):
        raise FileUnavailable("the file's URL is not on Slack; the bot token is not sent elsewhere")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            httpx.AsyncClient(timeout=_TIMEOUT, follow_redirects=True, max_redirects=5) as client,
            client.stream("GET", attachment.url, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise FileUnavailable(f"Slack answered HTTP {response.status_code} for the file")
            if "text/html" in response.headers.get("content-type", "").lower():
                raise FileUnavailable(
                    "Slack answered a login page instead of the file (does the app have files:read?)"
                )
            declared = response.headers.get("content-length", "")
            if max_bytes > 0 and declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(int(declared), max_bytes)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if max_bytes > 0 and len(data) > max_bytes:
                    raise _too_large(len(data), max_bytes)
    except httpx.HTTPError as exc:  # the message may hold the URL, never the token
        raise FileUnavailable(f"downloading the Slack file failed ({type(exc).__name__})") from None
    name = attachment.file_name or urlsplit(attachment.url).path.rsplit("/", 1)[-1] or "file"
    mime = attachment.mime_type or response.headers.get("content-type", "application/octet-stream")
    return FileContent(name=name, mime_type=mime.split(";")[0].strip(), data=bytes(data))


def _shared_ts(response: Any, channel: str) -> str:
    """The ts of the message the upload was shared in, when Slack says (it may not yet)."""
    files = response.get("files") or []
    for file in files if isinstance(files, list) else ():
        shares = file.get("shares") if isinstance(file, dict) else None
        for visibility in ("public", "private"):
            places = (shares or {}).get(visibility) or {}
            for share in places.get(channel) or ():
                if isinstance(share, dict) and share.get("ts"):
                    return str(share["ts"])
    return ""


async def upload(
    client: AsyncWebClient,
    *,
    channel: str,
    thread_ts: str | None,
    comment: str,
    files: Sequence[FileContent],
) -> str:
    """files_upload_v2 into the channel (and thread), the text as its comment; the message ts or ""."""
    response = await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        initial_comment=comment or None,
        file_uploads=[{"content": f.data, "filename": f.name, "title": f.name} for f in files],
    )
    return _shared_ts(response, channel)
