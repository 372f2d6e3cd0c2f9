"""Amounts per currency: sums that never add one currency to another.

A total over orders, invoices or order lines is an `Amounts`: one figure per currency, the biggest first
(the "main" currency). It is shown as "USD 1,200.00 + EUR 300.00" (or, as a reply fact, in the reply's
money form: dialogue.actions.common.amounts_fact), and is never converted.

Ranking by mixed amounts (top suppliers, categories): `rank_key` orders by the amount in the overall main
currency, then by the next currency, and so on; the other currencies are shown beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Amounts:
    """(currency, amount) pairs, one per currency, biggest amount first (then by currency code)."""

    items: tuple[tuple[str, Decimal], ...] = ()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Decimal | int | float | str]]) -> Amounts:
        """The sum per currency of (currency, amount) pairs."""
        sums: dict[str, Decimal] = {}
        for currency, amount in pairs:
            code = str(currency).upper()
            sums[code] = sums.get(code, _ZERO) + Decimal(str(amount))
        return cls(tuple(sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))))

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts.of([*self.items, *other.items])

    def __bool__(self) -> bool:
        return any(amount for _c, amount in self.items)

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(currency for currency, _a in self.items)

    @property
    def main(self) -> str | None:
        """The currency with the biggest amount; None when there is none."""
        return self.items[0][0] if self.items else None

    def get(self, currency: str) -> Decimal:
        return next((amount for c, amount in self.items if c == currency.upper()), _ZERO)

    def in_order(self, currencies: Sequence[str]) -> Amounts:
        """The same amounts listed in the order of `currencies` (others after, biggest first)."""
        rank = {c: i for i, c in enumerate(currencies)}
        return Amounts(tuple(sorted(self.items, key=lambda kv: rank.get(kv[0], len(rank)))))

    def text(self) -> str:
        """ "USD 1,200.00 + EUR 300.00" (inside tables and pre-formatted blocks); "-" when empty."""
        return " + ".join(f"{c} {a:,.2f}" for c, a in self.items) or "-"


def rank_key(amounts: Amounts, order: Sequence[str]) -> tuple[Decimal, ...]:
    """A sort key: biggest in order[0] (the overall main currency) first, then in order[1], ..."""
    return tuple(-amounts.get(currency) for currency in order)


def ranked(
    entries: Iterable[tuple[str, Amounts]], overall: Amounts, limit: int
) -> tuple[tuple[str, Amounts], ...]:
    """The `limit` biggest entries by `rank_key` against the overall currencies, ties by name; each
    entry's currencies listed in the overall order (the main currency first)."""
    order = overall.currencies
    top = sorted(entries, key=lambda e: (rank_key(e[1], order), e[0]))[:limit]
    return tuple((name, amounts.in_order(order)) for name, amounts in top)
