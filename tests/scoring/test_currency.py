"""Money in several currencies: converted with the user's rates, or the run refuses to sum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from tenure.core.errors import DomainError
from tenure.ledger import features as ledger_features
from tenure.ledger.currencies import ledger_currencies, lines_in_reporting_currency
from tenure.ledger.rates import (
    currency_rates_current,
    currency_rates_replace,
    reporting_currency_resolve,
)
from tenure.scoring.models import AccountSnapshot, ScoringRun
from tenure.scoring.run import run_scoring
from tenure.scoring.selectors import reporting_currency_latest
from tests.scoring.health_ledger import ledger, order_lines

AS_OF = dt.date(2026, 11, 30)


def two_currency_lines() -> pl.DataFrame:
    """K1 buys 1,000 EUR and 500 GBP; K2 buys 2,000 EUR; all within the trailing year."""
    lines = order_lines(
        [
            ("K1", dt.date(2026, 3, 1), 1_000.0),
            ("K1", dt.date(2026, 6, 1), 500.0),
            ("K2", dt.date(2026, 4, 1), 2_000.0),
        ]
    )
    return lines.with_columns(
        currency=pl.Series(["EUR", "GBP", "EUR"]),
    )


def test_the_ledger_lists_its_currencies_up_to_the_day():
    lines = ledger(two_currency_lines())
    assert ledger_currencies(lines, as_of=AS_OF) == ["EUR", "GBP"]
    # The pound line is dated 1 Jun: a run as of May sees euros only.
    assert ledger_currencies(lines, as_of=dt.date(2026, 5, 1)) == ["EUR"]


def test_converted_sums_are_in_the_reporting_currency():
    lines = lines_in_reporting_currency(
        ledger(two_currency_lines()), reporting="EUR", rates={"GBP": Decimal("1.15")}
    )
    features = ledger_features.to_polars(ledger_features.account_features(lines, as_of=AS_OF))
    revenue = dict(zip(features["account_key"], features["revenue_t12m"], strict=True))
    # 1,000 EUR + 500 GBP × 1.15 = 1,575 EUR; never 1,500 of mixed money.
    assert revenue["K1"] == Decimal("1575.00")
    assert revenue["K2"] == Decimal("2000.00")
    assert set(lines.to_polars()["currency"]) == {"EUR"}


def test_several_currencies_without_rates_are_refused_by_name():
    with pytest.raises(DomainError, match=r"2 currencies \(EUR, GBP\).*tenure import rates"):
        reporting_currency_resolve(["EUR", "GBP"], reporting=None, rates={})


def test_a_currency_without_a_rate_is_refused_by_name():
    with pytest.raises(DomainError, match="no rate to EUR for USD"):
        reporting_currency_resolve(
            ["EUR", "GBP", "USD"], reporting="EUR", rates={"GBP": Decimal("1.15")}
        )


def test_one_currency_is_the_reporting_currency():
    chosen = reporting_currency_resolve(["GBP"], reporting=None, rates={})
    assert chosen.code == "GBP"
    assert not chosen.converted


@pytest.mark.django_db
def test_a_run_over_two_currencies_without_rates_refuses(ledger_file):
    url = ledger_file(two_currency_lines())
    with pytest.raises(DomainError, match=r"EUR, GBP"):
        run_scoring(as_of=AS_OF, ledger_url=url, progress=lambda _: None)
    assert not AccountSnapshot.objects.exists()


@pytest.mark.django_db
def test_a_run_with_rates_converts_and_records_its_currency(ledger_file):
    url = ledger_file(two_currency_lines())
    currency_rates_replace(reporting="eur", rates={"GBP": Decimal("1.15")})
    messages: list[str] = []
    run = run_scoring(as_of=AS_OF, ledger_url=url, progress=messages.append)
    assert run.currency == "EUR"
    assert run.parameters["currencies"] == {"ledger": ["EUR", "GBP"], "rates": {"GBP": "1.15"}}
    revenue = {
        s.account.external_id: s.revenue_t12m
        for s in AccountSnapshot.objects.select_related("account")
    }
    assert revenue["K1"] == Decimal("1575.00")
    assert any("amounts in EUR (GBP converted" in m for m in messages)
    assert reporting_currency_latest() == "EUR"


@pytest.mark.django_db
def test_a_one_currency_run_reports_in_it(ledger_file):
    url = ledger_file(order_lines([("K1", dt.date(2026, 3, 1), 1_000.0)]))
    run = run_scoring(as_of=AS_OF, ledger_url=url, progress=lambda _: None)
    assert ScoringRun.objects.get(pk=run.pk).currency == "EUR"


@pytest.mark.django_db
def test_import_rates_replaces_the_table(tmp_path: Path):
    first = tmp_path / "rates.csv"
    first.write_text("currency,rate_to_reporting\nGBP,1.15\nUSD,0.92\nEUR,1\n")
    call_command("import", "rates", str(first), "--reporting", "EUR")
    assert currency_rates_current() == ("EUR", {"GBP": Decimal("1.15"), "USD": Decimal("0.92")})
    second = tmp_path / "rates2.csv"
    second.write_text("Currency,Rate_to_reporting\nchf,1.05\n")
    call_command("import", "rates", str(second), "--reporting", "EUR")
    assert currency_rates_current() == ("EUR", {"CHF": Decimal("1.05")})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency,rate\nGBP,1.15\n", "needs the columns currency, rate_to_reporting"),
        ("currency,rate_to_reporting\nGBP,abc\n", "the rate of GBP is not a number"),
        ("currency,rate_to_reporting\nGBP,-1\n", "must be a number above 0"),
        ("currency,rate_to_reporting\nPOUND,1.1\n", "not a 3-letter currency code"),
        ("currency,rate_to_reporting\nEUR,2\n", "its rate can only be 1"),
        ("currency,rate_to_reporting\nGBP,1.1\nGBP,1.2\n", "GBP appears twice"),
    ],
)
def test_import_rates_refuses_a_bad_table(tmp_path: Path, text: str, message: str):
    path = tmp_path / "rates.csv"
    path.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("import", "rates", str(path), "--reporting", "EUR")
    assert currency_rates_current() == (None, {})
