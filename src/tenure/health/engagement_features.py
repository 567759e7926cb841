"""Point-in-time CRM features: what the CRM said about each account on a given day.

:func:`load_crm_events` reads the dated facts once — interactions with who was there,
positions with their start and leaving dates, issues with their occurrence and resolution,
plan actions with their creation, due and completion dates — and
:func:`engagement_features` computes per-account features *as of* any day from them, using
only those dates, never the current state. Training the risk model at many past cut-offs
therefore costs one read of the CRM.

The computation is Polars only; the Django part is confined to :func:`load_crm_events`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

import polars as pl
from django.conf import settings
from django.db.models import Model, QuerySet

from tenure.accounts.choices import BuyingRole
from tenure.accounts.models import Account, Position
from tenure.engagement.choices import Sentiment
from tenure.engagement.models import Interaction
from tenure.insights.health import SEVERITIES, relationship_summary
from tenure.planning.choices import MilestoneKind, Severity
from tenure.planning.models import Action, Milestone

_M = TypeVar("_M", bound=Model)

#: Buying-centre roles that decide.
DECISION_ROLES = (BuyingRole.DECISION_MAKER.value, BuyingRole.ECONOMIC_BUYER.value)
SEVERE = (Severity.HIGH.value, Severity.CRITICAL.value)

#: Columns of :func:`engagement_features` besides ``account_id``.
ENGAGEMENT_COLUMNS = (
    "days_since_strategic",
    "strategic_recent",
    "interactions_recent",
    "negative_recent",
    "engaged_contacts",
    "decision_makers_engaged",
    "threads",
    "top_contact_share",
    "active_contacts",
    "active_decision_makers",
    "contacts_left",
    "decision_makers_left",
    *(f"open_{s}" for s in SEVERITIES),
    "open_issues",
    "open_severe_issues",
    "oldest_open_issue_days",
    "issues_recent",
    "overdue_actions",
)


@dataclass(frozen=True)
class CrmEvents:
    """The CRM's dated facts, one frame each (ids are the CRM's primary keys)."""

    accounts: pl.DataFrame  # account_id, external_id
    interactions: pl.DataFrame  # interaction_id, account_id, day, is_strategic, negative
    present: pl.DataFrame  # interaction_id, contact_id
    members: pl.DataFrame  # interaction_id, user_id (team members, else who logged it)
    positions: pl.DataFrame  # account_id, contact_id, role, started, left
    issues: pl.DataFrame  # account_id, severity, occurred, resolved (wins excluded)
    actions: pl.DataFrame  # account_id, created, due, finished

    def without_contact(self, *, account_id: int, contact_id: int, on: dt.date) -> CrmEvents:
        """The same facts as if the contact had left the account on ``on``.

        Their positions at the account end on ``on`` (if still open then) and they are
        taken out of the account's interactions, so nothing rests on them any more.
        """
        at_account = pl.col("account_id") == account_id
        theirs = at_account & (pl.col("contact_id") == contact_id)
        positions = self.positions.with_columns(
            pl.when(theirs & (pl.col("left").is_null() | (pl.col("left") > on)))
            .then(pl.lit(on))
            .otherwise(pl.col("left"))
            .alias("left")
        )
        account_interactions = self.interactions.filter(at_account).select("interaction_id")
        present = self.present.join(
            account_interactions.with_columns(pl.lit(True).alias("_here")),
            on="interaction_id",
            how="left",
        )
        present = present.filter(
            ~(pl.col("_here").fill_null(False) & (pl.col("contact_id") == contact_id))
        ).drop("_here")
        return replace(self, positions=positions, present=present)


def _local_day(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(str(settings.TIME_ZONE)).dt.date()


def _frame(
    rows: Iterable[tuple[object, ...]], schema: Mapping[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def load_crm_events(*, account_ids: Iterable[int] | None = None) -> CrmEvents:
    """Read the dated CRM facts (of some accounts, or of all) into frames."""
    ids = None if account_ids is None else list(account_ids)

    def scoped(queryset: QuerySet[_M], field: str = "account_id") -> QuerySet[_M]:
        return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})

    accounts = _frame(
        scoped(Account.objects.all(), "id").values_list("id", "external_id"),
        {"account_id": pl.Int64, "external_id": pl.String},
    )
    when = pl.Datetime("us", "UTC")
    interactions = _frame(
        scoped(Interaction.objects.all()).values_list(
            "id", "account_id", "occurred_at", "is_strategic", "sentiment", "logged_by_id"
        ),
        {
            "interaction_id": pl.Int64,
            "account_id": pl.Int64,
            "occurred_at": when,
            "is_strategic": pl.Boolean,
            "sentiment": pl.Int64,
            "logged_by": pl.Int64,
        },
    ).select(
        "interaction_id",
        "account_id",
        _local_day("occurred_at").alias("day"),
        "is_strategic",
        (pl.col("sentiment") == Sentiment.NEGATIVE).alias("negative"),
        "logged_by",
    )
    present_model = Interaction.contacts.through
    members_model = Interaction.team_members.through
    present = _frame(
        scoped(present_model.objects.all(), "interaction__account_id").values_list(
            "interaction_id", "contact_id"
        ),
        {"interaction_id": pl.Int64, "contact_id": pl.Int64},
    )
    team = _frame(
        scoped(members_model.objects.all(), "interaction__account_id").values_list(
            "interaction_id", "user_id"
        ),
        {"interaction_id": pl.Int64, "user_id": pl.Int64},
    )
    # Who was there for us: the team members recorded, or else whoever logged it.
    logged = interactions.filter(pl.col("logged_by").is_not_null()).select(
        "interaction_id", pl.col("logged_by").alias("user_id")
    )
    members = pl.concat([team, logged.join(team, on="interaction_id", how="anti")], how="vertical")
    positions = _frame(
        scoped(Position.objects.all()).values_list(
            "account_id", "contact_id", "buying_role", "started_on", "left_on", "created_at"
        ),
        {
            "account_id": pl.Int64,
            "contact_id": pl.Int64,
            "role": pl.String,
            "started_on": pl.Date,
            "left": pl.Date,
            "created_at": when,
        },
    ).select(
        "account_id",
        "contact_id",
        "role",
        pl.coalesce("started_on", _local_day("created_at")).alias("started"),
        "left",
    )
    issues = _frame(
        scoped(Milestone.objects.exclude(kind=MilestoneKind.SUCCESS)).values_list(
            "account_id", "severity", "occurred_on", "resolved_on"
        ),
        {"account_id": pl.Int64, "severity": pl.String, "occurred": pl.Date, "resolved": pl.Date},
    )
    actions = _frame(
        scoped(Action.objects.all(), "plan__account_id").values_list(
            "plan__account_id", "created_at", "due_on", "completed_on"
        ),
        {"account_id": pl.Int64, "created_at": when, "due": pl.Date, "finished": pl.Date},
    ).select("account_id", _local_day("created_at").alias("created"), "due", "finished")
    return CrmEvents(
        accounts=accounts,
        interactions=interactions.drop("logged_by"),
        present=present,
        members=members,
        positions=positions,
        issues=issues,
        actions=actions,
    )


def engagement_features(
    events: CrmEvents, *, as_of: dt.date, window_days: int = 180, recent_days: int = 90
) -> pl.DataFrame:
    """Per-account CRM features as the CRM stood at the end of ``as_of``.

    Parameters
    ----------
    events
        From :func:`load_crm_events` (or built by hand in tests).
    as_of
        Only facts dated on or before this day count; a position counts as left, an issue
        as resolved and an action as finished only from the date recorded for it.
    window_days
        Window for engaged contacts, decision makers, threads and departures.
    recent_days
        Window for recent interactions and issues.

    Returns
    -------
    polars.DataFrame
        ``account_id`` and :data:`ENGAGEMENT_COLUMNS`. Interaction columns are null for an
        account with no interaction logged by ``as_of`` (unknown, not zero); relationship
        columns are null without any stakeholder on record; ``overdue_actions`` is null
        without a plan action; issue counts are 0 when none is open.
    """
    window_start = as_of - dt.timedelta(days=window_days)
    recent_start = as_of - dt.timedelta(days=recent_days)
    day = pl.col("day")
    seen = events.interactions.filter(day <= as_of)
    interaction_stats = seen.group_by("account_id").agg(
        day.filter(pl.col("is_strategic")).max().alias("_last_strategic"),
        day.min().alias("_first"),
        pl.col("is_strategic").filter(day > recent_start).sum().alias("strategic_recent"),
        (day > recent_start).sum().alias("interactions_recent"),
        pl.col("negative").filter(day > recent_start).sum().alias("negative_recent"),
    )
    interaction_stats = interaction_stats.with_columns(
        (pl.lit(as_of) - pl.coalesce("_last_strategic", "_first"))
        .dt.total_days()
        .alias("days_since_strategic")
    ).drop("_last_strategic", "_first")

    positions = events.positions.filter(pl.col("started").is_null() | (pl.col("started") <= as_of))
    still_there = pl.col("left").is_null() | (pl.col("left") > as_of)
    deciding = pl.col("role").is_in(DECISION_ROLES)
    roster = positions.group_by("account_id").agg(
        pl.col("contact_id").filter(still_there).n_unique().alias("active_contacts"),
        pl.col("contact_id")
        .filter(still_there & deciding)
        .n_unique()
        .alias("active_decision_makers"),
        pl.col("contact_id")
        .filter((pl.col("left") > window_start) & (pl.col("left") <= as_of))
        .n_unique()
        .alias("contacts_left"),
        pl.col("contact_id")
        .filter((pl.col("left") > window_start) & (pl.col("left") <= as_of) & deciding)
        .n_unique()
        .alias("decision_makers_left"),
    )
    current = (
        positions.filter(still_there)
        .group_by("account_id", "contact_id")
        .agg(deciding.any().alias("is_decision_maker"))
    )
    meetings = (
        seen.filter(day > window_start)
        .select("interaction_id", "account_id")
        .join(events.present, on="interaction_id")
        .join(current, on=["account_id", "contact_id"])  # people still there
        .join(events.members, on="interaction_id", how="left")
    )
    relationship = relationship_summary(meetings)

    issues = events.issues.filter(pl.col("occurred") <= as_of)
    open_now = pl.col("resolved").is_null() | (pl.col("resolved") > as_of)
    issue_stats = (
        issues.group_by("account_id")
        .agg(
            *((open_now & (pl.col("severity") == s)).sum().alias(f"open_{s}") for s in SEVERITIES),
            open_now.sum().alias("open_issues"),
            (open_now & pl.col("severity").is_in(SEVERE)).sum().alias("open_severe_issues"),
            pl.col("occurred").filter(open_now).min().alias("_oldest"),
            (pl.col("occurred") > recent_start).sum().alias("issues_recent"),
        )
        .with_columns(
            (pl.lit(as_of) - pl.col("_oldest")).dt.total_days().alias("oldest_open_issue_days")
        )
        .drop("_oldest")
    )

    actions = events.actions.filter(pl.col("created") <= as_of)
    action_stats = actions.group_by("account_id").agg(
        ((pl.col("due") < as_of) & (pl.col("finished").is_null() | (pl.col("finished") > as_of)))
        .sum()
        .alias("overdue_actions")
    )

    frame = (
        events.accounts.select("account_id")
        .join(interaction_stats, on="account_id", how="left")
        .join(roster, on="account_id", how="left")
        .join(relationship, on="account_id", how="left")
        .join(issue_stats, on="account_id", how="left")
        .join(action_stats, on="account_id", how="left")
    )
    has_people = pl.col("active_contacts").is_not_null()
    counts_if_people = ("engaged_contacts", "decision_makers_engaged", "threads")
    issue_counts = (*(f"open_{s}" for s in SEVERITIES), "open_issues", "open_severe_issues")
    return frame.with_columns(
        *(pl.when(has_people).then(pl.col(c).fill_null(0)).alias(c) for c in counts_if_people),
        *(pl.col(c).fill_null(0) for c in (*issue_counts, "issues_recent")),
    ).select(
        "account_id",
        *(pl.col(c).cast(pl.Float64) for c in ENGAGEMENT_COLUMNS),
    )
