"""Writes of the growth area: refresh estimates and suggestions, act on a suggestion."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tenure.core.bulk_insert import create_all, insert_rows
from tenure.core.errors import DomainError
from tenure.core.models import settings_in_force
from tenure.core.numbers import finite_column, finite_or_none, money_or_none
from tenure.core.validation import validate_and_save
from tenure.growth.choices import OpportunityStatus
from tenure.growth.models import GrowthSettings, Opportunity, WalletEstimate
from tenure.insights.wallet import OpportunityPolicy, opportunities, peer_groups, whitespace
from tenure.insights.wallet_potential import potential_spend
from tenure.planning import services as planning
from tenure.planning.choices import Horizon, PlanStatus
from tenure.planning.models import AccountPlan, Action

OUTCOMES = (OpportunityStatus.OFFERED, OpportunityStatus.ACCEPTED, OpportunityStatus.DECLINED)


def growth_settings_current() -> GrowthSettings:
    """The settings in force, saved with their defaults on first use."""
    return settings_in_force(GrowthSettings)


@transaction.atomic
def growth_refresh(
    *,
    as_of: dt.date,
    accounts: pl.DataFrame,
    spend: pl.DataFrame,
    repair: pl.DataFrame | None = None,
    suggestions: bool = True,
    currency: str = "",
) -> int:
    """Re-estimate every account's wallet and refresh the suggestions; returns how many
    suggestions are shown.

    ``accounts``: ``account_id``, ``industry``, ``employees``, ``revenue`` (trailing 12
    months). ``spend``: ``account_id``, ``product_category``, ``revenue`` (trailing 12
    months). ``repair``: ``account_id`` and ``why`` for accounts whose relationship needs
    repair first (low health, high risk): they get no suggestions.

    Suggestions keep their outcome: a planned, offered or accepted one is never touched,
    a declined one comes back only after the cool-down, with fresh evidence. With
    ``suggestions=False`` (a back-dated run) only the date's wallet estimates are written:
    the suggestions stay those of the latest run, and 0 is returned. ``currency`` is the
    run's reporting currency, which the suggestions' peer spend is in.
    """
    settings = growth_settings_current()
    groups = peer_groups(accounts)
    # Potential is bounded by revenue here, once: pages and the API read the stored shares.
    wallet = potential_spend(accounts, min_peers=settings.min_peers)
    bought: dict[int, dict[str, float]] = {}
    for account_id, category, value in (
        spend.filter(pl.col("revenue") > 0)
        .select("account_id", "product_category", pl.col("revenue").cast(pl.Float64))
        .iter_rows()
    ):
        bought.setdefault(account_id, {})[category] = round(value, 2)
    _write_wallets(as_of, wallet, accounts, bought)
    if not suggestions:
        return 0

    # The cool-down counts in the run's days (``as_of``), like every other rule of the run.
    cooldown = timezone.make_aware(
        dt.datetime.combine(as_of - dt.timedelta(days=settings.decline_cooldown_days), dt.time.min)
    )
    blocked = pl.DataFrame(
        list(
            Opportunity.objects.exclude(status=OpportunityStatus.SUGGESTED)
            .exclude(status=OpportunityStatus.DECLINED, decided_at__lt=cooldown)
            .values_list("account_id", "category")
        ),
        schema={"account_id": pl.Int64, "product_category": pl.String},
        orient="row",
    )
    policy = OpportunityPolicy(
        min_confidence=settings.min_confidence,
        min_peers=settings.min_peers,
        min_lift=settings.min_lift,
    )
    ranked = opportunities(whitespace(spend, groups), policy=policy, excluded=blocked)
    held = dict(repair.select("account_id", "why").iter_rows()) if repair is not None else {}

    existing = {
        (o.account_id, o.category): o
        for o in Opportunity.objects.filter(
            status__in=[OpportunityStatus.SUGGESTED, OpportunityStatus.DECLINED]
        )
    }
    fresh, changed, keep = [], [], set()
    # Only suggestions strong enough to make are kept (held back or not): at scale the weak
    # ones would be millions of rows nobody reads.
    for row in ranked.filter(pl.col("shown")).iter_rows(named=True):
        key = (row["account_id"], row["product_category"])
        reason = held.get(row["account_id"], "")
        fields = {
            "as_of": as_of,
            "rank": row["rank"],
            "confidence": float(row["confidence"]),
            "peers": int(row["peers"]),
            "peers_buying": int(row["peers_buying"]),
            "peer_median_spend": money_or_none(row["peer_median_spend"]),
            "currency": currency,
            "lift": finite_or_none(row["lift"]),
            "peer_label": row["peer_label"] or "",
            "shown": bool(row["shown"]) and not reason,
            "held_back": f"the relationship needs repair first: {reason}" if reason else "",
        }
        current = existing.get(key)
        if current is None:
            fresh.append(Opportunity(account_id=key[0], category=key[1], **fields))
            continue
        keep.add(current.pk)
        for name, value in fields.items():
            setattr(current, name, value)
        # A declined suggestion past its cool-down is suggested again.
        current.status, current.decided_at, current.decided_by = (
            OpportunityStatus.SUGGESTED,
            None,
            None,
        )
        changed.append(current)
    stale = [
        o.pk
        for o in existing.values()
        if o.status == OpportunityStatus.SUGGESTED and o.pk not in keep
    ]
    # In chunks: SQLite limits the number of query parameters.
    for start in range(0, len(stale), 900):
        Opportunity.objects.filter(pk__in=stale[start : start + 900]).delete()
    create_all(Opportunity, fresh)
    Opportunity.objects.bulk_update(
        changed,
        [
            "as_of",
            "rank",
            "confidence",
            "peers",
            "peers_buying",
            "peer_median_spend",
            "currency",
            "lift",
            "peer_label",
            "shown",
            "held_back",
            "status",
            "decided_at",
            "decided_by",
        ],
        batch_size=500,
    )
    return sum(1 for o in [*fresh, *changed] if o.shown)


_WALLET_COLUMNS = (
    "account_id",
    "as_of",
    "revenue_t12m",
    "potential_low",
    "potential",
    "potential_high",
    "share_of_wallet",
    "share_low",
    "share_high",
    "n_peers",
    "peer_label",
    "reason",
    "above_peers",
    "categories",
    "created_at",
)


def _write_wallets(
    as_of: dt.date, wallet: pl.DataFrame, accounts: pl.DataFrame, bought: dict[int, dict]
) -> None:
    """Replace the date's estimates, column-wise: one model instance per account would be
    most of the growth refresh at 200,000 accounts."""
    WalletEstimate.objects.filter(as_of=as_of).delete()
    frame = wallet.join(accounts.select("account_id", "revenue"), on="account_id", how="left")
    # Rounding each figure to cents keeps revenue ≤ low ≤ estimate ≤ high (rounding is
    # monotone), as the table's constraints require.
    revenue = finite_column("revenue").round(2).fill_null(0.0)
    potential = {
        c: finite_column(c).round(2) for c in ("potential_low", "potential", "potential_high")
    }

    def share(of: str) -> pl.Expr:
        # The share of the amounts as stored and shown: a potential taken as what the account
        # buys is a share of exactly 100 %, not 99.99999999999998 % from the unrounded
        # estimate (which every page would read as "over 99 %" beside "100 %").
        return pl.when(potential[of] > 0).then(revenue / potential[of]).otherwise(None)

    values = frame.select(
        "account_id",
        pl.lit(as_of).alias("as_of"),
        revenue.alias("revenue_t12m"),
        *(potential[c].alias(c) for c in ("potential_low", "potential", "potential_high")),
        share("potential").alias("share_of_wallet"),
        # The interval of the share runs the other way: a larger wallet, a smaller share.
        share("potential_high").alias("share_low"),
        share("potential_low").alias("share_high"),
        pl.col("n_peers").fill_null(0).cast(pl.Int64),
        pl.col("peer_label").fill_null(""),
        pl.col("reason").fill_null(""),
        pl.col("above_peers").fill_null(value=False),
    )
    now = timezone.now()
    rows = ((*row, json.dumps(bought.get(row[0], {})), now) for row in values.iter_rows())
    insert_rows(WalletEstimate, _WALLET_COLUMNS, rows, json_columns=frozenset({"categories"}))


def _active_plan(opportunity: Opportunity, by: User, today: dt.date) -> AccountPlan:
    plan = (
        AccountPlan.objects.filter(account=opportunity.account_id, status=PlanStatus.ACTIVE)
        .order_by("-starts_on")
        .first()
    )
    if plan is not None:
        return plan
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return planning.plan_create(
        account=opportunity.account,
        title=f"Grow {opportunity.account.name}",
        horizon=Horizon.SHORT,
        starts_on=quarter,
        ends_on=quarter + dt.timedelta(days=90),
        owner=by,
    )


@transaction.atomic
def opportunity_plan(
    *, opportunity: Opportunity, by: User, due_on: dt.date | None = None
) -> Action:
    """Turn a suggestion into an action in the account's active plan (one is started if
    there is none), owned by ``by``."""
    opportunity = (
        Opportunity.objects.select_for_update().select_related("account").get(pk=opportunity.pk)
    )
    if opportunity.status != OpportunityStatus.SUGGESTED:
        raise DomainError(
            f"{opportunity.category} is already {opportunity.get_status_display().lower()}",
            field="status",
        )
    today = timezone.localdate()
    plan = _active_plan(opportunity, by, today)
    due = due_on or min(today + dt.timedelta(days=30), plan.ends_on)
    action = planning.action_add(
        plan=plan,
        title=f"Offer {opportunity.category}: {opportunity.evidence}"[:200],
        owner=by,
        due_on=max(due, plan.starts_on),
    )
    opportunity.status = OpportunityStatus.PLANNED
    opportunity.action = action
    opportunity.decided_at = timezone.now()
    opportunity.decided_by = by
    validate_and_save(opportunity)
    return action


@transaction.atomic
def opportunity_record(*, opportunity: Opportunity, outcome: str, by: User) -> Opportunity:
    """Record that a suggestion was offered, accepted or declined."""
    if outcome not in OUTCOMES:
        raise DomainError("the outcome is offered, accepted or declined", field="outcome")
    if opportunity.status in (OpportunityStatus.ACCEPTED, OpportunityStatus.DECLINED):
        raise DomainError(
            f"{opportunity.category} was already {opportunity.status}", field="outcome"
        )
    opportunity.status = outcome
    opportunity.decided_at = timezone.now()
    opportunity.decided_by = by
    validate_and_save(opportunity)
    return opportunity
