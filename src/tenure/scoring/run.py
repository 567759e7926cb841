"""``tenure score``'s work: read the ledger, segment, write snapshots.

Only this module and imports touch the ledger; pages read the snapshots.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import polars as pl
from django.db.models import Q
from ibis.expr.types import Table

from tenure.accounts.merge import external_id_frame
from tenure.core.figures import percent
from tenure.engagement.seasonal import last_complete_month, seasonal_touchpoints_plan
from tenure.growth.ledger_inputs import crm_accounts, revenue_by_account, spend_by_account
from tenure.growth.services import growth_refresh, growth_settings_current
from tenure.insights.seasonality import (
    DEFAULT_STRENGTH_THRESHOLD,
    monthly_panel,
    seasonal_profile,
)
from tenure.ledger import features as ledger_features
from tenure.ledger import store
from tenure.scoring.clv_fit_record import scoring_run_record_clv_fit
from tenure.scoring.currency import ledger_in_reporting_currency
from tenure.scoring.freshness import LedgerFreshness
from tenure.scoring.health_models import AccountHealth
from tenure.scoring.health_risk import prepare_health_and_risk
from tenure.scoring.models import ScoringRun
from tenure.scoring.selectors import run_is_latest
from tenure.scoring.services import scoring_run, scoring_run_fail, scoring_run_finish

#: Months of monthly revenue kept per account: three years shows a seasonal rhythm.
SERIES_MONTHS = 36


def run_scoring(
    *, as_of: dt.date, ledger_url: str | None = None, progress: Callable[[str], None] = print
) -> ScoringRun:
    """Compute revenue features in the ledger, then segment and snapshot the portfolio.

    Health, churn risk and CLV are prepared before the snapshots' transaction opens (the
    fitting and training take the time) and written inside it.
    """
    started = time.perf_counter()
    con = store.connect(ledger_url, on_wait=progress)
    # Every sum below is in one currency: converted with the user's rates, or refused.
    lines, currency = ledger_in_reporting_currency(store.order_lines(con), as_of=as_of)
    progress(f"Ledger {currency.describe()}")
    # Ledger measures count to the ledger's last order day: an export a few days old must
    # not read as days of silence on every account.
    through = ledger_features.ledger_through(lines, as_of=as_of)
    freshness = LedgerFreshness(as_of=as_of, through=through)
    ledger_day = through or as_of
    features = ledger_features.to_polars(ledger_features.account_features(lines, as_of=ledger_day))
    monthly = ledger_features.to_polars(
        ledger_features.monthly_revenue(lines, as_of=ledger_day, months=SERIES_MONTHS)
    )
    progress(
        f"Ledger features for {features.height:,} accounts ({freshness.label}) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    warning = freshness.warning()
    if warning:
        progress(f"Warning: {warning}")
    health = prepare_health_and_risk(
        as_of=as_of, lines=lines, features=features, progress=progress, ledger_through=through
    )
    run = scoring_run(
        as_of=as_of,
        features=features,
        monthly=monthly,
        progress=progress,
        health=health,
        ledger_through=through,
        currency=currency,
        finish=False,
    )
    # Done only after the last step: a run that stops in growth or seasonal preparation
    # must not pass for complete (failed if it raised, still running if it was killed).
    try:
        current = run_is_latest(as_of=as_of)
        _refresh_growth(lines, as_of, ledger_day, progress, current=current, currency=currency.code)
        if current:
            plan = seasonal_touchpoints_plan(
                today=as_of, profiles=seasonal_profiles(monthly, as_of)
            )
            progress(
                f"  seasonal preparation: {plan.planned} touchpoints planned for "
                f"{plan.seasonal_accounts} seasonal accounts "
                f"({plan.already_planned} already planned)"
            )
        else:
            # Nothing is planned in the past: the latest run plans from its own day.
            progress("  seasonal preparation skipped: a later run exists")
    except BaseException:
        scoring_run_fail(run=run)
        raise
    scoring_run_finish(run=run)
    scoring_run_record_clv_fit(run=run)
    progress(f"Scoring run for {as_of} done in {time.perf_counter() - started:.1f} s")
    return run


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


def _refresh_growth(
    lines: Table,
    as_of: dt.date,
    ledger_day: dt.date,
    progress: Callable[[str], None],
    *,
    current: bool,
    currency: str,
) -> None:
    """Share of wallet and suggestions; none where the relationship needs repair first."""
    settings = growth_settings_current()
    spend = spend_by_account(lines, as_of=ledger_day)
    weak = AccountHealth.objects.filter(as_of=as_of).filter(
        Q(health_score__lt=settings.repair_below_health) | Q(risk__gt=settings.repair_above_risk)
    )
    repair = pl.DataFrame(
        [
            (account_id, f"health {score or 0:.0f} of 100, churn risk {percent(risk)}")
            for account_id, score, risk in weak.values_list("account_id", "health_score", "risk")
        ],
        schema={"account_id": pl.Int64, "why": pl.String},
        orient="row",
    )
    shown = growth_refresh(
        as_of=as_of,
        accounts=revenue_by_account(spend, crm_accounts()),
        spend=spend,
        repair=repair,
        suggestions=current,
        currency=currency,
    )
    if current:
        progress(f"  {shown:,} growth suggestions strong enough to show")
    else:
        progress("  growth suggestions left as the latest run made them")
