"""The conversation's reply language: decided here, once per turn, and kept for form answers.

The character tests live in nlu.language; this module decides what they mean for a conversation:
- a message with words in it sets the language the NLU detected;
- button presses, bare yes/no answers ("ok", "no") and bare numbers keep the conversation's language;
- a new conversation with nothing to go on gets the configured default (`dialogue.default_language`);
- an answer to a form by button or without words ("1001", "AB-1020 450") keeps the language the
  form's question was asked in (`keep_form_language`, called by the form that takes the answer).
"""

from __future__ import annotations

from dialogue.messages import IncomingMessage
from dialogue.session import Session
from dialogue.yesno import classify_answer, is_confirm_button
from nlu.language import detect_language, has_han, has_letters, is_language_neutral

FORM_LANGUAGE = "form_language"  # session slot: the language a form's question was asked in


def _text_shows_language(text: str) -> bool:
    if not text.strip():
        return False
    if classify_answer(text) is not None and not has_han(text):
        return False  # "ok", "yes", "no" read the same in a Chinese conversation
    return has_letters(text)


def shows_language(message: IncomingMessage, text: str) -> bool:
    """Whether this message tells the conversation's language (a button press never does)."""
    return not message.callback_data and _text_shows_language(text)


def decide_turn_language(
    message: IncomingMessage, text: str, detected: str, session: Session, *, default: str
) -> str:
    """Set `session.language` for this turn and return it; `detected` is the NLU's language of `text`."""
    if shows_language(message, text):
        session.language = detected
    elif session.is_new:
        session.language = default
    return session.language


def language_of(text: str, default: str) -> str:
    """The language to answer a lone text in (the notice that a message could not be processed)."""
    return detect_language(text, default) if _text_shows_language(text) else default


def remember_form_language(session: Session) -> None:
    """A form asks its question now: remember the language it is asked in."""
    session.slots[FORM_LANGUAGE] = session.language


def forget_form_language(session: Session) -> None:
    session.slots.pop(FORM_LANGUAGE, None)


def keep_form_language(message: IncomingMessage, session: Session) -> None:
    """A form's answer by button or without words keeps the language the question was asked in."""
    asked_in = session.slots.get(FORM_LANGUAGE)
    if not isinstance(asked_in, str):
        return
    if is_confirm_button(message.callback_data) or is_language_neutral(message.text):
        session.language = asked_in
