"""Health, churn risk and CLV in the scoring run: from ledger and CRM to ``AccountHealth`` rows.

``run_scoring`` calls :func:`prepare_health_and_risk` before the scoring run's transaction
(the reading, fitting and training happen there, without holding the CRM store's write
lock) and :func:`health_rows_write` inside it, after the run's snapshots. Without order
lines (``lines=None``) CLV and risk training are skipped: risk is then left empty unless a
saved model fits.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import polars as pl
import polars.selectors as cs
from django.db import transaction
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.core.bulk_insert import insert_frame
from tenure.core.figures import percent
from tenure.feedback.models import Response
from tenure.feedback.selectors import account_sentiment
from tenure.health.engagement_features import (
    CrmEvents,
    load_crm_events,
)
from tenure.health.history_plan import training_plan
from tenure.health.models import AccountHealth
from tenure.health.point_in_time import CLV_COLUMNS, CLV_MONTHS, RECENT_SPEND, History
from tenure.health.risk_training import model_inputs, train_risk
from tenure.health.scorecard_frames import health_frame, scorecard_state
from tenure.health.services import (
    churn_definition_current,
    health_scorecard_current,
    risk_model_load,
    risk_model_save,
    risk_model_version,
)
from tenure.insights.health import Scorecard
from tenure.insights.risk import RISK_FEATURES, ChurnDefinition, churned_as_of

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class HealthRiskResult:
    """Per-account health, risk and CLV for one date, ready to be written."""

    as_of: dt.date
    accounts: pl.DataFrame
    scorecard: Scorecard
    parameters: dict[str, Any] = field(default_factory=dict)
    #: account id → risk drivers, for the accounts at or above the average risk.
    drivers: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def survey_sentiment(as_of: dt.date) -> pl.DataFrame:
    """Latest NPS per account surveyed in the year to ``as_of``, from the feedback app.

    ``account_sentiment``'s group rule decides whether an account's NPS may be shown; a
    hidden one counts as missing.
    """
    since = as_of - dt.timedelta(days=365)
    surveyed = (
        Response.objects.filter(answered_at__date__lte=as_of, answered_at__date__gt=since)
        .values_list("invitation__account_id", flat=True)
        .distinct()
    )
    rows = []
    for account in Account.objects.filter(pk__in=surveyed):
        result = account_sentiment(account, today=as_of).nps.result
        if result is not None and result.score is not None:
            rows.append((account.pk, float(result.score)))
    return pl.DataFrame(rows, schema={"account_id": pl.Int64, "nps": pl.Float64}, orient="row")


def prepare_health_and_risk(
    *,
    as_of: dt.date,
    lines: ir.Table | None,
    features: pl.DataFrame | None,
    a_share: float,
    b_share: float,
    events: CrmEvents | None = None,
    progress: Progress = _quiet,
    ledger_through: dt.date | None = None,
) -> HealthRiskResult:
    """Compute health, risk and CLV for every CRM account as of ``as_of``.

    Parameters
    ----------
    as_of
        The scoring date.
    lines
        The ledger's order lines; ``None`` skips CLV and risk training.
    features
        The ledger's revenue features as of ``as_of`` if already computed.
    a_share, b_share
        The tier cut-offs in force (cumulative revenue shares of A and of A and B).
    events
        The CRM's dated facts (read here when not given).
    ledger_through
        The ledger's freshness: ledger measures count to this day when it is before
        ``as_of`` (CRM measures still count to ``as_of``).
    """
    started = time.perf_counter()
    events = events if events is not None else load_crm_events()
    history = History(
        lines, events, a_share=a_share, b_share=b_share, ledger_through=ledger_through
    )
    history.valued_days.add(as_of)
    if features is not None:
        history.put_ledger(as_of, features)
    state = history.state(as_of)
    progress(f"  CLV and CRM features in {time.perf_counter() - started:.1f} s")
    parameters: dict[str, Any] = {"clv": history.clv_info.get(as_of, {})}

    scorecard_row, scorecard = health_scorecard_current()
    sentiment = survey_sentiment(as_of)
    health_state = scorecard_state(history, state, scorecard, as_of)
    health = health_frame(health_state, scorecard, sentiment=sentiment)
    parameters["health"] = {
        "scorecard": scorecard_row.version,
        "surveyed_accounts": sentiment.height,
    }

    definition = churn_definition_current()
    risk, drivers, about = _risk(history, state, as_of, definition, lines is not None, progress)
    parameters["risk"] = about

    churned = churned_as_of(
        history.ledger(as_of) if (lines is not None or features is not None) else _no_ledger(),
        definition,
    ).select("account_key", pl.col("churned").alias("churned_now"))
    relationship = health_state.select(
        "account_id", "engaged_contacts", "decision_makers_engaged", "threads"
    )
    accounts = (
        state.select(
            "account_id",
            "account_key",
            *CLV_COLUMNS,
            *RECENT_SPEND,
        )
        .join(health, on="account_id", how="left")
        .join(risk, on="account_id", how="left")
        .join(relationship, on="account_id", how="left")
        .join(churned, on="account_key", how="left")
        # An account that has churned already has no risk of churning: it is marked so.
        .with_columns(
            pl.when(pl.col("churned_now").fill_null(False).not_())
            .then(pl.col("risk"))
            .alias("risk")
        )
    )
    progress(f"  health and risk for {accounts.height:,} accounts")
    return HealthRiskResult(as_of, accounts, scorecard, parameters, drivers)


def _no_ledger() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "account_key": pl.String,
            "last_order_date": pl.Date,
            "days_since_last_order": pl.Int64,
            "median_interval_days": pl.Float64,
            "revenue_t12m": pl.Float64,
            "revenue_prev12m": pl.Float64,
        }
    )


Drivers = dict[int, list[dict[str, Any]]]
#: Most accounts whose drivers are worked out per run (the riskiest first).
MAX_EXPLAINED = 20_000


def _risk(
    history: History,
    state: pl.DataFrame,
    as_of: dt.date,
    definition: ChurnDefinition,
    can_train: bool,
    progress: Progress,
) -> tuple[pl.DataFrame, Drivers, dict[str, Any]]:
    empty = pl.DataFrame(schema={"account_id": pl.Int64, "risk": pl.Float64})
    chose: tuple[str, ...] = ()
    if can_train:
        # A short ledger gets the horizon and history it allows, said out loud.
        try:
            plan, definition = training_plan(
                history, as_of=history.ledger_day(as_of), definition=definition
            )
        except ValueError as error:
            progress(f"  no churn model: {error}")
            return empty, {}, {"error": str(error)}
        chose = plan.notes
        for note in chose:
            progress(f"  churn model: {note}")
    loaded = risk_model_load(as_of=as_of, definition=definition)
    if loaded is not None:
        model, about = loaded
        progress(f"  churn model trained on data to {about['trained_as_of']} (saved)")
    elif can_train:
        started = time.perf_counter()
        try:
            # Outcomes are known only to the ledger's last day: train up to it.
            trained = train_risk(
                history,
                as_of=history.ledger_day(as_of),
                definition=definition,
                min_history_days=plan.min_history_days,
                progress=progress,
            )
        except ValueError as error:
            progress(f"  no churn model: {error}")
            return empty, {}, {"error": str(error), "chose": list(chose)}
        model, about = trained.model, trained.describe()
        risk_model_save(model, definition=definition, about=about, keep_newer=True)
        progress(
            f"  churn model trained on {trained.rows:,} rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
    else:
        return empty, {}, {"error": "no ledger lines and no saved model"}
    # Risk is for accounts that have bought: the others have nothing to churn from.
    inputs = model_inputs(state, as_of=history.ledger_day(as_of)).filter(
        pl.col("days_since_last_order").is_not_null()
    )
    probability = model.predict_proba(inputs.select(RISK_FEATURES))
    risk = pl.DataFrame({"account_id": inputs["account_id"], "risk": probability})
    # Reasons are worked out where they matter (exact tree contributions cost time): for
    # accounts at or above the average churn rate, the riskiest first.
    explained = (
        inputs.with_columns(pl.Series("_risk", probability))
        .filter(pl.col("_risk") >= model.base_rate_)
        .sort("_risk", descending=True)
        .head(MAX_EXPLAINED)
    )
    reasons = model.drivers(explained.select(RISK_FEATURES))
    drivers = {
        account_id: [d.as_dict() for d in row]
        for account_id, row in zip(explained["account_id"].to_list(), reasons, strict=True)
    }
    about = {
        **about,
        "model": risk_model_version(about),
        "horizon_days": definition.horizon_days,
        "explained_accounts": explained.height,
        "chose": list(chose),
    }
    return risk, drivers, about


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), 6)


def _json_list(column: str) -> pl.Expr:
    """A list of keys (letters, digits, underscores) as JSON text."""
    joined = pl.col(column).fill_null([]).list.join('","')
    return pl.when(pl.col(column).list.len() > 0).then('["' + joined + '"]').otherwise(pl.lit("[]"))


def health_rows(result: HealthRiskResult, run_id: int, version: str) -> pl.DataFrame:
    """The ``AccountHealth`` rows of a result, one column per table column.

    Built column-wise in Polars (JSON included) without model instances: at 200,000
    accounts the ORM's per-object work would take longer than the rest of the run.
    """
    keys = [m.key for m in result.scorecard.measures]
    risk_info = result.parameters.get("risk", {})
    horizon, model_label = risk_info.get("horizon_days"), risk_info.get("model", "")
    drivers = pl.DataFrame(
        {
            "account_id": list(result.drivers),
            "_drivers": [json.dumps(d, separators=(",", ":")) for d in result.drivers.values()],
        },
        schema={"account_id": pl.Int64, "_drivers": pl.String},
    )
    frame = (
        result.accounts.with_columns(cs.float().fill_nan(None))
        .join(drivers, on="account_id", how="left")
        .with_columns(
            *(pl.col(f"contribution_{k}").round(3) for k in keys),
            *(pl.col(f"value_{k}").round(4) for k in keys),
        )
    )
    has_risk = pl.col("risk").is_not_null()
    money = pl.Decimal(18, 2)
    return frame.select(
        pl.lit(run_id).alias("run_id"),
        "account_id",
        pl.lit(result.as_of).alias("as_of"),
        "health_score",
        pl.col("coverage").alias("health_coverage"),
        pl.struct(*(pl.col(f"contribution_{k}").alias(k) for k in keys))
        .struct.json_encode()
        .alias("health_contributions"),
        pl.struct(*(pl.col(f"value_{k}").alias(k) for k in keys))
        .struct.json_encode()
        .alias("health_measures"),
        _json_list("missing").alias("health_flags"),
        pl.lit(version).alias("health_version"),
        "risk",
        pl.when(has_risk).then(pl.lit(horizon, pl.Int64)).alias("risk_horizon_days"),
        pl.when(has_risk)
        .then(pl.col("_drivers").fill_null("[]"))
        .otherwise(pl.lit("[]"))
        .alias("risk_drivers"),
        pl.when(has_risk).then(pl.lit(model_label)).otherwise(pl.lit("")).alias("risk_model"),
        pl.col("clv").cast(money),
        pl.col("clv_low").cast(money),
        pl.col("clv_high").cast(money),
        pl.when(pl.col("clv").is_not_null()).then(pl.lit(CLV_MONTHS, pl.Int64)).alias("clv_months"),
        "probability_alive",
        "probability_alive_low",
        "probability_alive_high",
        "expected_orders",
        pl.col("expected_order_value").cast(money),
        pl.col("engaged_contacts", "decision_makers_engaged", "threads").cast(pl.Int64),
        "revenue_90d",
        "revenue_90d_prior_year",
        pl.col("churned_now").alias("churned"),
        pl.lit(timezone.now()).alias("created_at"),
    )


@transaction.atomic
def health_rows_write(*, run_id: int, result: HealthRiskResult, progress: Progress = _quiet) -> int:
    """Write the run's ``AccountHealth`` rows, replacing those of the same date: all or none.

    The scoring run calls it inside its own transaction, after the snapshots.
    """
    version = str(result.parameters.get("health", {}).get("scorecard", result.scorecard.version))
    AccountHealth.objects.filter(as_of=result.as_of).delete()
    written = insert_frame(AccountHealth, health_rows(result, run_id, version))
    progress(f"  {written:,} health rows as of {result.as_of}")
    return written


def run_parameters(result: HealthRiskResult) -> dict[str, Any]:
    """What the run records of its health step (scorecard version, CLV fit, risk model)."""
    return dict(_json_safe(result.parameters))


def needing_repair(
    result: HealthRiskResult, *, below_health: float, above_risk: float
) -> pl.DataFrame:
    """Accounts whose relationship needs repair before growth: health under
    ``below_health`` or churn risk over ``above_risk``; ``account_id`` and ``why``."""
    weak = result.accounts.filter(
        (pl.col("health_score") < below_health) | (pl.col("risk") > above_risk)
    )
    return pl.DataFrame(
        [
            (account_id, f"health {score or 0:.0f} of 100, churn risk {percent(risk)}")
            for account_id, score, risk in weak.select(
                "account_id", "health_score", "risk"
            ).iter_rows()
        ],
        schema={"account_id": pl.Int64, "why": pl.String},
        orient="row",
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
