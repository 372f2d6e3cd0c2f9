"""Requests to change bank details are recognised in English and Chinese; payment questions are not."""

from __future__ import annotations

import pytest

from dialogue.risk import BankDetailsLexicon

ASKS_TO_CHANGE = [
    # the examples
    "please update our bank account to 12345678",
    "our bank details changed, pay the next invoice to IBAN DE89 3704 0044 0532 0130 00",
    "请把收款账户改成 6222 0202 0000 1234",
    "我们换了银行账户",
    # English
    "Hi, we have switched banks. Please use the new account for all future payments.",
    "Kindly pay INV-2002 into our other account.",
    "From now on please send payments to account number 0012-3456-7890",
    "Can you change the beneficiary account on our invoices?",
    "Our IBAN has changed: GB29 NWBK 6016 1331 9268 19",
    "Please wire the payment to this account: DE44 5001 0517 5407 3249 31",
    "We have new banking details, I will send them over",
    "I need to update the remittance details you have for us",
    "Payments should go to a different bank account from now on",
    "The SWIFT code on file is no longer valid, here is the updated one",
    "please transfer the money to GB33BUKB20201555555555",
    # Chinese
    "我们的银行信息变更了，下次付款请付到新账户",
    "请将货款打到我们的新账号",
    "开户行已更改，请更新我们的账户信息",
    "以后请汇款到另一个账户",
    "收款银行换成招商银行了",
    "麻烦修改一下我们的银行账号",
    "我们公司换了一家新银行",
]

ORDINARY = [
    # the examples
    "when will INV-2002 be paid?",
    "which bank do you pay from?",
    "what bank details must an invoice show?",
    # English
    "Has INV-2002 been paid into our account yet?",
    "Can I update the quantity for AB-1020 to 450?",
    "What are your payment terms for new suppliers?",
    "Where is PO-1001?",
    "Did the bank transfer for INV-2003 go through?",
    "I need to change the delivery address for PO-1001",
    "Which account number should I put on the invoice?",
    "Please update me on the payment status of INV-2002",
    "What bank details does a new supplier have to provide during onboarding?",
    "The payment for INV-2004 is late, can you check with your bank?",
    "talk to a human",
    # Chinese
    "INV-2002 什么时候付款？",
    "你们用哪个银行付款？",
    "发票上需要写哪些银行信息？",
    "我想修改 PO-1001 的交货日期",
    "INV-2003 的款项到账了吗？",
    "新供应商需要提供什么资料？",
    "请更新一下 AB-1020 的库存为 450",
    "我想注册一个新账号",
]


@pytest.fixture(scope="module")
def lexicon() -> BankDetailsLexicon:
    return BankDetailsLexicon.load()


@pytest.mark.parametrize("text", ASKS_TO_CHANGE)
def test_a_request_to_change_bank_details_is_recognised(lexicon: BankDetailsLexicon, text: str) -> None:
    assert lexicon.find(text) is not None


@pytest.mark.parametrize("text", ORDINARY)
def test_an_ordinary_payment_question_is_not(lexicon: BankDetailsLexicon, text: str) -> None:
    assert lexicon.find(text) is None
