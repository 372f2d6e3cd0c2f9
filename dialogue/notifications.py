"""A supplier turns change notifications off and on: `/notifications off`, "stop updates", 关闭通知.

Checked before understanding, like a command. The choice is kept in the session's state (it survives a
session's reset) where the notifier reads it (bot.notifications.queue).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dialogue.messages import IncomingMessage, OutgoingMessage
from dialogue.session import Session, TurnRecord

NOTIFICATIONS_OFF = "notifications_off"  # session state: True when the chat wants no notifications

_OFF = ("off", "stop", "disable", "关闭", "关")
_ON = ("on", "start", "enable", "开启", "打开", "开")
_PHRASES = {
    **dict.fromkeys(
        ("stop updates", "stop notifications", "notifications off", "turn off notifications",
         "关闭通知", "停止通知", "取消通知", "不要通知", "关闭提醒"),
        False,
    ),
    **dict.fromkeys(
        ("start updates", "resume updates", "notifications on", "turn on notifications",
         "开启通知", "打开通知", "恢复通知", "开启提醒"),
        True,
    ),
}  # fmt: skip
_PUNCTUATION = re.compile(r"[\s.!?,;:。！？，、]+")

_REPLIES = {
    ("en", False): "🔕 Notifications are off. You will get no more updates about your orders and invoices. "
    "Send /notifications on to turn them back on.",
    ("en", True): "🔔 Notifications are on. I will tell you when an order ships or is delivered, its ETA "
    "moves, or an invoice is scheduled or paid. Send /notifications off to stop them.",
    (
        "zh",
        False,
    ): "🔕 已关闭通知，您将不再收到订单和发票的更新。发送“开启通知”或 /notifications on 可重新开启。",
    ("zh", True): "🔔 已开启通知。订单发货、送达、预计到达日期变更，或发票安排付款、已付款时，我会通知您。"
    "发送“关闭通知”或 /notifications off 可关闭。",
    ("en", None): "Notifications are {state}. Send /notifications off or /notifications on.",
    ("zh", None): "通知当前{state}。发送 /notifications off 关闭，或 /notifications on 开启。",
}


def notifications_off(state: Mapping[str, Any]) -> bool:
    return bool(state.get(NOTIFICATIONS_OFF, False))


def wanted(message: IncomingMessage) -> bool | str | None:
    """True / False to turn notifications on / off; "status" for a bare `/notifications`; else None."""
    if message.command == "notifications":
        argument = message.command_args.strip().lower()
        if argument in _OFF:
            return False
        if argument in _ON:
            return True
        return "status"
    if message.command or message.callback_data:
        return None
    text = _PUNCTUATION.sub(" ", message.text.lower()).strip()
    return _PHRASES.get(text)


def notification_toggle(message: IncomingMessage, session: Session) -> OutgoingMessage | None:
    """The confirmation of a turn that turns notifications off or on (the session keeps the choice)."""
    choice = wanted(message)
    if choice is None:
        return None
    language = "zh" if session.language == "zh" else "en"
    if choice == "status":
        on = not notifications_off(session.state)
        state = {"en": "on" if on else "off", "zh": "已开启" if on else "已关闭"}[language]
        text, outcome = _REPLIES[(language, None)].format(state=state), "notifications_status"
    else:
        enabled = bool(choice)
        if enabled:
            session.state.pop(NOTIFICATIONS_OFF, None)
        else:
            session.state[NOTIFICATIONS_OFF] = True
        text = _REPLIES[(language, enabled)]
        outcome = "notifications_on" if enabled else "notifications_off"
    session.record(TurnRecord(kind="bot", text=text, action="notifications", outcome=outcome))
    return OutgoingMessage(
        conversation=message.conversation,
        text=text,
        reply_to=message.message_id,
        metadata={"outcome": outcome, "language": language},
    )
