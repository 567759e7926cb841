"""Server-side charts: round ticks from zero, the unit and currency on the axis, values in words."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tenure.core.charts import axis_amount, line_over_time, monthly_bars, nice_ticks
from tenure.core.figures import percent, score


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 83_000, [0, 25_000, 50_000, 75_000, 100_000]),
        (0, 100, [0, 25, 50, 75, 100]),
        (-100, 100, [-100, -50, 0, 50, 100]),
        (0, 1, [0, 0.25, 0.5, 0.75, 1]),
        (0, 7, [0, 2, 4, 6, 8]),
    ],
)
def test_ticks_are_round_and_cover_the_range(low, high, ticks):
    assert nice_ticks(low, high) == pytest.approx(ticks)


def test_axis_amounts_are_short_and_exact_for_round_ticks():
    assert [axis_amount(v) for v in (0, 2_500, 250_000, 1_250_000, 7.5e9)] == [
        "0",
        "2.5k",
        "250k",
        "1.25M",
        "7.5bn",
    ]


def _tick_labels(svg: str) -> list[str]:
    return re.findall(
        r'x="\d+" y="\d+\.\d" text-anchor="end" font-size="11" fill="#5b6475">([^<]*)<', svg
    )


def test_revenue_bars_start_at_zero_and_name_the_unit_and_currency():
    svg = str(
        monthly_bars(
            dt.date(2025, 11, 1), [40_000.0, 83_000.0, 0.0], title="Revenue", currency="EUR"
        )
    )
    assert _tick_labels(svg) == ["0", "25k", "50k", "75k", "100k"]
    assert ">EUR per month<" in svg
    assert "<title>Dec 2025: 83,000 EUR</title>" in svg
    assert ">2026<" in svg  # the year boundary


def test_a_line_over_time_has_a_fixed_scale_and_each_point_in_words():
    points = [(dt.date(2026, 5, 31), 60.0), (dt.date(2026, 6, 30), 68.4)]
    svg = str(
        line_over_time(
            points, title="Health", unit="health score, 0–100", low=0, high=100, label=score
        )
    )
    assert _tick_labels(svg) == ["0", "25", "50", "75", "100"]
    assert "<title>30 Jun 2026: 68</title>" in svg
    assert "<polyline" in svg
    risk = str(
        line_over_time(points[:1], title="Risk", unit="churn risk, %", low=0, high=1, label=percent)
    )
    assert _tick_labels(risk) == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    assert "<polyline" not in risk  # one point is a dot, not a line
