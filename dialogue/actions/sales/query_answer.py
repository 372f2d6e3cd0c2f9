"""A sales query's result as a rep reads it: one sentence that answers, a ranked table where there is a
dimension, a chart where there is a comparison (dialogue/actions/sales/ask.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from dialogue.actions.base import Reply
from dialogue.actions.sales.ask_words import (
    change_text,
    compared_text,
    dimension_name,
    metric_name,
    period_text,
    rows_text,
    value_text,
    zh,
)
from dialogue.analytics.charts import render
from dialogue.analytics.query_chart import query_chart
from dialogue.queries import QueryResult, QueryRow
from dialogue.understanding import capitalised
from nlu.sales_query import SalesQuestion

INTENT = "sales_query"


def _scope(question: SalesQuestion, language: str, names: Mapping[str, str]) -> str:
    """ "for Electronics and Globex Industries" / "电子产品、Globex Industries"; "" without filters."""
    if not question.filters:
        return ""
    named = [names.get(f.key, f.name) for f in question.filters]
    if zh(language):
        return "、".join(named)
    return "for " + " and ".join(named)


def _notes(question: SalesQuestion, language: str, today: date) -> str:
    """The defaults the answer chose, said: the period, the figure."""
    notes = []
    if question.span.default:
        name = period_text(question.span.span, language, today)
        notes.append(f"问题未指明期间，按{name}统计" if zh(language) else f"no period given, so {name}")
    if not question.metric_given:
        metric = metric_name(question.metric, language)
        notes.append(f"按{metric}排序" if zh(language) else f"ranked by {metric}, as no figure was named")
    if not notes:
        return ""
    return "（" + "；".join(notes) + "。）" if zh(language) else "(" + capitalised("; ".join(notes)) + ".)"


def _name(row: QueryRow, question: SalesQuestion, names: Mapping[str, str]) -> str:
    return names.get(row.key, row.name) or row.name or row.key


def _table(
    result: QueryResult, question: SalesQuestion, language: str, names: Mapping[str, str]
) -> tuple[tuple[str, ...], ...]:
    query = result.query
    dimension = query.dimension
    if dimension is None or not result.rows:
        return ()
    metric = metric_name(query.metric, language)
    head = [
        dimension_name(dimension, language).capitalize()
        if not zh(language)
        else dimension_name(dimension, language),
        metric.capitalize(),
    ]
    compared = query.compare_to is not None
    if compared:
        head += ["对比期", "变化"] if zh(language) else ["Before", "Change"]
    several = len({r.currency for r in result.rows}) > 1
    rows: list[tuple[str, ...]] = []
    for row in result.rows:
        name = _name(row, question, names) + (f" ({row.currency})" if several and row.currency else "")
        cells = [name, value_text(query.metric, row.value, row.currency, language)]
        if compared:
            previous = (
                "—"
                if row.previous is None
                else value_text(query.metric, row.previous, row.currency, language)
            )
            cells += [previous, change_text(query.metric, row, language) or "—"]
        rows.append(tuple(cells))
    return (tuple(head), *rows)


async def answer_result(
    result: QueryResult, question: SalesQuestion, language: str, today: date, *, names: Mapping[str, str]
) -> Reply:
    query = result.query
    span = question.span.span
    facts: dict[str, object] = {
        "metric": metric_name(query.metric, language),
        "period": period_text(span, language, today),
    }
    if scope := _scope(question, language, names):
        facts["scope"] = scope
    if note := _notes(question, language, today):
        facts["note"] = note
    if query.compare_to is not None:
        facts["compared"] = compared_text(
            query.comparison, query.compare_to.start, query.compare_to.end, language, today
        )
    table = _table(result, question, language, names)
    chart = None
    if query.compare_to is not None and (result.rows or result.totals):
        chart = await render(query_chart, result, language, dict(names))
    if query.dimension is not None:
        if not result.rows:
            facts.pop("compared", None)
            facts["dimension"] = dimension_name(query.dimension, language, plural=True)
            return Reply("sales_query_no_rows", facts, action=INTENT)
        first = result.rows[0]
        facts["dimension"] = dimension_name(query.dimension, language)
        facts["leader"] = _name(first, question, names)
        facts["value"] = value_text(query.metric, first.value, first.currency, language)
        if change := change_text(query.metric, first, language):
            facts["change"] = change
        if query.order_by == "change":
            outcome = "sales_query_fell" if query.rank == "bottom" else "sales_query_rose"
        else:
            outcome = "sales_query_bottom" if query.rank == "bottom" else "sales_query_top"
        return Reply(outcome, facts, table=table, image=chart, action=INTENT)
    facts["value"] = rows_text(query.metric, result.totals, language)
    changes = [c for r in result.totals if (c := change_text(query.metric, r, language))]
    if changes:
        facts["change"] = " + ".join(changes)
        facts["previous"] = " + ".join(
            value_text(query.metric, r.previous, r.currency, language)
            for r in result.totals
            if r.previous is not None
        )
    return Reply("sales_query_total", facts, image=chart, action=INTENT)
