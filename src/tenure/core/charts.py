"""Small server-side SVG charts: no JavaScript, no CDN, readable without colour."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from tenure.core.dates import day_label
from tenure.core.figures import money


def axis_amount(value: float) -> str:
    """A round tick value of an amount axis, short: ``250000`` → ``"250k"``, ``1.5e6`` →
    ``"1.5M"``; the axis names the unit and currency once ("EUR per month")."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def nice_ticks(low: float, high: float, *, count: int = 4) -> list[float]:
    """Round tick values from ``low`` to at least ``high``: steps of 1, 2, 2.5 or 5 × 10ⁿ.

    ``nice_ticks(0, 83_000)`` → ``[0, 25000, 50000, 75000, 100000]``: an axis people read at
    a glance, starting at ``low`` (a chart of amounts starts at zero) and covering the peak.
    """
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low, low + 1.0]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(ticks[-1] + step)
    return ticks


def _svg_open(title: str, width: int, height: int) -> str:
    return (
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def _grid(
    ticks: Sequence[float],
    *,
    left: int,
    right: float,
    y_of: Callable[[float], float],
    label: Callable[[float], str],
) -> list[str]:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        stroke = "#9aa3b2" if tick == 0 else "#e4e7ee"
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{stroke}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6475">{escape(label(tick))}</text>'
        )
    return parts


def _unit(text: str, *, left: int, top: int) -> str:
    return f'<text x="{left}" y="{top - 6}" font-size="11" fill="#1d2330">{escape(text)}</text>'


def monthly_bars(
    first_month: dt.date,
    values: Sequence[float],
    *,
    title: str,
    currency: str = "",
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Bars of monthly revenue from a zero baseline, with year boundaries, round tick values
    and the unit on the axis ("EUR per month"); each bar's label carries ``currency``, the
    reporting currency of the figures."""
    left, bottom, top = 64, 24, 24
    plot_w, plot_h = width - left - 8, height - bottom - top
    ticks = nice_ticks(0.0, max([*values, 0.0]) or 1.0)
    peak = ticks[-1]
    step = plot_w / max(len(values), 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / peak)

    parts = [
        _svg_open(title, width, height),
        _unit(f"{currency} per month" if currency else "per month", left=left, top=top),
        *_grid(ticks, left=left, right=width - 8, y_of=y_of, label=axis_amount),
    ]
    year, month = first_month.year, first_month.month
    for index, value in enumerate(values):
        x = left + index * step
        bar_h = max(value, 0.0) / peak * plot_h
        label = f"{dt.date(year, month, 1):%b %Y}: {money(value, currency)}"
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="#1f5fbf"><title>{escape(label)}</title></rect>'
        )
        if month == 1 or index == 0:
            parts.append(
                f'<text x="{x + 1:.1f}" y="{height - 8}" font-size="11" '
                f'fill="#5b6475">{year}</text>'
            )
        month += 1
        if month > 12:
            year, month = year + 1, 1
    parts.append("</svg>")
    return mark_safe("".join(parts))  # built from numbers and escaped text only


def line_over_time(
    points: Sequence[tuple[dt.date, float]],
    *,
    title: str,
    unit: str,
    low: float,
    high: float,
    label: Callable[[float], str],
    width: int = 640,
    height: int = 180,
) -> SafeString:
    """A figure over time on a fixed scale (health 0–100, risk 0–100 %, NPS −100 to 100):
    a line through dated points, each with its value in words (``label``) for hover and
    screen readers, and the first and last dates under the axis.

    The scale is fixed rather than fitted so a move of two points does not look like a fall.
    """
    left, bottom, top, right = 64, 24, 24, 12
    plot_w, plot_h = width - left - right, height - bottom - top
    ticks = nice_ticks(low, high, count=4)
    span = (ticks[-1] - ticks[0]) or 1.0
    days = [(day - points[0][0]).days for day, _ in points] if points else []
    last = max(days[-1], 1) if days else 1

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - ticks[0]) / span)

    def x_of(offset: int) -> float:
        return left + (plot_w * offset / last if len(points) > 1 else plot_w / 2)

    parts = [
        _svg_open(title, width, height),
        _unit(unit, left=left, top=top),
        *_grid(ticks, left=left, right=width - right, y_of=y_of, label=label),
    ]
    coords = [(x_of(offset), y_of(value)) for offset, (_, value) in zip(days, points, strict=True)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
    for (x, y), (day, value) in zip(coords, points, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1f5fbf">'
            f"<title>{escape(f'{day_label(day)}: {label(value)}')}</title></circle>"
        )
    if points:
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="11" fill="#5b6475">'
            f"{escape(day_label(points[0][0]))}</text>"
        )
        if len(points) > 1:
            parts.append(
                f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="11" '
                f'fill="#5b6475">{escape(day_label(points[-1][0]))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # built from numbers and escaped text only


def pareto_curve(
    points: Sequence[tuple[float, float]], *, title: str, width: int = 420, height: int = 300
) -> SafeString:
    """The cumulative revenue share against the cumulative share of accounts."""
    left, bottom, top, right = 44, 34, 10, 10
    plot_w, plot_h = width - left - right, height - bottom - top

    def xy(px: float, py: float) -> str:
        return f"{left + px * plot_w:.1f},{top + (1 - py) * plot_h:.1f}"

    path = " ".join(xy(px, py) for px, py in [(0.0, 0.0), *points])
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
    ]
    for tick in (0.2, 0.4, 0.6, 0.8, 1.0):
        x, y = left + tick * plot_w, top + (1 - tick) * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e4e7ee"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6475">{tick:.0%}</text>'
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" font-size="11" '
            f'fill="#5b6475">{tick:.0%}</text>'
        )
    parts += [
        f'<polyline points="{xy(0, 0)} {xy(1, 1)}" fill="none" stroke="#9aa3b2" '
        'stroke-dasharray="4 3"/>',
        f'<polyline points="{path}" fill="none" stroke="#1f5fbf" stroke-width="2.5"/>',
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" font-size="11" '
        'fill="#1d2330">share of accounts, largest first</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # built from numbers and escaped text only
