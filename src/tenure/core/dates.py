"""Calendar days as aware datetime bounds, for filtering timestamps by local date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def day_label(day: dt.date) -> str:
    """``25 Nov 2026``: the date as messages and evidence write it (no zero padding)."""
    return f"{day.day} {day:%b %Y}"


def day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``start`` to the start of the day after ``end``: ``low <= t < high``."""
    return start_of_day(start), start_of_day(end + dt.timedelta(days=1))
