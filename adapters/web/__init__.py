"""The local web chat: a page and a JSON endpoint on the shared ASGI app."""

from adapters.web.adapter import WaitReplies, WebChatAdapter, parse_web_message, reply_json
from adapters.web.settings import WebSettings

__all__ = ["WaitReplies", "WebChatAdapter", "WebSettings", "parse_web_message", "reply_json"]
