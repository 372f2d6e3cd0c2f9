"""Charts as PNG bytes (matplotlib, Agg, no pyplot state): blocking, so call `render` from an action.

Titles, axis labels and legends are in the reply's language. Text is set in Noto Sans CJK (SIL Open
Font License 1.1, shipped by the `manimgx-fonts-cjk` package), registered with matplotlib's font
manager on first use, then DejaVu Sans (matplotlib's own) for any glyph it lacks. Without the package
the charts fall back to DejaVu Sans, whose missing CJK glyphs would draw as boxes: then the labels are
the English ones. A reply's text says everything the chart shows, so a chart is never the only place
of a figure. The font is passed to every text element, never set in the global rcParams, so charts
drawn in parallel threads do not disturb each other.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np

from dialogue.analytics.render_pool import InThreadOffload, Offload
from dialogue.analytics.trends import TrendReport

log = logging.getLogger(__name__)

DPI = 110
# Fixed margins, not tight_layout(): that lays every text out once more to measure it, a third of a
# chart's time (issue 28); these fit the rotated labels and the title of both charts at this size.
TREND_MARGINS = {"left": 0.1, "right": 0.98, "top": 0.9, "bottom": 0.22}
FORECAST_MARGINS = {"left": 0.09, "right": 0.98, "top": 0.91, "bottom": 0.17}
T = TypeVar("T")
CJK_FONT_PACKAGE = "manimgx_fonts_cjk"
CJK_FONT_FILE = "NotoSansCJK-VF.otf.ttc"
CJK_FAMILY = "Noto Sans CJK SC"  # the Simplified Chinese face of the collection
LATIN_FAMILY = "DejaVu Sans"  # bundled with matplotlib: the last resort for any glyph
_REGISTERING = threading.Lock()


def font_families() -> tuple[str, ...]:
    """The families chart text is set in, best first (see `_register_fonts`)."""
    with _REGISTERING:
        return _register_fonts()


@cache
def _register_fonts() -> tuple[str, ...]:
    """The families chart text is set in, best first: Noto Sans CJK SC (when installed), DejaVu Sans.

    Registers the collection's faces with matplotlib's font manager once per process. The variable
    font declares its lightest weight as its own; each face is registered as the normal weight, which
    is what a chart asks for, so the lookup needs no fallback (and logs no warning).
    """
    from matplotlib import font_manager

    try:
        path = resources.files(CJK_FONT_PACKAGE).joinpath(CJK_FONT_FILE)
        with resources.as_file(path) as file:
            known = {entry.fname for entry in font_manager.fontManager.ttflist}
            if str(file) not in known:
                font_manager.fontManager.addfont(str(file))
            entries = font_manager.fontManager.ttflist
            for i, entry in enumerate(entries):
                if entry.fname == str(file):
                    entries[i] = dataclasses.replace(entry, weight=400)
    except (ModuleNotFoundError, FileNotFoundError, OSError, RuntimeError):
        log.warning("no CJK font (package %s): chart labels stay in English", CJK_FONT_PACKAGE)
        return (LATIN_FAMILY,)
    return (CJK_FAMILY, LATIN_FAMILY)


def has_cjk_font() -> bool:
    return font_families()[0] == CJK_FAMILY


def chart_language(language: str) -> str:
    """The language chart text can be set in: Chinese only with a CJK font."""
    return "zh" if language == "zh" and has_cjk_font() else "en"


def _font(size: float) -> dict[str, Any]:
    """Font keywords for a text element (title, label, ticks, annotation)."""
    return {"fontfamily": list(font_families()), "fontsize": size}


def _legend_font(size: float) -> dict[str, Any]:
    return {"family": list(font_families()), "size": size}


@dataclass(frozen=True, slots=True)
class Chart:
    """A generated image to send with a reply: Telegram photo, Slack file in the thread, inline on the web."""

    png: bytes
    file_name: str
    title: str  # also the image's alt text

    @property
    def mime_type(self) -> str:
        return "image/png"


_offload: Offload = InThreadOffload()


def use_offload(offload: Offload) -> Offload:
    """Draw charts (and run `offload`ed fits) with `offload` from now on; returns the previous one.

    The composition root installs a `ProcessOffload` (bot.ml); the default draws in a thread."""
    global _offload
    previous, _offload = _offload, offload
    return previous


def offload() -> Offload:
    return _offload


async def render(draw: Callable[..., T], *args: object) -> T:
    """Run a chart function off the event loop (in the rendering process, where one is installed),
    once per distinct input: the same figures give the same picture."""
    return await _offload.run(draw, *args)


def warm_worker() -> None:
    """In a rendering process, at its start: matplotlib, the fonts, and one small chart drawn."""
    from matplotlib.figure import Figure

    font_families()
    figure = Figure(figsize=(2, 1), dpi=DPI)
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title("warm 预热", **_font(8))
    _png(figure)


def _png(figure: object) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    canvas.print_png(buffer)  # type: ignore[no-untyped-call]
    return buffer.getvalue()


def _label(text: str, fallback: str) -> str:
    """The text when the chart's font can draw it, else the fallback (a code)."""
    return text if text.isascii() or has_cjk_font() else fallback


def _span(start: date, end: date) -> str:
    """Days start..end (exclusive) as "2026-12-01 – 2026-12-05", or one day."""
    last = end - timedelta(days=1)
    return start.isoformat() if start >= last else f"{start.isoformat()} – {last.isoformat()}"


_ZH_CURRENCIES = {"USD": "美元", "EUR": "欧元", "CNY": "人民币", "GBP": "英镑", "JPY": "日元", "HKD": "港元"}


def _currency_name(code: str, zh: bool) -> str:
    return _ZH_CURRENCIES.get(code, code) if zh else code


_TREND_WORDS = {
    "en": {
        "before": "the period before",
        "now": "this period",
        "revenue": "revenue ({currency})",
        "only": " (in {currency} only)",
        "title": "Sales of {scope}: {now} vs {before}",
    },
    "zh": {
        "before": "对比期",
        "now": "本期",
        "revenue": "收入（{currency}）",
        "only": "（仅{currency}）",
        "title": "{scope}销售额：{now}，对比 {before}",
    },
}


def trend_chart(report: TrendReport, language: str = "en", names: Mapping[str, str] | None = None) -> Chart:
    """Revenue per row, the span before beside this one; words in `language` (en or zh), and `names` for
    the rows and the scope where given (a category's Chinese name). One currency: the report's main one,
    and the title says so when other currencies were sold too."""
    from matplotlib.figure import Figure

    zh = chart_language(language) == "zh"
    words = _TREND_WORDS["zh" if zh else "en"]
    local = names if names is not None and zh else {}
    rows = list(report.rows)
    labels = [_label(local.get(m.name, m.name), m.key) if report.by == "category" else m.key for m in rows]
    x = np.arange(len(rows))
    figure = Figure(figsize=(7.5, 4.2), dpi=DPI)
    ax = figure.add_subplot()
    width = 0.38
    ax.bar(
        x - width / 2,
        [float(m.previous_revenue) for m in rows],
        width,
        label=words["before"],
        color="#9db4c0",
    )
    ax.bar(x + width / 2, [float(m.revenue) for m in rows], width, label=words["now"], color="#2a6f97")
    for i, m in enumerate(rows):
        change = m.shown_revenue_change
        if change is not None:
            ax.annotate(
                f"{100 * change:+.0f}%",
                (x[i] + width / 2, float(m.revenue)),
                ha="center",
                va="bottom",
                **_font(8),
            )
    ax.set_xticks(x, labels, rotation=20, ha="right", **_font(8))
    currency = _currency_name(report.currency, zh)
    ax.set_ylabel(words["revenue"].format(currency=currency), **_font(10))
    scope = _label(local.get(report.scope, report.scope), "selected products")
    title = words["title"].format(
        scope=scope,
        now=_span(report.start, report.end),
        before=_span(report.previous_start, report.previous_end),
    )
    if report.others:
        title += words["only"].format(currency=currency)
    ax.set_title(title, **_font(10))
    ax.legend(prop=_legend_font(8))
    ax.grid(axis="y", alpha=0.3)
    figure.subplots_adjust(**TREND_MARGINS)
    return Chart(_png(figure), "market-trends.png", title)


_FORECAST_WORDS = {
    "en": {
        "history": "ordered (weekly)",
        "forecast": "forecast",
        "interval": "80% interval",
        "units": "units per week",
        "title": "Weekly demand for {sku}: history and forecast",
    },
    "zh": {
        "history": "每周订购量",
        "forecast": "预测",
        "interval": "80% 区间",
        "units": "每周件数",
        "title": "{sku} 每周需求：历史与预测",
    },
}


def forecast_chart(
    sku: str,
    weeks: Sequence[date],
    history: Sequence[int],
    future: Sequence[date],
    mean: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    language: str = "en",
) -> Chart:
    """Weekly units: the history, the forecast and its interval; words in `language` (en or zh)."""
    from matplotlib.figure import Figure

    words = _FORECAST_WORDS[chart_language(language)]

    figure = Figure(figsize=(7.5, 4.0), dpi=DPI)
    ax = figure.add_subplot()
    past = np.array(weeks, dtype="datetime64[D]")
    ahead = np.array(future, dtype="datetime64[D]")
    ax.plot(past, list(history), color="#2a6f97", label=words["history"])
    ax.plot(
        ahead, list(mean), color="#d1495b", linestyle="--", marker="o", markersize=3, label=words["forecast"]
    )
    ax.fill_between(ahead, list(low), list(high), color="#d1495b", alpha=0.2, label=words["interval"])
    ax.set_ylabel(words["units"], **_font(10))
    title = words["title"].format(sku=sku)
    ax.set_title(title, **_font(10))
    ax.legend(prop=_legend_font(8), loc="upper left")
    ax.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.subplots_adjust(**FORECAST_MARGINS)
    return Chart(_png(figure), f"forecast-{sku}.png", title)
