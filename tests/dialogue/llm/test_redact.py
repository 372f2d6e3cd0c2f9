"""Redaction: contact details and bank accounts are masked; ids, amounts and dates stay."""

from __future__ import annotations

import pytest

from dialogue.llm.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to li.wei@example.cn", "write to [email]"),
        ("call +86 138 0013 8000 today", "call [phone] today"),
        ("mobile 13800138000", "mobile [phone]"),
        ("office (555) 123-4567", "office [phone]"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [bank account]"),
        ("account no. 6222 0212 3456 7890", "account no. [bank account]"),
        ("请汇款到账号：6222021234567890", "请汇款到账号：[bank account]"),
        ("card 6222021234567890123", "card [bank account]"),
    ],
)
def test_contact_details_and_accounts_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_what_the_model_must_repeat_is_kept() -> None:
    text = "PO-10234 ships 2026-11-23: 450 units of AB-1020, total 12,500.00 USD (invoice INV-2026-0042)"
    assert redact(text) == text
