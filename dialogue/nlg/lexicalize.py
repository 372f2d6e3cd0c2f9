"""Fill [placeholders] from facts, formatting dates, money, quantities and percentages per language."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from dialogue.nlg.catalog import PLACEHOLDER_RE, Catalog
from dialogue.nlg.corpus import ProductTables

log = logging.getLogger(__name__)

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_CURRENCY_NAMES = {"USD": "美元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "HKD": "港元"}
_EN_SYMBOLS = {"USD": "$"}
_ZH_SYMBOLS = {"CNY": "¥", "RMB": "¥"}
PRODUCT_ATTRIBUTES: tuple[str, ...] = ("name", "category", "material", "size", "color", "features")
_FEATURE_SPLIT = re.compile(r"\s*[,;、，；]\s*")


def format_number(value: Decimal | int | float, places: int | None = None) -> str:
    """1234.5 -> '1,234.50' with places=2; integers keep no decimals."""
    if places is None:
        if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value()):
            return f"{int(value):,}"
        places = 2
    return f"{Decimal(str(value)):,.{places}f}"


def format_money(amount: Decimal | int | float, currency: str, language: str) -> str:
    """en: $1,234.50 or EUR 1,234.50; zh: 1,234.50 美元 or ¥1,234.50."""
    number = format_number(amount, 2)
    code = currency.upper()
    if language == "zh":
        if code in _ZH_SYMBOLS:
            return f"{_ZH_SYMBOLS[code]}{number}"
        return f"{number} {_ZH_CURRENCY_NAMES.get(code, code)}"
    if code in _EN_SYMBOLS:
        return f"{_EN_SYMBOLS[code]}{number}"
    return f"{code} {number}"


def format_date(value: dt.date, language: str) -> str:
    """en: Nov 25, 2026; zh: 2026年11月25日 (a datetime adds HH:MM)."""
    if language == "zh":
        text = f"{value.year}年{value.month}月{value.day}日"
    else:
        text = f"{_EN_MONTHS[value.month - 1]} {value.day}, {value.year}"
    if isinstance(value, dt.datetime):
        text += f" {value:%H:%M}"
    return text


def format_quantity(value: int | Decimal | float, language: str) -> str:
    """en: 450 units / 1 unit; zh: 450件."""
    number = format_number(value)
    if language == "zh":
        return f"{number}件"
    return f"{number} unit" if value == 1 else f"{number} units"


def format_percent(value: float | Decimal | int) -> str:
    """0.87 -> 87%; values above 1 are taken as percentages already."""
    number = float(value)
    if number <= 1.0:
        number *= 100.0
    return f"{number:.0f}%"


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", ""))
        except InvalidOperation:
            return None
    return None


def _money_parts(value: object) -> tuple[Decimal, str] | None:
    """Duck-typed nlu.types.Money: anything with .amount and .currency."""
    amount = getattr(value, "amount", None)
    currency = getattr(value, "currency", None)
    if amount is not None and isinstance(currency, str):
        number = _as_decimal(amount)
        if number is not None:
            return number, currency
    return None


class Lexicalizer:
    """Turns fact values into text for one language and fills delexicalized replies."""

    def __init__(
        self, catalog: Catalog, products: ProductTables | None = None, *, default_currency: str = "USD"
    ) -> None:
        self.catalog = catalog
        self._catalog = catalog
        self._products = products
        self._default_currency = default_currency

    def format_value(self, name: str, value: object, language: str) -> str:
        """Format one fact by its kind in the catalog, falling back on its Python type."""
        kind = self._catalog.fact_kinds.get(name, "")
        money = _money_parts(value)
        if money is not None:
            return format_money(money[0], money[1], language)
        if isinstance(value, dt.date):
            return format_date(value, language)
        number = _as_decimal(value) if not isinstance(value, str) else None
        if kind == "money":
            number = number if number is not None else _as_decimal(value)
            if number is not None:
                return format_money(number, self._default_currency, language)
        elif kind == "quantity":
            number = number if number is not None else _as_decimal(value)
            if number is not None:
                return format_quantity(number, language)
        elif kind == "percent":
            number = number if number is not None else _as_decimal(str(value).rstrip("%"))
            if number is not None:
                return format_percent(number)
        elif kind == "status" and isinstance(value, str):
            labels = self._catalog.status_labels.get(value.strip().lower().replace(" ", "_"))
            if labels:
                return labels.get(language, labels.get("en", value))
            return value.replace("_", " ")
        if number is not None:
            return format_number(number)
        text = str(value)
        if self._products is not None and name in PRODUCT_ATTRIBUTES:
            return self._product_value(name, text, language)
        return text

    def _product_value(self, name: str, text: str, language: str) -> str:
        assert self._products is not None
        if name != "features":
            return self._products.localize(name, text, language)
        parts = [self._products.localize("features", p, language) for p in _FEATURE_SPLIT.split(text) if p]
        if language == "zh":
            return "、".join(parts)
        if len(parts) > 1:
            return ", ".join(parts[:-1]) + " and " + parts[-1]
        return "".join(parts)

    def fill(self, delexicalized: str, facts: Mapping[str, object], language: str) -> str:
        """Replace each [fact] with its formatted value; an unknown placeholder is left as is."""

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in facts or facts[name] is None:
                log.warning("placeholder [%s] has no fact", name)
                return match.group(0)
            return self.format_value(name, facts[name], language)

        return PLACEHOLDER_RE.sub(sub, delexicalized)
