"""Writes of the growth area: refresh estimates and suggestions, act on a suggestion."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from tenure.core.bulk_insert import insert_frame, insert_rows
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
    _write_wallets(as_of, wallet, accounts, _bought_json(spend))
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
    return _write_suggestions(as_of, ranked.filter(pl.col("shown")), repair, currency)


#: What a run refreshes on a suggestion it makes again (its outcome is reset with them).
_REFRESHED = (
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
)


def _write_suggestions(
    as_of: dt.date, strong: pl.DataFrame, repair: pl.DataFrame | None, currency: str
) -> int:
    """Insert new suggestions, refresh the ones made again, drop suggested ones no longer
    strong enough; returns how many are shown (``strong`` are all strong enough: only
    those held back for repair are not).

    Row by row through the cursor: a wide catalogue makes hundreds of thousands of
    suggestions, and ``bulk_update``'s one ``CASE WHEN`` per field and row took most of the
    growth step (43 s of 45 s for 2,235 suggestions, profiled).
    """
    held = dict(repair.select("account_id", "why").iter_rows()) if repair is not None else {}
    existing = {
        (account_id, category): (pk, status)
        for pk, account_id, category, status in Opportunity.objects.filter(
            status__in=[OpportunityStatus.SUGGESTED, OpportunityStatus.DECLINED]
        ).values_list("pk", "account_id", "category", "status")
    }
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    day = connection.ops.adapt_datefield_value(as_of)
    fresh, changed, keep, shown = [], [], set(), 0
    # Only suggestions strong enough to make are kept (held back or not): at scale the weak
    # ones would be millions of rows nobody reads.
    for row in strong.iter_rows(named=True):
        key = (row["account_id"], row["product_category"])
        reason = held.get(row["account_id"], "")
        values = (
            day,
            row["rank"],
            float(row["confidence"]),
            int(row["peers"]),
            int(row["peers_buying"]),
            money_or_none(row["peer_median_spend"]),
            currency,
            finite_or_none(row["lift"]),
            row["peer_label"] or "",
            not reason,
            f"the relationship needs repair first: {reason}" if reason else "",
        )
        shown += not reason
        current = existing.get(key)
        if current is None:
            fresh.append((*key, *values, OpportunityStatus.SUGGESTED, now, now))
            continue
        keep.add(current[0])
        # A declined suggestion past its cool-down is suggested again.
        changed.append((*values, OpportunityStatus.SUGGESTED, now, current[0]))
    stale = [
        pk
        for pk, status in existing.values()
        if status == OpportunityStatus.SUGGESTED and pk not in keep
    ]
    # In chunks: SQLite limits the number of query parameters.
    for start in range(0, len(stale), 900):
        Opportunity.objects.filter(pk__in=stale[start : start + 900]).delete()
    insert_rows(
        Opportunity,
        ("account_id", "category", *_REFRESHED, "status", "created_at", "updated_at"),
        fresh,
    )
    table = connection.ops.quote_name(Opportunity._meta.db_table)
    assignments = ", ".join(
        f"{connection.ops.quote_name(c)} = %s" for c in (*_REFRESHED, "status", "updated_at")
    )
    cleared = ", ".join(
        f"{connection.ops.quote_name(c)} = NULL" for c in ("decided_at", "decided_by_id")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(changed), 5000):
            cursor.executemany(
                f"UPDATE {table} SET {assignments}, {cleared} WHERE id = %s",
                changed[start : start + 5000],
            )
    return shown


def _bought_json(spend: pl.DataFrame) -> pl.DataFrame:
    """``account_id`` and ``categories``: what it bought, as a JSON object of category to
    spend in cents precision, made column-wise.

    A dictionary per account built row by row took 13 s of CPU for 3 million (account,
    SKU) pairs; this takes under 4. Keys are sorted, so a run writes the same text twice.
    """
    names = spend.select(pl.col("product_category").unique()).with_columns(
        # Category names are free text: json.dumps quotes and escapes each distinct one once.
        pl.col("product_category").map_elements(json.dumps, return_dtype=pl.String).alias("_key")
    )
    return (
        spend.filter((pl.col("revenue") > 0) & pl.col("revenue").cast(pl.Float64).is_finite())
        .select("account_id", "product_category", pl.col("revenue").cast(pl.Float64).round(2))
        .join(names, on="product_category")
        .sort("account_id", "product_category")
        .group_by("account_id", maintain_order=True)
        .agg(
            pl.concat_str([pl.col("_key"), pl.lit(": "), pl.col("revenue").cast(pl.String)])
            .str.join(", ")
            .alias("categories")
        )
        .select(
            "account_id",
            pl.concat_str([pl.lit("{"), "categories", pl.lit("}")]).alias("categories"),
        )
    )


def _write_wallets(
    as_of: dt.date, wallet: pl.DataFrame, accounts: pl.DataFrame, bought: pl.DataFrame
) -> None:
    """Replace the date's estimates, column-wise: one model instance per account would be
    most of the growth refresh at 200,000 accounts."""
    WalletEstimate.objects.filter(as_of=as_of).delete()
    frame = wallet.join(accounts.select("account_id", "revenue"), on="account_id", how="left").join(
        bought, on="account_id", how="left"
    )
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
        # Returns beyond purchases in the window (a former customer's late credit note) buy
        # nothing: a share of 0, not a negative one.
        bought = revenue.clip(lower_bound=0.0)
        return pl.when(potential[of] > 0).then(bought / potential[of]).otherwise(None)

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
        pl.col("categories").fill_null("{}"),
        pl.lit(timezone.now()).alias("created_at"),
    )
    insert_frame(WalletEstimate, values)


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
