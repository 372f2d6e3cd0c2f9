"""How a supplier says "no more updates", and when the quiet hours end."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.notifications.quiet import quiet_until
from bot.notifications.settings import QuietHours
from dialogue.messages import ConversationKey, IncomingMessage, Platform, Sender
from dialogue.notifications import wanted

NIGHT = QuietHours(start=time(22), end=time(7), timezone="Asia/Shanghai")


def _said(text: str, command: str = "", args: str = "") -> IncomingMessage:
    chat = ConversationKey(Platform.TELEGRAM, "1")
    when = datetime(2026, 3, 10, tzinfo=UTC)
    return IncomingMessage(
        Platform.TELEGRAM, chat, Sender("1"), text, "x", when, command=command, command_args=args
    )


@pytest.mark.parametrize(
    ("text", "command", "args", "expected"),
    [
        ("/notifications off", "notifications", "off", False),
        ("/notifications on", "notifications", "on", True),
        ("/notifications", "notifications", "", "status"),
        ("Stop updates!", "", "", False),
        ("关闭通知", "", "", False),
        ("开启通知。", "", "", True),
        ("please stop updates to order PO-1001 only", "", "", None),  # not the command: understood as usual
        ("where is PO-1001?", "", "", None),
    ],
)
def test_a_supplier_turns_notifications_off_and_on(
    text: str, command: str, args: str, expected: object
) -> None:
    assert wanted(_said(text, command, args)) == expected


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (datetime(2026, 3, 10, 15, 30, tzinfo=UTC), datetime(2026, 3, 10, 23, 0, tzinfo=UTC)),  # 23:30 local
        (datetime(2026, 3, 10, 17, 0, tzinfo=UTC), datetime(2026, 3, 10, 23, 0, tzinfo=UTC)),  # 01:00 local
        (datetime(2026, 3, 10, 23, 0, tzinfo=UTC), None),  # 07:00 local: over
        (datetime(2026, 3, 10, 6, 0, tzinfo=UTC), None),  # 14:00 local
    ],
)
def test_quiet_hours_across_midnight(now: datetime, until: datetime | None) -> None:
    assert quiet_until(now, NIGHT) == until
    assert quiet_until(now, None) is None
