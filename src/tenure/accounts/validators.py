"""Ranges of the numbers and dates people type or import about accounts and contacts.

Without them a field was bounded only by the database's integer (Django's own validator
then cites 9223372036854775807 on SQLite, 2147483647 on PostgreSQL): `employees=99999999999`
passed on SQLite and failed on PostgreSQL, and a birthday in 2999 was stored. A bound here
also keeps Django from adding the database's, so the message names the field's range.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

#: More than the largest employer in the world has; a typo of many nines is refused.
MAX_EMPLOYEES = 10_000_000
EARLIEST_BIRTHDAY = dt.date(1900, 1, 1)


def within(low: int, high: int, message: str) -> list[MinValueValidator | MaxValueValidator]:
    """Validators of ``low`` ≤ value ≤ ``high``, with one ``message`` naming the range (the
    database constraint's, where there is one)."""
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


def validate_birthday(value: dt.date) -> None:
    """A birthday lies between 1900 and today (the day the value is checked)."""
    if not EARLIEST_BIRTHDAY <= value <= timezone.localdate():
        raise ValidationError(
            f"{value.isoformat()} is not a birthday: it must lie between "
            f"{EARLIEST_BIRTHDAY.isoformat()} and today",
            code="birthday_range",
        )
