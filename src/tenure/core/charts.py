"""Small server-side SVG charts: no JavaScript, no CDN, readable without colour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from tenure.core.figures import money


def _compact(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def monthly_bars(
    first_month: dt.date,
    values: Sequence[float],
    *,
    title: str,
    currency: str = "",
    width: int = 640,
    height: int = 200,
) -> SafeString:
    """Bars of monthly revenue with year boundaries and a labelled axis; each bar's label
    carries ``currency``, the reporting currency of the figures."""
    left, bottom, top = 48, 24, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([*values, 0.0]) or 1.0
    step = plot_w / max(len(values), 1)
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        'stroke="#9aa3b2"/>',
    ]
    for fraction in (0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#e4e7ee"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6475">{_compact(peak * fraction)}</text>'
        )
    year, month = first_month.year, first_month.month
    for index, value in enumerate(values):
        x = left + index * step
        bar_h = max(value, 0.0) / peak * plot_h
        label = f"{year}-{month:02d}: {money(value, currency)}"
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="#1f5fbf"><title>{label}</title></rect>'
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
