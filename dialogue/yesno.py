"""Yes / no / cancel answers in English and Chinese."""

from __future__ import annotations

import re

_YES = {
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "confirm",
    "confirmed",
    "correct",
    "right",
    "go ahead",
    "do it",
    "please do",
    "yes please",
    "that's right",
    "affirmative",
    "是",
    "是的",
    "好",
    "好的",
    "对",
    "对的",
    "确认",
    "可以",
    "行",
    "没错",
    "嗯",
    "要",
}
_NO = {
    "no",
    "n",
    "nope",
    "nah",
    "not really",
    "wrong",
    "incorrect",
    "don't",
    "do not",
    "不",
    "不是",
    "不要",
    "否",
    "不对",
    "不用",
    "错",
}
_CANCEL = {
    "cancel",
    "stop",
    "never mind",
    "nevermind",
    "forget it",
    "abort",
    "quit",
    "取消",
    "算了",
    "不用了",
    "停止",
    "退出",
}

_STRIP = re.compile(r"[\s.!?,;:。！？，、~]+")


def _norm(text: str) -> str:
    return _STRIP.sub(" ", text.strip().lower()).strip()


def classify_answer(text: str) -> str | None:
    """Return "yes", "no", "cancel" or None for anything that is not a short answer."""
    norm = _norm(text)
    if not norm:
        return None
    if norm in _CANCEL:
        return "cancel"
    if norm in _YES:
        return "yes"
    if norm in _NO:
        return "no"
    words = norm.split()
    if len(words) <= 3:
        if words[0] in _CANCEL or norm.startswith(("取消", "算了")):
            return "cancel"
        if words[0] in _YES or (words[-1] in {"please"} and words[0] in _YES):
            return "yes"
        if words[0] in _NO:
            return "no"
    return None


# The value of a yes/no button: "confirm:yes" / "confirm:no". Built and read here only.
_CONFIRM = "confirm:"
CONFIRM_YES = f"{_CONFIRM}yes"
CONFIRM_NO = f"{_CONFIRM}no"


def is_confirm_button(value: str) -> bool:
    """Whether a button value is a yes/no button's."""
    return value.startswith(_CONFIRM)


def pressed_answer(value: str) -> str | None:
    """'yes' | 'no' for a yes/no button's value; None for any other value (or none)."""
    if not is_confirm_button(value):
        return None
    return "yes" if value == CONFIRM_YES else "no"
