"""Attachments as the dialogue sees them: which it can take as a file, how to name the others,
and a reply's generated chart as an attachment."""

from __future__ import annotations

from dialogue.actions.base import Reply
from dialogue.messages import Attachment


def chart_files(reply: Reply) -> tuple[Attachment, ...]:
    """A reply's chart as a generated photo (its bytes are stored with the outbox row)."""
    chart = reply.image
    if chart is None:
        return ()
    return (
        Attachment(
            kind="photo",
            file_id="",
            caption=chart.title,
            file_name=chart.file_name,
            mime_type=chart.mime_type,
            size=len(chart.png),
            platform="generated",
            content=chart.png,
        ),
    )


# Attachments the bot can take as a file (a sticker, a location or a voice message it cannot read).
READABLE_ATTACHMENTS = frozenset({"photo", "document", "file"})

_ATTACHMENT_LABELS: dict[str, tuple[str, str]] = {
    "sticker": ("sticker", "贴纸"),
    "location": ("location", "位置"),
    "venue": ("location", "位置"),
    "contact": ("contact card", "联系人名片"),
    "voice": ("voice message", "语音消息"),
    "audio": ("audio file", "音频"),
    "video": ("video", "视频"),
    "video_note": ("video message", "视频消息"),
    "animation": ("GIF", "动图"),
    "dice": ("dice", "骰子"),
    "poll": ("poll", "投票"),
}


def attachment_label(kind: str, language: str) -> str:
    en, zh = _ATTACHMENT_LABELS.get(kind, ("message of this kind", "这类消息"))
    return zh if language == "zh" else en
