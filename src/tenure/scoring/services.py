"""Writes of the scoring area: runs and their snapshots, ratings, key-list decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from tenure.accounts import services as accounts_services
from tenure.accounts.models import Account
from tenure.core.bulk_insert import insert_frame, json_text
from tenure.core.errors import DomainError
from tenure.core.models import settings_in_force
from tenure.core.numbers import finite_column, finite_or_none
from tenure.core.scorecards import active_scorecard, scorecard_version_publish
from tenure.core.validation import validate_and_save
from tenure.insights.segmentation import DEFAULT_QUALIFICATION, KeyListPolicy, Scorecard
from tenure.ledger.rates import ReportingCurrency
from tenure.planning.onboarding_services import onboarding_start
from tenure.scoring.choices import DecisionOutcome, KeyListAction, QualitativeCriterion, RunStatus
from tenure.scoring.models import (
    AccountSnapshot,
    KeyListDecision,
    PortfolioSnapshot,
    QualificationRating,
    QualificationScorecard,
    RevenueSeries,
    ScoringRun,
    ScoringSettings,
)
from tenure.scoring.portfolio import PortfolioResult, segment_portfolio
from tenure.scoring.selectors import run_is_latest

Progress = Callable[[str], None]


def scoring_settings_current() -> ScoringSettings:
    """The settings in force; the defaults are saved on first use so runs can cite them."""
    return settings_in_force(ScoringSettings)


def scorecard_current() -> tuple[QualificationScorecard, Scorecard]:
    """The active qualification scorecard, creating the default version on first use."""
    return active_scorecard(QualificationScorecard, DEFAULT_QUALIFICATION)


def scorecard_publish(
    *, definition: dict[str, Any], version: str, note: str = ""
) -> QualificationScorecard:
    """Publish a new qualification scorecard version and make it the active one."""
    return scorecard_version_publish(
        QualificationScorecard, Scorecard, definition=definition, version=version, note=note
    )


@transaction.atomic
def rating_set(
    *, account: Account, criterion: str, score: int, rated_by: User, note: str = ""
) -> QualificationRating:
    """Rate an account 1–5 on a qualitative criterion (replacing an earlier rating)."""
    if criterion not in QualitativeCriterion.values:
        raise DomainError(f"unknown criterion {criterion!r}", field="criterion")
    rating = QualificationRating.objects.filter(account=account, criterion=criterion).first()
    rating = rating or QualificationRating(account=account, criterion=criterion)
    rating.score, rating.rated_by, rating.note = score, rated_by, note
    validate_and_save(rating, exclude=["account"])
    return rating


def _policy(settings: ScoringSettings) -> KeyListPolicy:
    return KeyListPolicy(
        max_key_accounts=settings.max_key_accounts,
        max_additions_per_period=settings.max_additions_per_period,
        promote_min_score=settings.promote_min_score,
        promote_min_growth=settings.promote_min_growth,
        demote_below_score=settings.demote_below_score,
    )


def quarter_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s calendar quarter (the period promotions are capped over)."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def promotions_accepted_since(start: dt.date) -> int:
    """Promotions accepted since ``start`` (they count against the per-period cap)."""
    return KeyListDecision.objects.filter(
        action=KeyListAction.PROMOTE,
        outcome=DecisionOutcome.ACCEPTED,
        created_at__date__gte=start,
    ).count()


def scoring_run(
    *,
    as_of: dt.date,
    features: pl.DataFrame,
    monthly: pl.DataFrame,
    progress: Progress = lambda _: None,
    ledger_through: dt.date | None = None,
    currency: ReportingCurrency | None = None,
    parameters: Mapping[str, Any] | None = None,
    finish: bool = True,
) -> ScoringRun:
    """Segment the portfolio from ledger features and write the snapshots for ``as_of``.

    Re-running for the same date replaces that date's snapshots; it never duplicates them.
    A back-dated run (a later run exists) writes its date's snapshots only: the accounts'
    tiers and revenue series stay those of the latest run.
    ``ledger_through`` is the ledger's last order day the features count to, recorded with
    the run so pages can say how far the orders go; ``currency`` the reporting currency the
    features' amounts are in, recorded so every money figure shows it; ``parameters`` what
    the run's other steps record with it (the health step's scorecard, CLV fit and risk
    model). With ``finish=False`` the run stays *running*: the caller has more steps to
    take and marks it with ``scoring_run_finish`` or ``scoring_run_fail``.
    """
    settings = scoring_settings_current()
    scorecard_row, scorecard = scorecard_current()
    crm = pl.DataFrame(
        list(Account.objects.values_list("id", "external_id", "is_key_account")),
        schema={"account_id": pl.Int64, "external_id": pl.String, "is_key": pl.Boolean},
        orient="row",
    )
    ratings = pl.DataFrame(
        list(QualificationRating.objects.values_list("account_id", "criterion", "score")),
        schema={"account_id": pl.Int64, "criterion": pl.String, "score": pl.Float64},
        orient="row",
    )
    progress(f"Segmenting {crm.height:,} accounts against {features.height:,} ledger accounts…")
    result = segment_portfolio(
        crm_accounts=crm,
        features=features,
        monthly=monthly,
        ratings=ratings,
        scorecard=scorecard,
        policy=_policy(settings),
        a_share=settings.a_share,
        b_share=settings.b_share,
        added_this_period=promotions_accepted_since(quarter_start(as_of)),
        as_of=as_of,
    )
    recorded: dict[str, Any] = {
        **(parameters or {}),
        "a_share": settings.a_share,
        "b_share": settings.b_share,
        "scorecard": scorecard_row.version,
        "policy": _policy(settings).__dict__,
    }
    if currency is not None:
        recorded["currencies"] = {
            "ledger": list(currency.ledger) or [currency.code],
            "rates": {code: f"{rate.normalize():f}" for code, rate in currency.rates.items()},
        }
    with transaction.atomic():
        run = ScoringRun.objects.create(
            as_of=as_of,
            ledger_through=ledger_through,
            currency=currency.code if currency is not None else "",
            parameters=recorded,
        )
        _write_snapshots(run, result, scorecard_row.version, progress)
        if run_is_latest(as_of=as_of):
            _write_series(result, as_of, progress)
            _write_tiers(result)
        else:
            progress(
                f"  a later run exists: {as_of}'s snapshots only (tiers and revenue series "
                "stay those of the latest run)"
            )
        PortfolioSnapshot.objects.filter(as_of=as_of).delete()
        PortfolioSnapshot.objects.create(
            run=run,
            as_of=as_of,
            concentration=_clean(result.concentration.as_dict()),
            tiers=result.tier_table,
            pareto=result.pareto,
        )
        run.accounts_scored = result.accounts.height
        run.unmatched_keys = result.unmatched_keys
        run.save(update_fields=["accounts_scored", "unmatched_keys"])
        if finish:
            scoring_run_finish(run=run)
    return run


def scoring_run_finish(*, run: ScoringRun) -> ScoringRun:
    """Mark a run done: only once its last step has been written."""
    return _run_close(run, RunStatus.DONE)


def scoring_run_fail(*, run: ScoringRun) -> ScoringRun:
    """Mark a run failed: a step after the snapshots raised (what was written stays)."""
    return _run_close(run, RunStatus.FAILED)


def _run_close(run: ScoringRun, status: RunStatus) -> ScoringRun:
    run.status = status
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: finite_or_none(v) if isinstance(v, float) else v for k, v in data.items()}


def _write_snapshots(
    run: ScoringRun, result: PortfolioResult, version: str, progress: Progress
) -> None:
    """One row per account, built column-wise and written in one bulk insert."""
    AccountSnapshot.objects.filter(as_of=run.as_of).delete()
    frame = result.accounts
    contributions = frame["qualification_contributions"].struct.rename_fields(
        [
            n.removeprefix("contribution_")
            for n in frame["qualification_contributions"].struct.fields
        ]
    )
    reasons = pl.concat_list(
        pl.col("keylist_reasons").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.when(pl.col("cap_reason").is_not_null())
        .then(pl.concat_list(pl.col("cap_reason")))
        .otherwise(pl.lit([], dtype=pl.List(pl.String))),
    )
    values = frame.with_columns(
        contributions.alias("_contributions"), reasons.cast(pl.List(pl.String)).alias("_reasons")
    ).select(
        pl.lit(run.pk).alias("run_id"),
        "account_id",
        pl.lit(run.as_of).alias("as_of"),
        "first_order_date",
        "last_order_date",
        pl.col("orders").fill_null(0).cast(pl.Int64),
        *(
            finite_column(c).round(2).fill_null(0.0)
            for c in ("revenue_total", "revenue_t12m", "revenue_prev12m")
        ),
        finite_column("growth"),
        pl.col("product_breadth").fill_null(0).cast(pl.Int64),
        finite_column("avg_order_value").round(2),
        finite_column("median_interval_days"),
        finite_column("returns_share"),
        pl.col("days_since_last_order").cast(pl.Int64),
        pl.col("tier").fill_null(""),
        pl.col("revenue_rank").cast(pl.Int64),
        finite_column("revenue_share"),
        finite_column("cumulative_share"),
        finite_column("qualification_score"),
        finite_column("qualification_coverage"),
        pl.col("_contributions").struct.json_encode().alias("qualification_contributions"),
        pl.lit(version).alias("qualification_version"),
        pl.col("keylist_action").fill_null(""),
        json_text("_reasons").alias("keylist_reasons"),
        pl.col("keylist_over_cap").fill_null(False),
        pl.lit(timezone.now()).alias("created_at"),
    )
    written = insert_frame(AccountSnapshot, values)
    progress(f"  {written:,} account snapshots as of {run.as_of}")


def _write_series(result: PortfolioResult, as_of: dt.date, progress: Progress) -> None:
    monthly = result.monthly
    RevenueSeries.objects.all().delete()
    if monthly.height == 0:
        return
    first = monthly["month"].min()
    assert isinstance(first, dt.date)  # a Date column with at least one row
    months = pl.date_range(first, dt.date(as_of.year, as_of.month, 1), "1mo", eager=True)
    grid = (
        monthly.select("account_id", "month", pl.col("revenue").round(2))
        .pivot(on="month", index="account_id", values="revenue", sort_columns=True)
        .with_columns(pl.exclude("account_id").fill_null(0.0))
    )
    names = [str(m) for m in months]
    grid = grid.with_columns(pl.lit(0.0).alias(n) for n in names if n not in grid.columns)
    values = grid.select(
        "account_id", pl.concat_list(names).cast(pl.List(pl.Float64)).alias("values")
    ).select(
        "account_id",
        pl.lit(as_of).alias("as_of"),
        pl.lit(first).alias("first_month"),
        json_text("values"),
        pl.lit(timezone.now()).alias("updated_at"),
    )
    written = insert_frame(RevenueSeries, values)
    progress(f"  monthly revenue series for {written:,} accounts")


def _write_tiers(result: PortfolioResult) -> None:
    """Tiers belong to the scoring run: it alone writes ``Account.tier``.

    Only the accounts whose tier changed are written, by primary key in one
    ``executemany``: a filter on 200,000 ids in chunks spent its time building the ORM's
    ``IN`` lists, most of them for accounts already in their tier.
    """
    current = pl.DataFrame(
        list(Account.objects.values_list("id", "tier")),
        schema={"account_id": pl.Int64, "current": pl.String},
        orient="row",
    )
    changed = (
        result.accounts.select("account_id", "tier")
        .join(current, on="account_id", how="inner")
        .filter(pl.col("tier").ne_missing(pl.col("current")))
    )
    if changed.height == 0:
        return
    table = connection.ops.quote_name(Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET tier = %s WHERE id = %s",
            changed.select("tier", "account_id").rows(),
        )


@transaction.atomic
def keylist_decide(
    *,
    account: Account,
    action: str,
    outcome: str,
    decided_by: User,
    reason: str,
    on: dt.date,
) -> KeyListDecision:
    """Record a decision on a proposed key-list change, and carry it out when accepted.

    The list never changes by itself: promotion and removal happen only here, with who
    and why. An accepted promotion starts the account's onboarding checklist.
    """
    if action not in KeyListAction.values:
        raise DomainError(f"unknown action {action!r}", field="action")
    if outcome not in DecisionOutcome.values:
        raise DomainError(f"unknown outcome {outcome!r}", field="outcome")
    if not reason.strip():
        raise DomainError("say why", field="reason")
    account = Account.objects.select_for_update().get(pk=account.pk)
    if action == KeyListAction.PROMOTE and account.is_key_account:
        raise DomainError(f"{account.name} is already a key account", field="action")
    if action == KeyListAction.DEMOTE and not account.is_key_account:
        raise DomainError(f"{account.name} is not a key account", field="action")
    snapshot = account.snapshots.order_by("-as_of").first()
    if outcome == DecisionOutcome.ACCEPTED:
        if action == KeyListAction.PROMOTE:
            accounts_services.account_designate_key(account=account, since=on)
            # A new key account starts its onboarding checklist on the day it is promoted.
            onboarding_start(account=account, started_on=on, started_by=decided_by)
        else:
            accounts_services.account_remove_key(account=account)
    decision = KeyListDecision(
        account=account,
        action=action,
        outcome=outcome,
        decided_by=decided_by,
        reason=reason.strip(),
        evidence=snapshot.keylist_reasons if snapshot else [],
        snapshot_as_of=snapshot.as_of if snapshot else None,
    )
    validate_and_save(decision)
    return decision


@transaction.atomic
def keylist_decide_many(
    *,
    proposals: Sequence[tuple[Account, str]],
    outcome: str,
    decided_by: User,
    reason: str,
    on: dt.date,
) -> list[KeyListDecision]:
    """Decide several proposals (each an account and its proposed action) the same way for
    one reason: every decision is recorded on its own, as :func:`keylist_decide` would, and
    either all are made or none."""
    if not proposals:
        raise DomainError("select at least one proposal", field="proposals")
    if not reason.strip():
        raise DomainError("say why", field="reason")
    return [
        keylist_decide(
            account=account,
            action=action,
            outcome=outcome,
            decided_by=decided_by,
            reason=reason,
            on=on,
        )
        for account, action in proposals
    ]
