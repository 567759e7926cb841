"""Relationship resilience: on how many people, and how many threads, an account rests.

A *thread* is one of our people meeting one of theirs. An account met through one contact
by one manager is single-threaded: if that person leaves, the relationship goes with them.
"""

from __future__ import annotations

import polars as pl

from tenure.insights.segmentation._inputs import require_columns

__all__ = ["relationship_summary"]


def relationship_summary(
    meetings: pl.DataFrame,
    *,
    account_col: str = "account_id",
    interaction_col: str = "interaction_id",
    contact_col: str = "contact_id",
    member_col: str = "user_id",
    decision_col: str = "is_decision_maker",
) -> pl.DataFrame:
    """Per account: engaged people, engaged decision makers, threads and reliance.

    Parameters
    ----------
    meetings
        One row per interaction, contact present and team member present, over the window
        of interest (the caller filters by date). ``member_col`` may be null (nobody of
        ours recorded); ``decision_col`` says whether the contact holds a decision-making
        role at the account.

    Returns
    -------
    polars.DataFrame
        ``account_col``, ``engaged_contacts`` (distinct contacts), ``decision_makers_engaged``
        (distinct decision-making contacts), ``threads`` (distinct pairs of our member and
        their contact) and ``top_contact_share`` (share of the interactions with contacts
        that included the most-met contact: 1.0 means everything goes through one person).
        Accounts without rows are absent; the caller decides whether that means 0 or
        unknown.
    """
    require_columns(
        meetings,
        [account_col, interaction_col, contact_col, member_col, decision_col],
        context="relationship_summary",
    )
    people = meetings.filter(pl.col(contact_col).is_not_null())
    counts = people.group_by(account_col).agg(
        pl.col(contact_col).n_unique().alias("engaged_contacts"),
        pl.col(contact_col)
        .filter(pl.col(decision_col))
        .n_unique()
        .alias("decision_makers_engaged"),
        pl.struct(member_col, contact_col)
        .filter(pl.col(member_col).is_not_null())
        .n_unique()
        .alias("threads"),
        pl.col(interaction_col).n_unique().alias("_interactions"),
    )
    per_contact = (
        people.group_by(account_col, contact_col)
        .agg(pl.col(interaction_col).n_unique().alias("_met"))
        .group_by(account_col)
        .agg(pl.col("_met").max().alias("_top"))
    )
    return (
        counts.join(per_contact, on=account_col, how="left")
        .with_columns((pl.col("_top") / pl.col("_interactions")).alias("top_contact_share"))
        .select(
            account_col,
            pl.col("engaged_contacts").cast(pl.Int64),
            pl.col("decision_makers_engaged").cast(pl.Int64),
            pl.col("threads").cast(pl.Int64),
            "top_contact_share",
        )
        .sort(account_col)
    )
