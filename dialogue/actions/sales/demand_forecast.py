"""demand_forecast: a SKU's expected units for the next weeks, when its stock runs out, what to reorder.

"how many AB-1020 will we need next month", "AB-1020下个月要备多少货". The forecast comes from the SKU's
weekly order history (dialogue.analytics.forecast). A linked supplier sees only their own SKUs, with the
answer for another supplier's SKU the same as for a missing one; sales see every SKU.
Form "demand_forecast": after "which SKU?", the next message that names a SKU.
"""

from __future__ import annotations

import asyncio
import math
from datetime import date, timedelta

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import close_form_if, open_form
from dialogue.analytics.charts import forecast_chart, render
from dialogue.analytics.forecast import MIN_WEEKS, Forecast, StockOutlook, forecast, stock_outlook
from dialogue.backend import DemandHistory
from nlu.periods import horizon_weeks

FORECAST_FORM = "demand_forecast"
HISTORY_WEEKS = 156
CHART_WEEKS = 52
METHOD_NAMES = {
    "damped_ets": ("exponential smoothing with a damped trend", "带阻尼趋势的指数平滑"),
    "seasonal_ets": ("Holt-Winters exponential smoothing", "霍尔特-温特斯指数平滑"),
    "moving_average": ("the mean of the last four weeks", "最近四周的均值"),
    "naive": ("last week's units", "上周销量"),
    "seasonal_naive": ("the same weeks last year", "去年同期"),
}


def _trim(history: DemandHistory) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """The weeks from the first week with an order on (a SKU listed later has no earlier demand)."""
    first = next((i for i, units in enumerate(history.units) if units), len(history.units))
    return history.week_starts[first:], history.units[first:]


def make_demand_forecast(*, lead_time_days: int = 14) -> tuple[Action, Action]:
    """The intent's action and its form (the answer to "which SKU?")."""

    async def run(ctx: TurnContext, *, in_form: bool) -> list[Reply]:
        entity = ctx.nlu.entity("sku")
        if entity is None:
            if in_form:
                return []
            open_form(ctx, FORECAST_FORM)
            return [Reply("forecast_ask_sku", action="demand_forecast")]
        close_form_if(ctx, FORECAST_FORM)
        if not ctx.supplier_id and not ctx.sales_allowed:
            return [Reply("link_required", action="demand_forecast")]
        sku = str(entity.value)
        today = ctx.now.date()
        history = await ctx.services.backend.weekly_demand(
            sku, end=today, weeks=HISTORY_WEEKS, supplier_id=ctx.supplier_id
        )
        if history is None:
            return [Reply("product_not_found", {"sku": sku}, action="demand_forecast")]
        weeks, units = _trim(history)
        if sum(1 for u in units if u) < MIN_WEEKS:
            return [Reply("forecast_no_history", {"sku": sku}, action="demand_forecast")]
        horizon = horizon_weeks(ctx.message.text)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, forecast, units, horizon)
        outlook = stock_outlook(history.stock or 0, result, lead_time_days=lead_time_days)
        this_week = today - timedelta(days=today.weekday())
        future = tuple(this_week + timedelta(weeks=k) for k in range(horizon))
        zh = ctx.language == "zh"
        facts = {
            "sku": history.product.sku,
            "product_name": history.product.name,
            "forecast": forecast_block(result, future, units, ctx.language),
            "stock_outlook": outlook_block(
                history.stock, outlook, today, lead_time_days, horizon, ctx.language
            ),
            "method": METHOD_NAMES[result.method][1 if zh else 0],
        }
        chart = await render(
            forecast_chart,
            history.product.sku,
            weeks[-CHART_WEEKS:],
            units[-CHART_WEEKS:],
            future,
            result.mean,
            result.low,
            result.high,
            ctx.language,
        )
        table = forecast_table(result, future, ctx.language)
        return [Reply("demand_forecast", facts, table=table, image=chart, action="demand_forecast")]

    async def demand_forecast(ctx: TurnContext) -> list[Reply]:
        return await run(ctx, in_form=False)

    async def demand_forecast_form(ctx: TurnContext) -> list[Reply]:
        return await run(ctx, in_form=True)

    return demand_forecast, demand_forecast_form


def _units(value: float) -> str:
    return f"{round(value):,}"


def forecast_block(
    result: Forecast, future: tuple[date, ...], history: tuple[int, ...], language: str
) -> str:
    """The horizon's total with its interval, the weekly rate, and the recent actual units (the weeks
    one by one are the reply's table)."""
    weeks = len(future)
    first = future[0].isoformat()
    recent = sum(history[-weeks:])
    level = f"{round(100 * result.level)}%"
    rate = result.total / weeks
    if language == "zh":
        return (
            f"• 未来 {weeks} 周（自 {first} 起）：预计约 {_units(result.total)} 件"
            f"（{level} 区间 {_units(result.total_low)}–{_units(result.total_high)} 件），"
            f"每周约 {_units(rate)} 件\n"
            f"• 过去 {weeks} 周实际订购：{recent:,} 件"
        )
    return (
        f"• Next {weeks} week{'s' if weeks != 1 else ''} (from {first}): about {_units(result.total)} units "
        f"({level} interval {_units(result.total_low)}–{_units(result.total_high)}), {_units(rate)} a week\n"
        f"• Ordered in the last {weeks} week{'s' if weeks != 1 else ''}: {recent:,} units"
    )


def forecast_table(result: Forecast, future: tuple[date, ...], language: str) -> tuple[tuple[str, ...], ...]:
    """Week by week: the week's Monday, the expected units and their interval."""
    level = f"{round(100 * result.level)}%"
    header = (
        ("周（起始日）", "预计件数", f"{level} 区间")
        if language == "zh"
        else ("Week of", "Units", f"{level} interval")
    )
    rows = (
        (week.isoformat(), _units(mean), f"{_units(low)}–{_units(high)}")
        for week, mean, low, high in zip(future, result.mean, result.low, result.high, strict=True)
    )
    return (header, *rows)


def outlook_block(
    stock: int | None, outlook: StockOutlook, today: date, lead_time_days: int, horizon: int, language: str
) -> str:
    """Stock on hand, the day it runs out at the forecast rate, and the reorder quantity."""
    zh = language == "zh"
    if stock is None:
        stock_line = "• 没有库存记录，按零库存计算" if zh else "• No stock level on record; counted as zero"
    elif stock <= 0:
        stock_line = "• 当前无库存" if zh else "• Out of stock now"
    elif outlook.days_of_stock is None:
        stock_line = (
            f"• 现有库存 {stock:,} 件；预测期内没有需求"
            if zh
            else f"• Stock on hand: {stock:,} units; no demand is expected"
        )
    else:
        days = math.floor(outlook.days_of_stock)
        runs_out = (today + timedelta(days=days)).isoformat()
        if zh:
            when = "不到一天内" if days < 1 else f"约 {days} 天后（{runs_out} 前后）"
            stock_line = f"• 现有库存 {stock:,} 件；按预测速度{when}售罄"
        else:
            when = (
                "within a day"
                if days < 1
                else f"in about {days} day{'' if days == 1 else 's'} (around {runs_out})"
            )
            stock_line = f"• Stock on hand: {stock:,} units; at the forecast rate it runs out {when}"
    if zh:
        advice = (
            f"• 补货建议：现在订购 {outlook.reorder_quantity:,} 件"
            f"（覆盖 {lead_time_days} 天交货期、未来 {horizon} 周需求和安全库存）"
        )
    else:
        advice = (
            f"• Reorder advice: order {outlook.reorder_quantity:,} units now (covers the "
            f"{lead_time_days}-day lead time, the next {horizon} weeks and a safety stock)"
        )
    return f"{stock_line}\n{advice}"
