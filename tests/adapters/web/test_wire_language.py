"""The web reply JSON says the language it is written in, which the chat page's own words follow."""

from __future__ import annotations

from adapters.web.wire import reply_json
from dialogue.messages import ConversationKey, OutgoingMessage, Platform

KEY = ConversationKey(Platform.WEB, "guest")


def test_a_reply_carries_the_conversation_language() -> None:
    stated = OutgoingMessage(KEY, "INV-2002", metadata={"outcome": "invoice_list", "language": "zh"})
    assert reply_json(stated)["language"] == "zh"  # the dialogue says it outright
    notice = OutgoingMessage(KEY, "客服同事很快会在这里回复您。", kind="handoff")
    assert reply_json(notice)["language"] == "zh"  # a handoff notice is written in it
    english = OutgoingMessage(KEY, "A colleague will reply here.", kind="handoff")
    assert reply_json(english)["language"] == "en"


def test_a_person_or_a_bare_code_does_not_tell() -> None:
    relay = OutgoingMessage(KEY, "Hello! PO-1001 left today.", kind="relay")
    assert reply_json(relay)["language"] is None  # an agent may write English to a Chinese supplier
    assert reply_json(OutgoingMessage(KEY, "12345"))["language"] is None
