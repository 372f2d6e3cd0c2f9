"""The local web chat and agent console: pages and JSON endpoints on the shared ASGI app."""

from adapters.web.adapter import WaitReplies, WebChatAdapter
from adapters.web.console import ConsoleBackend, TranscriptLine
from adapters.web.feed import ChatFeed, ChatUpdate, ChatUpdates, DemoSupplier, HandoffState
from adapters.web.settings import WebSettings
from adapters.web.wire import parse_web_message, reply_json

__all__ = [
    "ChatFeed",
    "ChatUpdate",
    "ChatUpdates",
    "ConsoleBackend",
    "DemoSupplier",
    "HandoffState",
    "TranscriptLine",
    "WaitReplies",
    "WebChatAdapter",
    "WebSettings",
    "parse_web_message",
    "reply_json",
]
