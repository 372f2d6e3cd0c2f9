"""Charts are PNG bytes, drawn off the event loop."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from dialogue.analytics import charts
from tests.dialogue.analytics.test_trends import report


async def test_trend_chart_is_a_png_drawn_in_a_worker_thread() -> None:
    seen: list[str] = []

    def draw(r: object) -> charts.Chart:
        seen.append(threading.current_thread().name)
        return charts.trend_chart(r)  # type: ignore[arg-type]

    chart = await charts.render(draw, report())
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n") and chart.mime_type == "image/png"
    assert seen and seen[0] != threading.main_thread().name


def test_forecast_chart() -> None:
    weeks = [date(2026, 1, 5) + timedelta(weeks=k) for k in range(10)]
    future = [weeks[-1] + timedelta(weeks=k) for k in (1, 2)]
    chart = charts.forecast_chart(
        "AB-1020", weeks, list(range(10)), future, [9.0, 9.5], [7.0, 7.0], [11.0, 12.0]
    )
    assert chart.png.startswith(b"\x89PNG") and chart.file_name == "forecast-AB-1020.png"
    assert "AB-1020" in chart.title


def test_a_chinese_chart_has_chinese_words_and_every_glyph() -> None:
    """Chinese text is set in the shipped CJK font: matplotlib warns of no missing glyph (no boxes)."""
    import warnings

    weeks = [date(2026, 1, 5) + timedelta(weeks=k) for k in range(10)]
    future = [weeks[-1] + timedelta(weeks=k) for k in (1, 2)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = charts.forecast_chart(
            "AB-1020", weeks, list(range(10)), future, [9.0, 9.5], [7.0, 7.0], [11.0, 12.0], "zh"
        )
    assert charts.has_cjk_font()
    assert chart.title == "AB-1020 每周需求：历史与预测"
    assert not [w for w in caught if "missing from font" in str(w.message)]
    english = charts.forecast_chart(
        "AB-1020", weeks, list(range(10)), future, [9.0, 9.5], [7.0, 7.0], [11.0, 12.0]
    )
    assert english.title == "Weekly demand for AB-1020: history and forecast"


def test_without_the_cjk_font_the_labels_stay_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "font_families", lambda: (charts.LATIN_FAMILY,))
    assert charts.chart_language("zh") == "en"
