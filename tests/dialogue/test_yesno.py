"""Yes and no, typed or pressed: the yes/no buttons' values are built and read in one place."""

from __future__ import annotations

from dialogue.actions.common import yes_no_buttons
from dialogue.yesno import classify_answer, is_confirm_button, pressed_answer


def test_the_buttons_the_bot_offers_read_back_as_yes_and_no() -> None:
    for language in ("en", "zh"):
        yes, no = yes_no_buttons(language)
        assert (pressed_answer(yes.value), pressed_answer(no.value)) == ("yes", "no")
        assert is_confirm_button(yes.value) and is_confirm_button(no.value)


def test_other_buttons_are_not_answers() -> None:
    for value in ("", "intent:human_handoff", "faq:12", "csat:4:5"):
        assert pressed_answer(value) is None and not is_confirm_button(value)


def test_typed_answers() -> None:
    assert classify_answer("yes please") == "yes"
    assert classify_answer("不是") == "no"
