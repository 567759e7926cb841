"""Health, churn risk and CLV in the scoring run: from ledger and CRM to ``AccountHealth`` rows.

``run_scoring`` calls :func:`prepare_health_and_risk` before the scoring run's transaction
(the reading, fitting and training happen there, without holding the CRM store's write
lock) and ``scoring_run`` calls :func:`score_health_and_risk` at the end of its transaction
to write the rows. Called without a prepared result (``scoring_run`` on frames alone, as in
tests), the health is computed from the ledger features given and the CRM; CLV and risk,
which need the order lines, are then left empty unless a saved model fits.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis.expr.types as ir
import polars as pl
import polars.selectors as cs
from django.db import connection, transaction
from django.utils import timezone

from tenure.health.engagement_features import (
    ENGAGEMENT_COLUMNS,
    CrmEvents,
    engagement_features,
    load_crm_events,
)
from tenure.health.models import AccountHealth
from tenure.health.point_in_time import CLV_COLUMNS, CLV_MONTHS, RECENT_SPEND, History
from tenure.health.risk_training import model_inputs, train_risk
from tenure.health.services import (
    churn_definition_current,
    health_scorecard_current,
    risk_model_load,
    risk_model_save,
    risk_model_version,
)
from tenure.insights.health import Scorecard, health_inputs, score_health
from tenure.insights.risk import RISK_FEATURES, ChurnDefinition, churned_as_of

if TYPE_CHECKING:
    from tenure.scoring.models import ScoringRun

Progress = Callable[[str], None]
BATCH = 2000


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


def health_frame(
    state: pl.DataFrame, scorecard: Scorecard, *, sentiment: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Score a state (one row per account) against ``scorecard``.

    Returns the :func:`~tenure.insights.health.score_health` columns plus each measure's
    input value as ``value_<measure key>``, keyed by ``account_id``.
    """
    frame = state
    if sentiment is not None and sentiment.height:
        frame = frame.drop("nps", strict=False).join(
            sentiment.select("account_id", "nps"), on="account_id", how="left"
        )
    elif "nps" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("nps"))
    inputs = health_inputs(frame, scorecard)
    sources = list(dict.fromkeys(m.source for m in scorecard.measures))
    inputs = inputs.with_columns(
        pl.lit(None, pl.Float64).alias(s) for s in sources if s not in inputs.columns
    ).select("account_id", *(pl.col(s).cast(pl.Float64) for s in sources))
    values = inputs.select(
        "account_id", *(pl.col(m.source).alias(f"value_{m.key}") for m in scorecard.measures)
    )
    return score_health(inputs, scorecard).join(values, on="account_id", how="left")


def scorecard_state(
    history: History, state: pl.DataFrame, scorecard: Scorecard, as_of: dt.date
) -> pl.DataFrame:
    """``state`` with the CRM features counted over the scorecard's own windows."""
    if (scorecard.window_days, scorecard.recent_days) == (history.window_days, history.recent_days):
        return state
    engagement = engagement_features(
        history.events,
        as_of=as_of,
        window_days=scorecard.window_days,
        recent_days=scorecard.recent_days,
    )
    return state.drop(*ENGAGEMENT_COLUMNS).join(engagement, on="account_id", how="left")


def survey_sentiment(as_of: dt.date) -> pl.DataFrame | None:
    """Latest NPS per surveyed account from the feedback app, when it is there.

    Uses ``tenure.feedback.selectors.account_sentiment`` (its group rule decides whether an
    account's NPS may be shown; a hidden one counts as missing). ``None`` when the
    feedback app offers no such selector.
    """
    try:
        from tenure.feedback.models import Response
        from tenure.feedback.selectors import account_sentiment
    except ImportError:
        return None
    from tenure.accounts.models import Account

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


def _scoring_settings() -> tuple[float, float]:
    from tenure.scoring.services import scoring_settings_current

    current = scoring_settings_current()
    return current.a_share, current.b_share


def prepare_health_and_risk(
    *,
    as_of: dt.date,
    lines: ir.Table | None,
    features: pl.DataFrame | None,
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
    events
        The CRM's dated facts (read here when not given).
    ledger_through
        The ledger's freshness: ledger measures count to this day when it is before
        ``as_of`` (CRM measures still count to ``as_of``).
    """
    started = time.perf_counter()
    a_share, b_share = _scoring_settings()
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
        "surveyed_accounts": 0 if sentiment is None else sentiment.height,
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
    loaded = risk_model_load(as_of=as_of, definition=definition)
    if loaded is not None:
        model, about = loaded
        progress(f"  churn model trained on data to {about['trained_as_of']} (saved)")
    elif can_train:
        started = time.perf_counter()
        try:
            # Outcomes are known only to the ledger's last day: train up to it.
            trained = train_risk(
                history, as_of=history.ledger_day(as_of), definition=definition, progress=progress
            )
        except ValueError as error:
            progress(f"  no churn model: {error}")
            return empty, {}, {"error": str(error)}
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
    }
    return risk, drivers, about


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), 6)


#: Columns of ``AccountHealth`` written per row, in order.
_COLUMNS = (
    "run_id",
    "account_id",
    "as_of",
    "health_score",
    "health_coverage",
    "health_contributions",
    "health_measures",
    "health_flags",
    "health_version",
    "risk",
    "risk_horizon_days",
    "risk_drivers",
    "risk_model",
    "clv",
    "clv_months",
    "probability_alive",
    "expected_orders",
    "expected_order_value",
    "engaged_contacts",
    "decision_makers_engaged",
    "threads",
    "revenue_90d",
    "revenue_90d_prior_year",
    "churned",
    "created_at",
)
_JSON = {"health_contributions", "health_measures", "health_flags", "risk_drivers"}


def _json_list(column: str) -> pl.Expr:
    """A list of keys (letters, digits, underscores) as JSON text."""
    joined = pl.col(column).fill_null([]).list.join('","')
    return pl.when(pl.col(column).list.len() > 0).then('["' + joined + '"]').otherwise(pl.lit("[]"))


def health_rows(result: HealthRiskResult, run: ScoringRun, version: str) -> list[tuple[Any, ...]]:
    """The ``AccountHealth`` rows of a result as value tuples in :data:`_COLUMNS` order.

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
    values = frame.select(
        pl.lit(run.pk).alias("run_id"),
        "account_id",
        pl.lit(result.as_of).alias("as_of"),
        "health_score",
        "coverage",
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
        pl.when(pl.col("clv").is_not_null()).then(pl.lit(CLV_MONTHS, pl.Int64)).alias("clv_months"),
        "probability_alive",
        "expected_orders",
        pl.col("expected_order_value").cast(money),
        pl.col("engaged_contacts", "decision_makers_engaged", "threads").cast(pl.Int64),
        "revenue_90d",
        "revenue_90d_prior_year",
        "churned_now",
    )
    now = timezone.now()
    return [(*row, now) for row in values.iter_rows()]


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Bulk INSERT through the database cursor, in batches."""
    table = connection.ops.quote_name(AccountHealth._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ", ".join(f"%s{cast}" if c in _JSON else "%s" for c in _COLUMNS)
    statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(statement, rows[start : start + BATCH])


@transaction.atomic
def score_health_and_risk(
    *,
    run: ScoringRun,
    features: pl.DataFrame,
    monthly: pl.DataFrame,
    progress: Progress = _quiet,
    prepared: HealthRiskResult | None = None,
) -> int:
    """Write the run's ``AccountHealth`` rows, replacing those of the same date.

    ``monthly`` is accepted for symmetry with the segmentation step and not used: the
    recent-spend features come from the purchase-day summary.
    """
    del monthly
    result = prepared
    if result is None or result.as_of != run.as_of:
        result = prepare_health_and_risk(
            as_of=run.as_of, lines=None, features=features, progress=progress
        )
    version = str(result.parameters.get("health", {}).get("scorecard", result.scorecard.version))
    AccountHealth.objects.filter(as_of=run.as_of).delete()
    rows = health_rows(result, run, version)
    _insert(rows)
    run.parameters = {**(run.parameters or {}), **_json_safe(result.parameters)}
    run.save(update_fields=["parameters", "updated_at"])
    progress(f"  {len(rows):,} health rows as of {run.as_of}")
    return len(rows)


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
