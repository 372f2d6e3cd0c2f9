"""Charts as PNG bytes (matplotlib, Agg, no pyplot state): blocking, so call `render` from an action.

Labels are English and codes: the machines have no CJK font, and a missing glyph would draw boxes. A
reply's text says everything the chart shows, so a chart is never the only place of a figure.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import numpy as np

from dialogue.analytics.trends import TrendReport

DPI = 110
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Chart:
    """A generated image to send with a reply: Telegram photo, Slack file in the thread, inline on the web."""

    png: bytes
    file_name: str
    title: str  # also the image's alt text

    @property
    def mime_type(self) -> str:
        return "image/png"


async def render(draw: Callable[..., T], *args: object) -> T:
    """Run a chart function in the default executor, never on the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, draw, *args)


def _png(figure: object) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    canvas.print_png(buffer)  # type: ignore[no-untyped-call]
    return buffer.getvalue()


def _ascii(label: str, fallback: str) -> str:
    return label if label.isascii() else fallback


def trend_chart(report: TrendReport) -> Chart:
    """Revenue per row, the period before beside this one."""
    from matplotlib.figure import Figure

    rows = list(report.rows)
    labels = [_ascii(m.name, m.key) if report.by == "category" else m.key for m in rows]
    x = np.arange(len(rows))
    figure = Figure(figsize=(7.5, 4.2), dpi=DPI)
    ax = figure.add_subplot()
    width = 0.38
    ax.bar(
        x - width / 2,
        [float(m.previous_revenue) for m in rows],
        width,
        label="previous period",
        color="#9db4c0",
    )
    ax.bar(x + width / 2, [float(m.revenue) for m in rows], width, label="this period", color="#2a6f97")
    for i, m in enumerate(rows):
        change = m.revenue_change
        if change is not None:
            ax.annotate(
                f"{100 * change:+.0f}%",
                (x[i] + width / 2, float(m.revenue)),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(x, labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("revenue (USD)")
    scope = _ascii(report.scope, "selected products")
    last = report.end - timedelta(days=1)
    title = f"Sales of {scope}: {report.start.isoformat()} to {last.isoformat()} vs the period before"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return Chart(_png(figure), "market-trends.png", title)


def forecast_chart(
    sku: str,
    weeks: Sequence[date],
    history: Sequence[int],
    future: Sequence[date],
    mean: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
) -> Chart:
    """Weekly units: the history, the forecast and its interval."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.0), dpi=DPI)
    ax = figure.add_subplot()
    past = np.array(weeks, dtype="datetime64[D]")
    ahead = np.array(future, dtype="datetime64[D]")
    ax.plot(past, list(history), color="#2a6f97", label="ordered (weekly)")
    ax.plot(ahead, list(mean), color="#d1495b", linestyle="--", marker="o", markersize=3, label="forecast")
    ax.fill_between(ahead, list(low), list(high), color="#d1495b", alpha=0.2, label="80% interval")
    ax.set_ylabel("units per week")
    title = f"Weekly demand for {sku}: history and forecast"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    return Chart(_png(figure), f"forecast-{sku}.png", title)
