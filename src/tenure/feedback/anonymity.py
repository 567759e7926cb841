"""The third-party principle, and the answer rows every survey figure is computed from.

The rule, applied here so that pages, exports and (later) the API all get the same data:

* A respondent who ticked "You may share my name with my account manager" is **named**:
  their answers can be shown individually, with their name.
* Everyone else is **anonymous**: their answers count in every figure, but are shown only
  inside a group (an account, a tier, a manager's accounts, a quarter, the portfolio), and
  a group's figures are shown only when it holds **no** anonymous respondent or **at least
  ``min_group``** of them (3 by default, ``TENURE_SURVEY_MIN_GROUP``). Counting anonymous
  respondents rather than all respondents stops a reader from subtracting the named
  answers they can see to recover one anonymous answer.
* Anonymous open answers are shown without name and with the quarter instead of the day,
  only when their account's group is shown; the person's name is never read from the
  database for them.

Directors and admins follow the same rule: consent, not rank, opens a name. Consent opens
it only to readers who may see personal data (not analysts, unless
``TENURE_ANALYST_PERSONAL_DATA``), and a reader sees only the answers of the accounts they
may see: both come with the :class:`Scope`, which ``feedback.audience.reader_scope`` builds
for a user, so no page, export or API response decides either on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, FilteredRelation, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import TeamMembership
from tenure.core.dates import start_of_day as start_of
from tenure.feedback.choices import QuestionKind
from tenure.feedback.models import Answer, Response
from tenure.insights.nps import ItemSummary, NpsResult
from tenure.insights.nps import item_summary as summarise_item
from tenure.insights.nps import nps as compute_nps

#: Default smallest number of anonymous respondents a shown group may hold.
MIN_GROUP = 3
#: Default window of the figures, in days.
WINDOW_DAYS = 365


def min_group_size() -> int:
    """``TENURE_SURVEY_MIN_GROUP`` (default 3); never below 2, which would show one person."""
    return max(2, int(getattr(settings, "TENURE_SURVEY_MIN_GROUP", MIN_GROUP)))


def is_disclosed(anonymous: int, min_group: int) -> bool:
    """May a group's figures be shown? Yes with no anonymous respondents, or enough of them."""
    return anonymous == 0 or anonymous >= min_group


def quarter_of(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    start = quarter_start(day)
    return quarter_start(start + dt.timedelta(days=92)) - dt.timedelta(days=1)


def default_since(today: dt.date) -> dt.date:
    """The start of the default window: the quarter that held the day 365 days ago.

    Whole quarters, like every window (see :func:`window_of`), so the default figures do
    not move by a day's answers as the days pass.
    """
    return quarter_start(today - dt.timedelta(days=WINDOW_DAYS))


def window_of(scope: Scope, today: dt.date) -> Scope:
    """The scope with its window widened to whole quarters (the default when none is set).

    Windows over anonymous answers move in quarters, never in days: two windows a day
    apart would otherwise differ by one day's answers, and subtracting their figures
    would show that day's anonymous answers, though every group involved is hidden. With
    whole quarters, the finest difference is a quarter, the period anonymous answers are
    shown by anyway.
    """
    since = quarter_start(scope.since) if scope.since else default_since(today)
    until = quarter_end(scope.until) if scope.until else None
    return replace(scope, since=since, until=until)


@dataclass(frozen=True)
class Scope:
    """Which answers a figure covers: an account, a tier, a manager's accounts, a window;
    and for whom: ``names`` when the reader may see the names respondents agreed to share,
    ``team_member_id`` to keep only the accounts on that user's teams (a reader who does
    not see every account). Build it for a user with ``feedback.audience.reader_scope``;
    the defaults (no names, every account) are for figures no person reads one by one.
    """

    account_id: int | None = None
    tier: str = ""
    manager_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    names: bool = False
    team_member_id: int | None = None


@dataclass(frozen=True)
class NpsFigure:
    """The NPS of one group; ``result`` is ``None`` when it is hidden or has no answers."""

    label: str
    key: Hashable
    n: int
    result: NpsResult | None

    @property
    def hidden(self) -> bool:
        return self.n > 0 and self.result is None


@dataclass(frozen=True)
class ItemFigure:
    """The mean of one rating item (by question key, across versions)."""

    key: str
    label: str
    n: int
    summary: ItemSummary | None

    @property
    def hidden(self) -> bool:
        return self.n > 0 and self.summary is None


@dataclass(frozen=True)
class Respondent:
    response_id: int
    account_id: int
    account_name: str
    tier: str
    manager_id: int | None
    manager_name: str
    campaign: str
    answered_at: dt.datetime
    named: bool
    name: str

    @property
    def day(self) -> dt.date:
        return timezone.localdate(self.answered_at)


@dataclass(frozen=True)
class AnswerRow:
    response_id: int
    key: str
    kind: str
    label: str
    score: int | None
    text: str


def team_accounts(user_id: int) -> QuerySet[TeamMembership, Any]:
    """The ids of the accounts on the teams of a user (a subquery)."""
    return TeamMembership.objects.filter(user_id=user_id).values("account_id")


def responses_in(scope: Scope, since: dt.date | None) -> QuerySet[Response]:
    responses = Response.objects.all()
    if scope.account_id is not None:
        responses = responses.filter(invitation__account_id=scope.account_id)
    if scope.tier:
        responses = responses.filter(invitation__account__tier=scope.tier)
    if scope.manager_id is not None:
        responses = responses.filter(
            invitation__account__team__role=TeamRole.KEY_ACCOUNT_MANAGER,
            invitation__account__team__user_id=scope.manager_id,
        )
    if scope.team_member_id is not None:
        responses = responses.filter(invitation__account_id__in=team_accounts(scope.team_member_id))
    if since is not None:
        responses = responses.filter(answered_at__gte=start_of(since))
    if scope.until is not None:
        responses = responses.filter(answered_at__lt=start_of(scope.until + dt.timedelta(days=1)))
    return responses


def load_answers(scope: Scope, since: dt.date | None) -> tuple[list[Respondent], list[AnswerRow]]:
    """One query: every answer in scope with its respondent, account and manager.

    Every response has at least one answer (the service refuses empty ones), so the
    respondents are read off the answer rows.
    """
    # The name leaves the database only for people who agreed to share it, and only for
    # a reader who may see it.
    consented_name = Concat(
        "response__invitation__contact__first_name",
        Value(" "),
        "response__invitation__contact__last_name",
    )
    respondent = (
        Case(
            When(response__consent_to_share=True, then=consented_name),
            default=Value(""),
            output_field=CharField(),
        )
        if scope.names
        else Value("", output_field=CharField())
    )
    rows = (
        Answer.objects.filter(response__in=responses_in(scope, since).values("id"))
        .alias(
            kam=FilteredRelation(
                "response__invitation__account__team",
                condition=Q(response__invitation__account__team__role=TeamRole.KEY_ACCOUNT_MANAGER),
            )
        )
        .annotate(respondent=respondent)
        .order_by("response_id", "question__position", "id")
        .values_list(
            "response_id",
            "question__key",
            "question__kind",
            "question__text",
            "score",
            "text",
            "response__invitation__account_id",
            "response__invitation__account__name",
            "response__invitation__account__tier",
            "kam__user_id",
            "kam__user__first_name",
            "kam__user__last_name",
            "kam__user__username",
            "response__invitation__campaign__name",
            "response__answered_at",
            "response__consent_to_share",
            "respondent",
        )
    )
    respondents: dict[int, Respondent] = {}
    answers = []
    for row in rows:
        answers.append(AnswerRow(*row[:6]))
        if row[0] in respondents:
            continue
        full_name = f"{row[10] or ''} {row[11] or ''}".strip()
        respondents[row[0]] = Respondent(
            response_id=row[0],
            account_id=row[6],
            account_name=row[7],
            tier=row[8],
            manager_id=row[9],
            manager_name=full_name or (row[12] or ""),
            campaign=row[13],
            answered_at=row[14],
            named=row[15],
            name=(row[16] or "").strip() if row[15] and scope.names else "",
        )
    return list(respondents.values()), answers


def nps_figure(
    label: str, key: Hashable, group: list[tuple[Respondent, int]], min_group: int
) -> NpsFigure:
    anonymous = sum(not r.named for r, _ in group)
    if not group or not is_disclosed(anonymous, min_group):
        return NpsFigure(label, key, len(group), None)
    return NpsFigure(label, key, len(group), compute_nps(score for _, score in group))


def item_figures(
    respondents: dict[int, Respondent], answers: list[AnswerRow], min_group: int
) -> list[ItemFigure]:
    labels: dict[str, str] = {}
    groups: dict[str, list[tuple[Respondent, int]]] = defaultdict(list)
    for answer in answers:
        if answer.kind == QuestionKind.RATING and answer.score is not None:
            labels[answer.key] = answer.label
            groups[answer.key].append((respondents[answer.response_id], answer.score))
    figures = []
    for key, group in groups.items():
        anonymous = sum(not r.named for r, _ in group)
        summary = (
            summarise_item(s for _, s in group) if is_disclosed(anonymous, min_group) else None
        )
        figures.append(ItemFigure(key, labels[key], len(group), summary))
    return figures


def disclosed_accounts(anonymous_by_account: Mapping[int, int], min_group: int) -> set[int]:
    """Accounts whose anonymous respondents form a group that may be shown (without names).

    The one place the group rule picks accounts, whether the respondents were loaded
    (:func:`shown_accounts`) or counted in the database (:func:`shown_accounts_between`).
    """
    return {a for a, count in anonymous_by_account.items() if is_disclosed(count, min_group)}


def shown_accounts(respondents: Iterable[Respondent], min_group: int) -> set[int]:
    """Accounts whose anonymous respondents among ``respondents`` may be shown."""
    anonymous: dict[int, int] = defaultdict(int)
    for r in respondents:
        if not r.named:
            anonymous[r.account_id] += 1
    return disclosed_accounts(anonymous, min_group)


def shown_accounts_between(
    *, account_ids: Iterable[int], since: dt.date, end: dt.datetime
) -> set[int]:
    """Accounts whose anonymous respondents from ``since`` until ``end`` may be shown,
    counted in the database (for signals that do not load the answers)."""
    counts = (
        anonymous_responses(Response.objects.all())
        .filter(
            invitation__account_id__in=list(account_ids),
            answered_at__gte=start_of(since),
            answered_at__lt=end,
        )
        .values("invitation__account_id")
        .annotate(n=Count("id"))
        .values_list("invitation__account_id", "n")
    )
    return disclosed_accounts(dict(counts), min_group_size())


def anonymous_responses(responses: QuerySet[Response]) -> QuerySet[Response]:
    """The responses whose respondent did not agree to be named (shown only in groups)."""
    return responses.filter(consent_to_share=False)
