"""One formatter per kind of figure: percentages read the same on every page."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.template import Context, Template

from tenure.core.figures import money, percent


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (None, "—"),
        (math.nan, "—"),
        (0, "0 %"),
        (0.0029, "under 1 %"),
        (0.0067, "under 1 %"),
        (0.01, "1 %"),
        (0.125, "13 %"),  # halves round up, not to even
        (0.4321, "43 %"),
        (Decimal("0.098"), "10 %"),
        (0.996, "over 99 %"),
        (1.0, "100 %"),
        (-0.38, "-38 %"),
        (-0.003, "0 %"),
    ],
)
def test_percent_rounds_to_whole_percent_and_never_shows_a_positive_risk_as_zero(fraction, shown):
    assert percent(fraction) == shown


def test_the_template_filter_is_the_same_formatter():
    rendered = Template("{% load figures %}{{ a|percent }} / {{ b|percent }}").render(
        Context({"a": 0.0067, "b": None})
    )
    assert rendered == "under 1 % / —"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(None, "—"), (0, "0"), (Decimal("412345.67"), "412,346"), (99999.5, "100,000"), (-0.4, "0")],
)
def test_money_shows_whole_units_with_thousands_separators(amount, shown):
    assert money(amount) == shown


def test_money_carries_its_currency_in_code_and_templates():
    assert money(Decimal("1457178.2"), "EUR") == "1,457,178 EUR"
    rendered = Template("{% load figures %}{{ a|money:c }} / {{ b|money:c }}").render(
        Context({"a": 800000, "b": None, "c": "GBP"})
    )
    assert rendered == "800,000 GBP / —"
