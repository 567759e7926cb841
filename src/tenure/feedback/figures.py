"""The survey figures page: NPS by portfolio, tier, manager, account and quarter, ratings,
open answers by theme, named answers, and the CSV export — all under the rule in
``feedback.anonymity``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, Q
from django.utils import timezone

from tenure.accounts.choices import TeamRole, Tier
from tenure.feedback.anonymity import (
    AnswerRow,
    ItemFigure,
    NpsFigure,
    Respondent,
    Scope,
    item_figures,
    load_answers,
    min_group_size,
    nps_figure,
    quarter_of,
    quarter_start,
    shown_accounts,
    start_of,
    team_accounts,
    window_of,
)
from tenure.feedback.choices import InvitationSource, QuestionKind
from tenure.feedback.models import Invitation
from tenure.feedback.themes import theme_names, themes_of
from tenure.insights.nps import ResponseRate
from tenure.insights.nps import response_rate as compute_rate

TREND_QUARTERS = 8


@dataclass(frozen=True)
class Comment:
    """An open answer as it may be shown: ``answered_on`` only if named, ``respondent``
    only if named and the reader may see names."""

    text: str
    question: str
    account_id: int
    account_name: str
    period: str
    answered_on: dt.date | None
    respondent: str
    themes: tuple[str, ...]
    named: bool = False


@dataclass(frozen=True)
class NamedResponse:
    """The answers of a respondent who agreed to be named."""

    respondent: str
    account_id: int
    account_name: str
    campaign: str
    answered_on: dt.date
    nps: int | None
    ratings: tuple[tuple[str, int], ...]
    comments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ThemeGroup:
    theme: str
    comments: list[Comment]


@dataclass
class Figures:
    """Everything the survey figures page shows, already filtered by the rule above."""

    scope: Scope
    min_group: int
    portfolio: NpsFigure
    by_tier: list[NpsFigure] = field(default_factory=list)
    by_manager: list[NpsFigure] = field(default_factory=list)
    by_account: list[NpsFigure] = field(default_factory=list)
    trend: list[NpsFigure] = field(default_factory=list)
    items: list[ItemFigure] = field(default_factory=list)
    themes: list[ThemeGroup] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    named: list[NamedResponse] = field(default_factory=list)
    response_rate: ResponseRate = field(default_factory=lambda: ResponseRate(0, 0))
    #: Answers imported in the window: not in ``response_rate`` (an import records only
    #: the people who answered).
    imported: int = 0


_K = TypeVar("_K", bound=Hashable)


def _grouped(
    rows: Iterable[tuple[Respondent, int]], key: Callable[[Respondent], _K]
) -> dict[_K, list[tuple[Respondent, int]]]:
    groups: dict[_K, list[tuple[Respondent, int]]] = defaultdict(list)
    for respondent, score in rows:
        groups[key(respondent)].append((respondent, score))
    return groups


def _by_tier(scores: list[tuple[Respondent, int]], min_group: int) -> list[NpsFigure]:
    groups = _grouped(scores, lambda r: r.tier)
    order = [*Tier.values, ""]
    return [
        nps_figure(f"Tier {tier}" if tier else "No tier", tier, groups[tier], min_group)
        for tier in order
        if tier in groups
    ]


def _by_manager(scores: list[tuple[Respondent, int]], min_group: int) -> list[NpsFigure]:
    groups = _grouped(scores, lambda r: (r.manager_name or "No manager", r.manager_id))
    return [
        nps_figure(name, manager_id, groups[(name, manager_id)], min_group)
        for name, manager_id in sorted(groups, key=lambda k: (k[1] is None, str(k[0]).lower()))
    ]


def _by_account(scores: list[tuple[Respondent, int]], min_group: int) -> list[NpsFigure]:
    groups = _grouped(scores, lambda r: (r.account_name, r.account_id))
    return [
        nps_figure(name, account_id, groups[(name, account_id)], min_group)
        for name, account_id in sorted(groups, key=lambda k: (str(k[0]).lower(), k[1]))
    ]


def _trend(
    scores: list[tuple[Respondent, int]], *, today: dt.date, quarters: int, min_group: int
) -> list[NpsFigure]:
    starts = []
    start = quarter_start(today)
    for _ in range(quarters):
        starts.append(start)
        start = quarter_start(start - dt.timedelta(days=1))
    groups = _grouped(scores, lambda r: quarter_start(r.day))
    return [
        nps_figure(quarter_of(start), start, groups.get(start, []), min_group)
        for start in reversed(starts)
    ]


def _comments(
    respondents: dict[int, Respondent], answers: list[AnswerRow], min_group: int
) -> list[Comment]:
    shown = shown_accounts(respondents.values(), min_group)
    comments = []
    for answer in answers:
        if answer.kind != QuestionKind.TEXT or not answer.text:
            continue
        r = respondents[answer.response_id]
        if not r.named and r.account_id not in shown:
            continue
        comments.append(
            Comment(
                text=answer.text,
                question=answer.label,
                account_id=r.account_id,
                account_name=r.account_name,
                period=quarter_of(r.day),
                answered_on=r.day if r.named else None,
                respondent=r.name if r.named else "",
                themes=tuple(themes_of(answer.text)),
                named=r.named,
            )
        )
    # Newest first for named answers; anonymous ones by period, then text, never by time.
    comments.sort(key=lambda c: (c.period, c.answered_on or dt.date.min, c.text), reverse=True)
    return comments


def _named(respondents: dict[int, Respondent], answers: list[AnswerRow]) -> list[NamedResponse]:
    by_response: dict[int, list[AnswerRow]] = defaultdict(list)
    for answer in answers:
        by_response[answer.response_id].append(answer)
    named = []
    for r in respondents.values():
        if not r.named:
            continue
        given = by_response.get(r.response_id, [])
        named.append(
            NamedResponse(
                respondent=r.name,
                account_id=r.account_id,
                account_name=r.account_name,
                campaign=r.campaign,
                answered_on=r.day,
                nps=next((a.score for a in given if a.kind == QuestionKind.NPS), None),
                ratings=tuple(
                    (a.label, a.score)
                    for a in given
                    if a.kind == QuestionKind.RATING and a.score is not None
                ),
                comments=tuple((a.label, a.text) for a in given if a.kind == QuestionKind.TEXT),
            )
        )
    named.sort(key=lambda n: (n.answered_on, n.respondent), reverse=True)
    return named


def response_rate(*, scope: Scope) -> tuple[ResponseRate, int]:
    """The emailed invitations sent in the window and how many were answered; and the
    answers imported in the window, which are not in the rate.

    The window is the figures' own (``scope.since`` to ``scope.until``, whole quarters), so
    a card's answer count and its rate cover the same months. An import records only the
    people who answered, so its invitations would read as a 100 % rate; they are counted
    apart, by the day of the answer.
    """
    emailed = Q(source=InvitationSource.EMAIL, sent_at__isnull=False)
    imported = Q(source=InvitationSource.IMPORT, response__isnull=False)
    if scope.since is not None:
        emailed &= Q(sent_at__gte=start_of(scope.since))
        imported &= Q(response__answered_at__gte=start_of(scope.since))
    if scope.until is not None:
        end = start_of(scope.until + dt.timedelta(days=1))
        emailed &= Q(sent_at__lt=end)
        imported &= Q(response__answered_at__lt=end)
    invitations = Invitation.objects.filter(emailed | imported)
    if scope.account_id is not None:
        invitations = invitations.filter(account_id=scope.account_id)
    if scope.tier:
        invitations = invitations.filter(account__tier=scope.tier)
    if scope.manager_id is not None:
        invitations = invitations.filter(
            account__team__role=TeamRole.KEY_ACCOUNT_MANAGER,
            account__team__user_id=scope.manager_id,
        )
    if scope.team_member_id is not None:
        invitations = invitations.filter(account_id__in=team_accounts(scope.team_member_id))
    email = Q(source=InvitationSource.EMAIL)
    counts = invitations.aggregate(
        invited=Count("id", filter=email, distinct=True),
        answered=Count("response", filter=email, distinct=True),
        imported=Count("id", filter=Q(source=InvitationSource.IMPORT), distinct=True),
    )
    rate = compute_rate(invited=counts["invited"], answered=counts["answered"])
    return rate, counts["imported"]


def _nps_scores(
    respondents: list[Respondent], answers: list[AnswerRow]
) -> list[tuple[Respondent, int]]:
    """Each respondent with their NPS answer (those who skipped it left out)."""
    nps_by_response = {
        a.response_id: a.score
        for a in answers
        if a.kind == QuestionKind.NPS and a.score is not None
    }
    return [
        (r, nps_by_response[r.response_id]) for r in respondents if r.response_id in nps_by_response
    ]


def _portfolio(scores: list[tuple[Respondent, int]], min_group: int) -> NpsFigure:
    return nps_figure("All answers", "all", scores, min_group)


def portfolio_nps(*, today: dt.date, scope: Scope | None = None) -> NpsFigure:
    """The NPS of every answer in ``scope`` over the figures' window, under the group rule.

    The "All answers" figure of :func:`survey_figures`, for pages that show only that one
    number (the portfolio page): one query, without the tables, trend and comments.
    """
    scope = window_of(scope or Scope(), today)
    respondents, answers = load_answers(scope, scope.since)
    return _portfolio(_nps_scores(respondents, answers), min_group_size())


def survey_figures(
    *,
    scope: Scope | None = None,
    today: dt.date | None = None,
    trend_quarters: int = TREND_QUARTERS,
) -> Figures:
    """NPS by portfolio, tier, manager, account and quarter; items; comments by theme.

    Tables cover ``scope.since`` (default: the last 365 days); the trend covers the last
    ``trend_quarters`` quarters. Two queries whatever the number of answers.
    """
    today = today or timezone.localdate()
    scope = window_of(scope or Scope(), today)
    min_group = min_group_size()
    trend_start = quarter_start(today)
    for _ in range(trend_quarters - 1):
        trend_start = quarter_start(trend_start - dt.timedelta(days=1))
    assert scope.since is not None
    all_respondents, all_answers = load_answers(scope, min(scope.since, trend_start))
    all_scores = _nps_scores(all_respondents, all_answers)
    in_window = {r.response_id: r for r in all_respondents if r.day >= scope.since}
    answers = [a for a in all_answers if a.response_id in in_window]
    scores = [(r, s) for r, s in all_scores if r.response_id in in_window]
    comments = _comments(in_window, answers, min_group)
    rate, imported = response_rate(scope=scope)
    return Figures(
        scope=scope,
        min_group=min_group,
        portfolio=_portfolio(scores, min_group),
        by_tier=_by_tier(scores, min_group),
        by_manager=_by_manager(scores, min_group),
        by_account=_by_account(scores, min_group),
        trend=_trend(all_scores, today=today, quarters=trend_quarters, min_group=min_group),
        items=item_figures(in_window, answers, min_group),
        themes=[
            ThemeGroup(theme, [c for c in comments if theme in c.themes])
            for theme in theme_names()
            if any(theme in c.themes for c in comments)
        ],
        comments=comments,
        named=_named(in_window, answers),
        response_rate=rate,
        imported=imported,
    )


def export_rows(
    *, scope: Scope | None = None, today: dt.date | None = None
) -> tuple[list[str], list[list[object]]]:
    """The answers that may be shown individually, one row per response, for CSV export.

    Named respondents come with their name and day; anonymous ones only when their
    account's group is shown, without name, with the quarter for the day, and ordered by
    account and answers (never by time, which could point at a person).
    """
    today = today or timezone.localdate()
    scope = window_of(scope or Scope(), today)
    respondents, answers = load_answers(scope, scope.since)
    by_id = {r.response_id: r for r in respondents}
    shown = shown_accounts(respondents, min_group_size())
    keys: list[str] = []
    given: dict[int, dict[str, object]] = defaultdict(dict)
    for answer in answers:
        if answer.kind != QuestionKind.NPS and answer.key not in keys:
            keys.append(answer.key)
        value = answer.score if answer.score is not None else answer.text
        given[answer.response_id]["nps" if answer.kind == QuestionKind.NPS else answer.key] = value
    header = ["campaign", "account", "tier", "answered", "respondent", "nps", *keys]
    named, anonymous = [], []
    for r in by_id.values():
        values = given.get(r.response_id, {})
        cells = [values.get(k, "") for k in ("nps", *keys)]
        if r.named:
            named.append([r.campaign, r.account_name, r.tier, r.day.isoformat(), r.name, *cells])
        elif r.account_id in shown:
            anonymous.append([r.campaign, r.account_name, r.tier, quarter_of(r.day), "", *cells])
    named.sort(key=lambda row: (str(row[3]), str(row[4])), reverse=True)
    anonymous.sort(key=lambda row: [str(c) for c in (row[1], row[0], *row[5:])])
    return header, named + anonymous
