"""Reads of health, risk and CLV for the account page and "my accounts".

- :func:`account_health_latest` — the newest ``AccountHealth`` row of an account;
- :func:`account_health_trend` — the change over 30 and 90 days, what moved it, and whether
  the scorecard version changed in between;
- :func:`account_health_panel` — everything the ``health/_health.html`` partial shows;
- :func:`with_health` / :func:`by_value_at_risk` — annotate and order an ``Account`` queryset
  by latest risk, CLV, health and risk × CLV;
- :func:`what_if_contact_left` — the health and risk an account would have without a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

import polars as pl
from django.db.models import F, FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast

from tenure.accounts.models import Account, Contact
from tenure.health.clv_note import clv_fit_note
from tenure.health.engagement_features import (
    ENGAGEMENT_COLUMNS,
    engagement_features,
    load_crm_events,
)
from tenure.health.models import AccountHealth, HealthScorecard
from tenure.health.services import churn_definition_current, risk_model_load
from tenure.insights.health import (
    Scorecard,
    health_change,
    health_inputs,
    missing_flags,
    score_basis,
    score_health,
)
from tenure.insights.risk import RISK_FEATURES
from tenure.ledger.feature_names import ACCOUNT_FEATURES

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

#: Health inputs recomputed from the CRM in "what if" (the others come from the ledger).
CRM_SOURCES = frozenset({*ENGAGEMENT_COLUMNS, "cadence_ratio", "open_issue_weight"})
#: The snapshot's ledger features the risk model reads.
LEDGER_COLUMNS = tuple(c for c in ACCOUNT_FEATURES if c != "last_order_date")


def account_health_latest(account_id: int) -> AccountHealth | None:
    """The account's newest health row (with its run), or ``None`` before any."""
    return (
        AccountHealth.objects.filter(account_id=account_id)
        .select_related("run")
        .order_by("-as_of")
        .first()
    )


def _scorecard(version: str) -> Scorecard | None:
    row = HealthScorecard.objects.filter(version=version).first()
    return Scorecard.from_dict(row.definition) if row is not None else None


def _labels(*versions: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in HealthScorecard.objects.filter(version__in=[v for v in versions if v]):
        card = Scorecard.from_dict(row.definition)
        labels.update({m.key: m.label for m in card.measures if m.key not in labels})
    return labels


@dataclass(frozen=True)
class HealthTrend:
    """The change of an account's health over ``days``.

    ``previous`` is the newest row between ``days`` and ``2 × days`` older than the latest
    (``None`` when there is none, so a 30-day change never compares with a year ago);
    ``movers`` are the measures whose points moved most, as dicts with ``measure``,
    ``label`` and ``change``; ``version_changed`` marks a comparison across scorecard
    versions.
    """

    days: int
    latest: AccountHealth
    previous: AccountHealth | None
    change: float | None
    movers: list[dict[str, Any]] = field(default_factory=list)
    version_changed: bool = False


def account_health_trend(
    account_id: int, days: tuple[int, ...] = (30, 90), *, latest: AccountHealth | None = None
) -> list[HealthTrend]:
    """Health change over each of ``days``, with the measures behind it."""
    latest = latest or account_health_latest(account_id)
    if latest is None:
        return []
    trends = []
    for span in days:
        previous = (
            AccountHealth.objects.filter(
                account_id=account_id,
                as_of__lte=latest.as_of - dt.timedelta(days=span),
                as_of__gte=latest.as_of - dt.timedelta(days=2 * span),
            )
            .order_by("-as_of")
            .first()
        )
        if previous is None:
            trends.append(HealthTrend(span, latest, None, None))
            continue
        moved = health_change(
            latest.health_score,
            latest.health_contributions,
            previous.health_score,
            previous.health_contributions,
            current_version=latest.health_version,
            previous_version=previous.health_version,
        )
        labels = _labels(latest.health_version, previous.health_version)
        trends.append(
            HealthTrend(
                span,
                latest,
                previous,
                moved.change,
                [
                    {"measure": key, "label": labels.get(key, key), "change": delta}
                    for key, delta in moved.movers
                ],
                moved.version_changed,
            )
        )
    return trends


@dataclass(frozen=True)
class HealthPanel:
    """What the account page's health partial shows (``health/_health.html``).

    ``measures`` are dicts with ``key``, ``group``, ``label``, ``value``, ``score`` (0–100)
    and ``points`` (its contribution; ``None`` when left out); ``flags`` the measures left
    out, with ``label`` and ``reason``; ``basis`` what a score below the coverage floor rests
    on ("based on revenue only: …"), ``None`` for a full score; ``clv_note`` what the CLV
    fit of the run was (:func:`~tenure.health.clv_note.clv_fit_note`), ``None`` when identified.
    """

    health: AccountHealth
    measures: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    trend: list[HealthTrend]
    basis: str | None = None
    clv_note: str | None = None


def account_health_panel(account_id: int) -> HealthPanel | None:
    """The latest health with each measure's label, value, score and points, and the trend."""
    latest = account_health_latest(account_id)
    if latest is None:
        return None
    card = _scorecard(latest.health_version)
    measures, flags = [], []
    if card is not None:
        for group in card.groups:
            for m in group.measures:
                value = latest.health_measures.get(m.key)
                measures.append(
                    {
                        "key": m.key,
                        "group": group.label,
                        "label": m.label,
                        "value": value,
                        "score": m.score_of(value),
                        "points": latest.health_contributions.get(m.key),
                    }
                )
        flags = missing_flags(list(latest.health_flags), card)
    basis = None
    if card is not None:
        basis = score_basis(latest.health_score, latest.health_coverage, card)
    trend = account_health_trend(account_id, latest=latest)
    return HealthPanel(latest, measures, flags, trend, basis, clv_fit_note(latest.run.clv_fit))


def account_lifetime_value(account_id: int) -> dict[str, Any] | None:
    """The account's latest CLV and probability alive with their 90 % intervals and the fit note.

    What the API's account representation carries as ``lifetime_value``; ``None`` before the
    account's first scoring run.
    """
    latest = account_health_latest(account_id)
    if latest is None:
        return None
    fit = latest.run.clv_fit or {}
    return {
        "as_of": latest.as_of,
        "currency": latest.run.currency,
        "months": latest.clv_months,
        "clv": latest.clv,
        "clv_low": latest.clv_low,
        "clv_high": latest.clv_high,
        "p_alive": latest.probability_alive,
        "p_alive_low": latest.probability_alive_low,
        "p_alive_high": latest.probability_alive_high,
        "model": fit.get("model"),
        "identified": fit.get("identified") if "model" in fit else None,
        "fallback": bool(fit.get("fallback")) if "model" in fit else None,
        "note": clv_fit_note(fit),
    }


class HealthAnnotations(TypedDict):
    """What :func:`with_health` adds to each account."""

    health_score: float | None
    churn_risk: float | None
    lifetime_value: Decimal | None
    lifetime_value_low: Decimal | None
    lifetime_value_high: Decimal | None
    value_at_risk: float | None


def with_health(
    queryset: QuerySet[Account],
) -> QuerySet[WithAnnotations[Account, HealthAnnotations]]:
    """Annotate accounts with their latest ``health_score``, ``churn_risk``,
    ``lifetime_value`` (with ``lifetime_value_low``/``_high``, its 90 % interval) and
    ``value_at_risk`` (risk × CLV; null when either is unknown)."""
    latest = AccountHealth.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    return queryset.annotate(
        health_score=Subquery(latest.values("health_score")[:1], output_field=FloatField()),
        churn_risk=Subquery(latest.values("risk")[:1], output_field=FloatField()),
        lifetime_value=Subquery(latest.values("clv")[:1]),
        lifetime_value_low=Subquery(latest.values("clv_low")[:1]),
        lifetime_value_high=Subquery(latest.values("clv_high")[:1]),
    ).annotate(
        value_at_risk=F("churn_risk") * Cast("lifetime_value", FloatField()),
    )


def by_value_at_risk(
    queryset: QuerySet[Account],
) -> QuerySet[WithAnnotations[Account, HealthAnnotations]]:
    """Accounts with the most lifetime value at risk first; unscored ones last."""
    return with_health(queryset).order_by(
        F("value_at_risk").desc(nulls_last=True), F("churn_risk").desc(nulls_last=True), "name"
    )


def most_at_risk(*, threshold: float, limit: int) -> list[Account]:
    """The ``limit`` accounts (churned ones left out) whose latest churn risk is at least
    ``threshold``, the most lifetime value at risk first (see :func:`by_value_at_risk`).

    Only accounts with some health row at or above the line are annotated: the latest risk
    of any other cannot reach it. Annotating every account first (five subqueries each) and
    then filtering took most of the director's home at 50,000 accounts.
    """
    candidates = AccountHealth.objects.filter(risk__gte=threshold).values("account_id")
    accounts = Account.objects.exclude(status="churned").filter(pk__in=candidates)
    return list(by_value_at_risk(accounts).filter(churn_risk__gte=threshold)[:limit])


@dataclass(frozen=True)
class WhatIf:
    """An account's health and risk with and without one contact, on the latest run's date.

    Both sides are recomputed from today's CRM records as they stood on ``as_of``, so the
    difference is the contact's alone. ``changes`` lists the inputs that move.
    """

    account_id: int
    contact_id: int
    as_of: dt.date
    health_before: float | None
    health_after: float | None
    risk_before: float | None
    risk_after: float | None
    changes: list[dict[str, Any]]


def _health_row(
    engagement: pl.DataFrame, stored: AccountHealth, tier: str, card: Scorecard
) -> tuple[pl.DataFrame, float | None]:
    """Health inputs with the CRM part recomputed and the ledger part as stored."""
    frame = health_inputs(
        engagement.with_columns(pl.lit(tier or None, pl.String).alias("tier")), card
    )
    values = {}
    for m in card.measures:
        if m.source in CRM_SOURCES and m.source in frame.columns:
            values[m.source] = frame[m.source].cast(pl.Float64).to_list()
        else:
            values[m.source] = [stored.health_measures.get(m.key)]
    inputs = pl.DataFrame({"account_id": [stored.account_id], **values}).with_columns(
        pl.col(c).cast(pl.Float64) for c in values
    )
    return inputs, score_health(inputs, card)["health_score"][0]


def _ledger_state(stored: AccountHealth, snapshot: LedgerSnapshot | None) -> pl.DataFrame:
    """The run's ledger inputs of the account: its snapshot plus the recent spend."""
    if snapshot is not None and snapshot.as_of != stored.as_of:
        snapshot = None
    row: dict[str, Any] = {
        "account_id": stored.account_id,
        "account_key": "",
        "probability_alive": stored.probability_alive,
        "revenue_90d": stored.revenue_90d,
        "revenue_90d_prior_year": stored.revenue_90d_prior_year,
    }
    for name in LEDGER_COLUMNS:
        value = getattr(snapshot, name, None) if snapshot is not None else None
        row[name] = float(value) if isinstance(value, Decimal | int) else value
    schema = {name: pl.Float64 for name in row} | {
        "account_id": pl.Int64,
        "account_key": pl.String,
        "first_order_date": pl.Date,
    }
    return pl.DataFrame([row], schema=schema)


class LedgerSnapshot(Protocol):
    """An account's ledger features as of a date (the scoring app's ``AccountSnapshot``)."""

    as_of: dt.date


def what_if_contact_left(
    account: Account, contact: Contact, *, snapshot: LedgerSnapshot | None
) -> WhatIf | None:
    """Health and risk of ``account`` if ``contact`` left it on the latest run's date.

    The contact's positions there end on that date and their interactions with the
    account no longer count: fewer people engaged, maybe no decision maker, one more
    departure. Health is re-scored with the scorecard version of the latest run; risk is
    re-predicted with the saved model when it fits that date (else ``None``), from the
    run's ledger inputs and the CRM recomputed both ways. ``snapshot`` is the account's
    latest snapshot: its ledger features count when it is of the health row's date.
    """
    stored = account_health_latest(account.pk)
    if stored is None:
        return None
    card = _scorecard(stored.health_version)
    if card is None:
        return None
    events = load_crm_events(account_ids=[account.pk])
    gone = events.without_contact(account_id=account.pk, contact_id=contact.pk, on=stored.as_of)
    loaded = None
    if stored.risk is not None:
        loaded = risk_model_load(as_of=stored.as_of, definition=churn_definition_current())
    ledger = _ledger_state(stored, snapshot) if loaded is not None else None
    sides = {}
    for name, facts in (("before", events), ("after", gone)):
        health_engagement = engagement_features(
            facts, as_of=stored.as_of, window_days=card.window_days, recent_days=card.recent_days
        )
        inputs, score = _health_row(health_engagement, stored, account.tier, card)
        risk = None
        if loaded is not None and ledger is not None:
            # Imported here: it brings Ibis and the CLV fits (0.37 s), and the URL tree, which
            # every `tenure` command loads, imports this module.
            from tenure.health.risk_training import model_inputs

            state = ledger.join(engagement_features(facts, as_of=stored.as_of), on="account_id")
            features = model_inputs(state, as_of=stored.as_of).select(RISK_FEATURES)
            risk = float(loaded[0].predict_proba(features)[0])
        sides[name] = (inputs, score, risk)

    labels = {m.source: m.label for m in card.measures}
    before_inputs, after_inputs = sides["before"][0], sides["after"][0]
    changes = [
        {"label": labels[c], "before": before_inputs[c][0], "after": after_inputs[c][0]}
        for c in labels
        if before_inputs[c][0] != after_inputs[c][0]
    ]
    return WhatIf(
        account_id=account.pk,
        contact_id=contact.pk,
        as_of=stored.as_of,
        health_before=sides["before"][1],
        health_after=sides["after"][1],
        risk_before=sides["before"][2],
        risk_after=sides["after"][2],
        changes=changes,
    )
