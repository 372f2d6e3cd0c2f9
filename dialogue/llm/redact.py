"""Privacy: mask e-mail addresses, phone numbers and bank account numbers before text leaves for a model.

Order ids, SKUs, amounts and dates are left alone: they are what the model must repeat exactly.
"""

from __future__ import annotations

import re

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
ACCOUNT_MASK = "[bank account]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
# A labelled account ("account no. 6222 0212 3456 7890", "账号：6222021234567890").
_LABELLED_ACCOUNT = re.compile(
    r"(?i)((?:bank\s+)?(?:account|acct|a/c|card)(?:\s+(?:number|no\.?|#))?\s*[:：#]?\s*"
    r"|(?:账号|账户|卡号|银行账户|银行卡号)\s*[:：]?\s*)(\d[\d -]{4,}\d)"
)
# A bare long run of digits, in groups of four or not: bank cards and account numbers (12-19 digits).
_DIGIT_RUN = re.compile(r"(?<![\w.,-])\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?![\w.,-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,3}"  # +86 138 0013 8000
    r"|\(\d{2,4}\)\s?\d{3,4}[\s.-]?\d{3,4}"  # (555) 123-4567
    r"|\d{3}[\s.-]\d{3,4}[\s.-]\d{4}"  # 555-123-4567, 021 6123 4567
    r"|1[3-9]\d{9}"  # a Chinese mobile number
    r")(?![\w])"
)


def redact(text: str) -> str:
    """The text with e-mail addresses, bank account numbers and phone numbers masked."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _IBAN.sub(ACCOUNT_MASK, text)
    text = _LABELLED_ACCOUNT.sub(lambda m: m.group(1) + ACCOUNT_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    return _DIGIT_RUN.sub(ACCOUNT_MASK, text)
