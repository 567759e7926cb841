"""``reporting_currency`` in every template: the currency of the latest run's money figures."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenure.scoring.selectors import reporting_currency_latest


def reporting_currency(_request: HttpRequest) -> dict[str, object]:
    """The latest finished run's reporting currency, read only by a page that shows money."""
    return {"reporting_currency": SimpleLazyObject(reporting_currency_latest)}
