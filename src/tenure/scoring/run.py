"""``tenure score``'s work, in four steps, each one app's service on frames:

1. ledger features — the ledger's lines in the reporting currency, condensed per account;
2. health prepare — health, churn risk and CLV per account (fitting and training, outside
   any transaction);
3. snapshots and health rows written — segmentation and health in one transaction;
4. growth refresh and seasonal plan — from the frames of steps 1 and 2, not read back.

Only this module and imports touch the ledger; pages read the snapshots.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from ibis.expr.types import Table

from tenure.accounts.merge import external_id_frame
from tenure.engagement.seasonal import last_complete_month, seasonal_touchpoints_plan
from tenure.growth.ledger_inputs import crm_accounts, revenue_by_account, spend_by_account
from tenure.growth.services import growth_refresh, growth_settings_current
from tenure.health.prepare import (
    HealthRiskResult,
    health_rows_write,
    needing_repair,
    prepare_health_and_risk,
    run_parameters,
)
from tenure.insights.seasonality import (
    DEFAULT_STRENGTH_THRESHOLD,
    monthly_panel,
    seasonal_profile,
)
from tenure.ledger import features as ledger_features
from tenure.ledger import store
from tenure.ledger.rates import ReportingCurrency, ledger_in_reporting_currency
from tenure.scoring.clv_fit_record import scoring_run_record_clv_fit
from tenure.scoring.freshness import LedgerFreshness
from tenure.scoring.models import ScoringRun
from tenure.scoring.selectors import run_is_latest
from tenure.scoring.services import (
    scoring_run,
    scoring_run_fail,
    scoring_run_finish,
    scoring_settings_current,
)

#: Months of monthly revenue kept per account: three years shows a seasonal rhythm.
SERIES_MONTHS = 36
#: SQLite page cache for the run's writes, in KiB (SQLite's default is 2 MiB).
SQLITE_CACHE_KIB = 256 * 1024

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LedgerStep:
    """Step 1's output: the order lines and what the run reads of them."""

    lines: Table
    currency: ReportingCurrency
    #: The ledger's last order day on or before the run's date (``None``: no orders).
    through: dt.date | None
    features: pl.DataFrame
    monthly: pl.DataFrame


def run_scoring(
    *, as_of: dt.date, ledger_url: str | None = None, progress: Progress = print
) -> ScoringRun:
    """Score the portfolio as of ``as_of``: the four steps of the module's docstring.

    The run is marked done only after the last step: a run that stops in growth or
    seasonal preparation must not pass for complete (failed if it raised, still running
    if it was killed).
    """
    started = time.perf_counter()
    ledger = ledger_step(as_of=as_of, ledger_url=ledger_url, progress=progress)
    progress(
        f"Ledger features for {ledger.features.height:,} accounts "
        f"({LedgerFreshness(as_of=as_of, through=ledger.through).label}) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    cutoffs = scoring_settings_current()
    _roomy_sqlite_cache()
    health = prepare_health_and_risk(
        as_of=as_of,
        lines=ledger.lines,
        features=ledger.features,
        a_share=cutoffs.a_share,
        b_share=cutoffs.b_share,
        progress=progress,
        ledger_through=ledger.through,
    )
    with transaction.atomic():
        run = scoring_run(
            as_of=as_of,
            features=ledger.features,
            monthly=ledger.monthly,
            progress=progress,
            ledger_through=ledger.through,
            currency=ledger.currency,
            parameters=run_parameters(health),
            finish=False,
        )
        health_rows_write(run_id=run.pk, result=health, progress=progress)
    try:
        growth_and_seasons_step(as_of=as_of, ledger=ledger, health=health, progress=progress)
    except BaseException:
        scoring_run_fail(run=run)
        raise
    scoring_run_record_clv_fit(run=run)
    scoring_run_finish(run=run)
    progress(f"Scoring run for {as_of} done in {time.perf_counter() - started:.1f} s")
    return run


def _roomy_sqlite_cache() -> None:
    """Give SQLite a page cache the run's tables fit in: replacing 200,000 health rows, five
    indexes each, through the default 2 MiB took 3.9 s of CPU to delete and 2.9 s to insert,
    and 1.6 s and 2.3 s with 256 MiB (measured on a copy of the benchmark's store)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def ledger_step(*, as_of: dt.date, ledger_url: str | None, progress: Progress) -> LedgerStep:
    """Step 1: the ledger's lines in one currency and their per-account features."""
    con = store.connect(ledger_url, on_wait=progress)
    # Every sum below is in one currency: converted with the user's rates, or refused.
    lines, currency = ledger_in_reporting_currency(store.order_lines(con), as_of=as_of)
    progress(f"Ledger {currency.describe()}")
    # Ledger measures count to the ledger's last order day: an export a few days old must
    # not read as days of silence on every account.
    through = ledger_features.ledger_through(lines, as_of=as_of)
    warning = LedgerFreshness(as_of=as_of, through=through).warning()
    if warning:
        progress(f"Warning: {warning}")
    day = through or as_of
    return LedgerStep(
        lines=lines,
        currency=currency,
        through=through,
        features=ledger_features.to_polars(ledger_features.account_features(lines, as_of=day)),
        monthly=ledger_features.to_polars(
            ledger_features.monthly_revenue(lines, as_of=day, months=SERIES_MONTHS)
        ),
    )


def growth_and_seasons_step(
    *, as_of: dt.date, ledger: LedgerStep, health: HealthRiskResult, progress: Progress
) -> None:
    """Step 4: share of wallet and suggestions, then the seasonal preparations.

    A back-dated run (a later run exists) refreshes wallet estimates for its date but
    leaves suggestions and plans as the latest run made them: nothing is planned in the
    past.
    """
    current = run_is_latest(as_of=as_of)
    settings = growth_settings_current()
    spend = spend_by_account(ledger.lines, as_of=ledger.through or as_of)
    shown = growth_refresh(
        as_of=as_of,
        accounts=revenue_by_account(spend, crm_accounts()),
        spend=spend,
        # No suggestions where the relationship needs repair first.
        repair=needing_repair(
            health,
            below_health=settings.repair_below_health,
            above_risk=settings.repair_above_risk,
        ),
        suggestions=current,
        currency=ledger.currency.code,
    )
    if not current:
        progress("  growth suggestions left as the latest run made them")
        progress("  seasonal preparation skipped: a later run exists")
        return
    progress(f"  {shown:,} growth suggestions strong enough to show")
    plan = seasonal_touchpoints_plan(today=as_of, profiles=seasonal_profiles(ledger.monthly, as_of))
    progress(
        f"  seasonal preparation: {plan.planned} touchpoints planned for "
        f"{plan.seasonal_accounts} seasonal accounts "
        f"({plan.already_planned} already planned)"
    )


def seasonal_profiles(monthly: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Seasonal profiles from the run's own monthly revenue (``account_key``, ``month``,
    ``revenue``), keyed by account: reading back the series just written took longer than
    the profiles themselves. The month in progress is left out, as from stored series."""
    keyed = monthly.join(
        external_id_frame(), left_on="account_key", right_on="external_id", how="inner"
    )
    panel = monthly_panel(
        keyed.select("account_id", "month", pl.col("revenue").cast(pl.Float64)),
        last_month=last_complete_month(as_of),
    )
    return seasonal_profile(panel, strength_threshold=DEFAULT_STRENGTH_THRESHOLD)
