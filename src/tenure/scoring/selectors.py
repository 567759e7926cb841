"""Reads of scoring results that pages, the API and the CLI share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl
from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, TeamMembership
from tenure.accounts.permissions import AnyUser, visible_account_q
from tenure.engagement.models import Interaction
from tenure.engagement.seasonal import last_complete_month
from tenure.insights.seasonality import (
    DEFAULT_STRENGTH_THRESHOLD,
    MonthlyPanel,
    panel_from_series,
    seasonal_profile,
)
from tenure.planning.choices import ActionStatus
from tenure.planning.models import Action
from tenure.scoring.choices import KeyListAction, RunStatus
from tenure.scoring.models import (
    AccountSnapshot,
    KeyListDecision,
    PortfolioSnapshot,
    RevenueSeries,
    ScoringRun,
)


def run_is_latest(*, as_of: dt.date) -> bool:
    """Whether a scoring run for ``as_of`` speaks for the present: no later run has finished.

    A back-dated run writes its own date's snapshots only; what pages show as current
    (tiers, revenue series, growth suggestions, planned touchpoints) follows the latest run.
    """
    return not ScoringRun.objects.filter(as_of__gt=as_of, status=RunStatus.DONE).exists()


def portfolio_latest() -> PortfolioSnapshot | None:
    """The newest portfolio snapshot, or None before the first scoring run."""
    return PortfolioSnapshot.objects.select_related("run").first()


def snapshots_for(*, as_of: dt.date) -> QuerySet[AccountSnapshot]:
    """All account snapshots of a date, with their account and its manager loaded."""
    return AccountSnapshot.objects.filter(as_of=as_of).select_related("account")


def _open_proposal() -> Q:
    decided = KeyListDecision.objects.filter(
        account=OuterRef("account_id"),
        action=OuterRef("keylist_action"),
        snapshot_as_of__gte=OuterRef("as_of"),
    )
    still_applies = Q(keylist_action=KeyListAction.PROMOTE, account__is_key_account=False) | Q(
        keylist_action=KeyListAction.DEMOTE, account__is_key_account=True
    )
    return still_applies & Q(~Exists(decided))


def with_open_proposal(*, snapshots: QuerySet[AccountSnapshot]) -> QuerySet[AccountSnapshot]:
    """Annotate ``keylist_open``: the run's key-list proposal still awaits a decision.

    A proposal is settled as soon as someone decides on it (accepted or rejected, recorded
    against this snapshot or a later one) or the list already says what it proposed (a
    promotion of a key account, a removal of one that is not): pages and the API show a
    decision at once, not after the next scoring run.
    """
    return snapshots.annotate(
        keylist_open=ExpressionWrapper(_open_proposal(), output_field=BooleanField())
    )


def keylist_candidates(*, as_of: dt.date) -> QuerySet[AccountSnapshot]:
    """Snapshots whose proposed promotion or demotion is still open (see
    :func:`with_open_proposal`), promotions first, best first."""
    # ``_open_proposal`` for one date: its date is every snapshot's, so "decided" is the
    # account being among those with a decision on that action recorded against this date or
    # a later one, and "still applies" the account being (or not) a key account. Each is a set
    # read once, not a subquery and a join per proposal: at 50,000 accounts a run proposes
    # some 20,000 promotions, and counting them row by row took 35–90 ms. With the index on
    # (date, action, account) the count never reads a snapshot row.
    keys = Account.objects.filter(is_key_account=True).values("pk")
    decided = KeyListDecision.objects.filter(snapshot_as_of__gte=as_of).values("account_id")
    promote = Q(keylist_action=KeyListAction.PROMOTE) & ~Q(account_id__in=keys)
    demote = Q(keylist_action=KeyListAction.DEMOTE, account_id__in=keys)
    return (
        snapshots_for(as_of=as_of)
        .filter(
            (promote & ~Q(account_id__in=decided.filter(action=KeyListAction.PROMOTE)))
            | (demote & ~Q(account_id__in=decided.filter(action=KeyListAction.DEMOTE)))
        )
        .order_by("keylist_over_cap", "-keylist_action", "revenue_rank")
    )


def key_accounts(*, as_of: dt.date) -> QuerySet[AccountSnapshot]:
    """The key-account list (as it is now) with each account's snapshot for the date."""
    # From the key accounts' index to their snapshots, not through every snapshot of the
    # date and its account (50,000 of them for a list of a few hundred).
    keys = Account.objects.filter(is_key_account=True).values("pk")
    return snapshots_for(as_of=as_of).filter(account__in=keys).order_by("revenue_rank")


def portfolio_tiers(*, portfolio: PortfolioSnapshot) -> list[dict[str, object]]:
    """The run's tier table with the key accounts counted as the list stands now.

    Accounts, revenue and share are the run's; the key-account column follows
    ``Account.is_key_account``, so it agrees with the key-account list after a decision.
    """
    # From each key account to its snapshot of the date (a subquery on the (account, date)
    # index): joined the other way, PostgreSQL read all 50,000 snapshots of the date to keep
    # the 4,000 of key accounts (45–65 ms). A key account without a snapshot that day has
    # no tier (NULL) and is not counted, as the join left it out.
    tier = AccountSnapshot.objects.filter(account=OuterRef("pk"), as_of=portfolio.as_of)
    key_by_tier = dict(
        Account.objects.filter(is_key_account=True)
        .annotate(snapshot_tier=Subquery(tier.values("tier")[:1]))
        .filter(snapshot_tier__isnull=False)
        .order_by()
        .values_list("snapshot_tier")
        .annotate(n=Count("*"))
        .values_list("snapshot_tier", "n")
    )
    return [{**row, "key_accounts": key_by_tier.get(row["tier"], 0)} for row in portfolio.tiers]


def account_latest_snapshot(*, account_id: int) -> AccountSnapshot | None:
    """The account's newest snapshot, with ``keylist_open`` (see :func:`with_open_proposal`)."""
    return (
        with_open_proposal(snapshots=AccountSnapshot.objects.filter(account_id=account_id))
        .select_related("run")
        .order_by("-as_of")
        .first()
    )


def account_series(*, account_id: int) -> RevenueSeries | None:
    return RevenueSeries.objects.filter(account_id=account_id).first()


def recent_decisions(*, limit: int = 20) -> QuerySet[KeyListDecision]:
    return KeyListDecision.objects.select_related("account", "decided_by")[:limit]


@dataclass(frozen=True)
class Retention:
    """Customers and revenue kept from the 12 months before to the trailing 12 months."""

    customers_before: int
    customers_kept: int
    customers_lost: int
    revenue_before: float
    revenue_kept: float

    @property
    def customer_retention(self) -> float | None:
        return self.customers_kept / self.customers_before if self.customers_before else None

    @property
    def churn_rate(self) -> float | None:
        return self.customers_lost / self.customers_before if self.customers_before else None

    @property
    def net_revenue_retention(self) -> float | None:
        """This year's revenue from last year's customers over their revenue last year."""
        return self.revenue_kept / self.revenue_before if self.revenue_before else None


def portfolio_retention(*, as_of: dt.date) -> Retention:
    """Revenue-based retention: a customer of the 12 months before who bought nothing in the
    trailing 12 months is lost. One aggregate query."""
    before = Q(revenue_prev12m__gt=0)
    figures = AccountSnapshot.objects.filter(as_of=as_of).aggregate(
        customers_before=Count("pk", filter=before),
        customers_kept=Count("pk", filter=before & Q(revenue_t12m__gt=0)),
        revenue_before=Sum("revenue_prev12m", filter=before),
        revenue_kept=Sum("revenue_t12m", filter=before),
    )
    kept = figures["customers_kept"]
    return Retention(
        customers_before=figures["customers_before"],
        customers_kept=kept,
        customers_lost=figures["customers_before"] - kept,
        revenue_before=float(figures["revenue_before"] or 0),
        revenue_kept=float(figures["revenue_kept"] or 0),
    )


def manager_workload(*, today: dt.date, weeks: int = 4) -> list[dict[str, object]]:
    """Per key account manager: accounts, key accounts, overdue actions, contacts per week."""
    since = today - dt.timedelta(weeks=weeks)
    # Counted on the memberships, grouped by manager, and the managers read apart: counting
    # through the users (a join, a distinct count, grouped by every user column) took 12 ms
    # at 5,000 accounts and 80 ms at 50,000. One key-account-manager membership per account;
    # the key accounts are found through their own index, not by reading every account.
    # ``Count("*")``, not of the id: PostgreSQL then counts from the index alone (the id is
    # not in it); with the id it fetched every row from the table.
    # Books and key accounts in one pass over the memberships (the key accounts a set read
    # once): two passes and a third for the managers' ids took 20–50 ms at 50,000 accounts.
    kam = TeamMembership.objects.filter(role=TeamRole.KEY_ACCOUNT_MANAGER).order_by()
    key_ids = Account.objects.filter(is_key_account=True).values("pk")
    counted = list(
        kam.values("user_id").annotate(
            n=Count("*"), keys=Count("account_id", filter=Q(account_id__in=key_ids))
        )
    )
    books = {row["user_id"]: row["n"] for row in counted}
    keys = {row["user_id"]: row["keys"] for row in counted}
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    # A bound on the timestamp, not ``occurred_at__date``: on SQLite the date cast is a Python
    # function called per row (about 250 ms at 50,000 interactions); the start of the local
    # day is the same boundary. Counted per manager in a subquery that reads only the index on
    # (logger, time): grouped over the whole table, SQLite walked the logger's index through
    # every interaction the team ever logged (87 ms at 500,000). On PostgreSQL, counting the
    # ids fetched 130,000 rows from the table at 50,000 accounts (600 ms).
    recent = (
        Interaction.objects.filter(logged_by=OuterRef("pk"), occurred_at__gte=start)
        .order_by()
        .values("logged_by")
        .annotate(n=Count("*"))
        .values("n")
    )
    managers = (
        get_user_model()
        .objects.filter(pk__in=list(books))
        .annotate(contacts=Coalesce(Subquery(recent, output_field=IntegerField()), 0))
        .order_by("username")
    )
    overdue = dict(
        Action.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    return [
        {
            "manager": m,
            "accounts": books[m.pk],
            "key_accounts": keys.get(m.pk, 0),
            "overdue_actions": overdue.get(m.pk, 0),
            "contacts_per_week": round(m.contacts / weeks, 1),
        }
        for m in managers
    ]


def stored_panel(*, account_ids: Collection[int] | QuerySet | None = None) -> MonthlyPanel:
    """The accounts' stored monthly revenue (``RevenueSeries``) as one panel.

    A month still in progress on the series' as-of date is left out: half a month would
    read as a slump. Rows are keyed by account id.
    """
    rows = RevenueSeries.objects.all()
    if isinstance(account_ids, QuerySet):
        # A subquery: a large selection would pass SQLite's limit on query parameters.
        rows = rows.filter(account_id__in=account_ids)
    elif account_ids is not None:
        rows = rows.filter(account_id__in=list(account_ids))
    ids, starts, series = [], [], []
    last = None
    for account_id, first_month, as_of, values in rows.values_list(
        "account_id", "first_month", "as_of", "values"
    ).order_by("account_id"):
        complete = last_complete_month(as_of)
        keep = (complete.year - first_month.year) * 12 + complete.month - first_month.month + 1
        ids.append(account_id)
        starts.append(first_month)
        series.append([float(v) for v in values[: max(keep, 0)]])
        last = complete if last is None else max(last, complete)
    return panel_from_series(ids, starts, series, last_month=last)


def portfolio_profiles(
    *,
    account_ids: Collection[int] | QuerySet | None = None,
    strength_threshold: float = DEFAULT_STRENGTH_THRESHOLD,
) -> pl.DataFrame:
    """Seasonal profiles of accounts from their stored monthly revenue (:func:`stored_panel`).

    Returns :func:`~tenure.insights.seasonality.seasonal_profile`'s frame, keyed by
    ``account_id``.
    """
    return seasonal_profile(
        stored_panel(account_ids=account_ids), strength_threshold=strength_threshold
    )


def reporting_currency_latest() -> str:
    """The currency of the latest finished run's money figures ('' before any run)."""
    code = (
        ScoringRun.objects.filter(status=RunStatus.DONE)
        .order_by("-as_of", "-created_at")
        .values_list("currency", flat=True)
        .first()
    )
    return code or ""


def latest_snapshots(*, user: AnyUser | None) -> QuerySet[AccountSnapshot]:
    """Each visible account's newest snapshot, with the account and its run loaded."""
    return with_open_proposal(snapshots=latest_snapshot_keys(user=user)).select_related(
        "account", "run"
    )


def latest_snapshot_keys(*, user: AnyUser | None) -> QuerySet[AccountSnapshot]:
    """:func:`latest_snapshots` without the account, run or open proposal: to sort, count
    and filter on the snapshot's own columns (no join to the account per snapshot)."""
    # Newest: no later snapshot of the same account. As ``NOT EXISTS`` PostgreSQL runs it as
    # an anti-join on the (account, date) index and walks the rank index for a page; as
    # "the date equals the account's newest" it read all 50,000 wide rows, each with a
    # subquery (330 ms a page, 240 ms the count).
    later = AccountSnapshot.objects.filter(account=OuterRef("account"), as_of__gt=OuterRef("as_of"))
    return (
        AccountSnapshot.objects.filter(visible_account_q(user, "account__"))
        .filter(~Exists(later))
        .order_by(F("revenue_rank").asc(nulls_last=True), "account_id")
    )
