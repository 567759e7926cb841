"""The reporting currency: which one a run's money figures are in, and the user's rates.

One rule, applied by the scoring run before it sums a single amount: a ledger in one
currency reports in it; a ledger in several is converted with the rates the user imported
(``tenure import rates FILE --reporting EUR``), and without them the run refuses — money in
different currencies is never added up. See docs/ledger.md ("Currencies").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from tenure.core.errors import DomainError
from tenure.ledger.currencies import ledger_currencies, lines_in_reporting_currency
from tenure.ledger.models import CurrencyRate

if TYPE_CHECKING:
    from ibis.expr.types import Table

RATES_HELP = (
    "import rates to one reporting currency with `tenure import rates FILE --reporting EUR` "
    "(a CSV with the columns currency,rate_to_reporting; see docs/ledger.md)"
)


@dataclass(frozen=True)
class ReportingCurrency:
    """The currency a run reports in, the ledger's own currencies and the rates applied."""

    code: str
    ledger: tuple[str, ...]
    rates: dict[str, Decimal]

    @property
    def converted(self) -> bool:
        """Whether some lines were converted from another currency."""
        return bool(self.rates)

    def describe(self) -> str:
        """The run's log line: "amounts in EUR" or "amounts in EUR (GBP, USD converted)"."""
        if not self.converted:
            return f"amounts in {self.code}"
        return f"amounts in {self.code} ({', '.join(sorted(self.rates))} converted at your rates)"


def currency_rates_current() -> tuple[str | None, dict[str, Decimal]]:
    """The imported rates: their reporting currency (``None`` without rates) and the rates."""
    rows = list(CurrencyRate.objects.values_list("currency", "reporting_currency", "rate"))
    if not rows:
        return None, {}
    return rows[0][1], {currency: rate for currency, _, rate in rows}


def reporting_currency_resolve(
    currencies: list[str], *, reporting: str | None, rates: dict[str, Decimal]
) -> ReportingCurrency:
    """Choose the reporting currency for a ledger holding ``currencies``.

    Raises
    ------
    DomainError
        The ledger holds a currency other than the reporting one and no rate converts it.
    """
    if reporting is None:
        if len(currencies) > 1:
            raise DomainError(
                f"the ledger holds amounts in {len(currencies)} currencies "
                f"({', '.join(currencies)}); they are never added up unconverted: " + RATES_HELP,
                field="currency",
            )
        return ReportingCurrency(code=currencies[0] if currencies else "", ledger=(), rates={})
    others = [code for code in currencies if code != reporting]
    missing = [code for code in others if code not in rates]
    if missing:
        raise DomainError(
            f"no rate to {reporting} for {', '.join(missing)}, which the ledger holds; "
            + RATES_HELP,
            field="currency",
        )
    return ReportingCurrency(
        code=reporting,
        ledger=tuple(currencies),
        rates={code: rates[code] for code in others},
    )


def ledger_in_reporting_currency(
    lines: Table, *, as_of: dt.date
) -> tuple[Table, ReportingCurrency]:
    """The ledger's lines in the reporting currency, and which currency that is.

    Every reader that sums the ledger for a run (scoring, backtests, opportunities) goes
    through here, so no sum ever mixes currencies.
    """
    currencies = ledger_currencies(lines, as_of=as_of)
    reporting, rates = currency_rates_current()
    chosen = reporting_currency_resolve(currencies, reporting=reporting, rates=rates)
    converted = lines_in_reporting_currency(lines, reporting=chosen.code, rates=chosen.rates)
    return converted, chosen


@transaction.atomic
def currency_rates_replace(*, reporting: str, rates: dict[str, Decimal]) -> int:
    """Replace the rate table with ``rates`` to ``reporting``; returns the rows stored.

    Raises
    ------
    DomainError
        A code is not three letters, a rate is not above 0, or the reporting currency is
        given a rate of its own.
    """
    reporting = _code(reporting, field="reporting")
    rows = []
    for raw, rate in rates.items():
        code = _code(raw, field="currency")
        if code == reporting:
            if rate != 1:
                raise DomainError(
                    f"{code} is the reporting currency; its rate can only be 1", field="rate"
                )
            continue
        if not rate.is_finite() or rate <= 0:
            raise DomainError(f"the rate of {code} must be a number above 0", field="rate")
        rows.append(CurrencyRate(currency=code, reporting_currency=reporting, rate=rate))
    CurrencyRate.objects.all().delete()
    CurrencyRate.objects.bulk_create(rows)
    return len(rows)


def _code(value: str, *, field: str) -> str:
    code = value.strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise DomainError(f"{value!r} is not a 3-letter currency code", field=field)
    return code
