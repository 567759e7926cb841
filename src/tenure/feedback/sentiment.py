"""Survey signals for alerts and health: an account's latest sentiment, recent detractors.

Both follow the rule in ``feedback.anonymity``: names and scores of individual answers only
with consent, figures of groups only when the group may be shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.feedback.anonymity import (
    ItemFigure,
    NpsFigure,
    Scope,
    default_since,
    item_figures,
    load_answers,
    min_group_size,
    nps_figure,
    start_of,
)
from tenure.feedback.choices import QuestionKind
from tenure.feedback.models import Answer
from tenure.insights.nps import DETRACTOR_MAX


@dataclass(frozen=True)
class AccountSentiment:
    """An account's latest survey signal, for the account page and later health and alerts.

    ``nps`` and ``items`` follow the group rule; ``last_detractor_on`` is the day of the
    latest 0–6 answer (a signal to act on; it carries no name unless the person agreed).
    """

    account_id: int
    since: dt.date
    nps: NpsFigure
    items: list[ItemFigure]
    last_answered_on: dt.date | None
    last_detractor_on: dt.date | None


def account_sentiment(account: Account, *, today: dt.date | None = None) -> AccountSentiment:
    """The account's NPS and satisfaction over the last 365 days, with their dates."""
    today = today or timezone.localdate()
    since = default_since(today)
    respondents, answers = load_answers(Scope(account_id=account.pk), since)
    by_id = {r.response_id: r for r in respondents}
    scores = [
        (by_id[a.response_id], a.score)
        for a in answers
        if a.kind == QuestionKind.NPS and a.score is not None
    ]
    min_group = min_group_size()
    detractor_days = [r.day for r, s in scores if s <= DETRACTOR_MAX]
    return AccountSentiment(
        account_id=account.pk,
        since=since,
        nps=nps_figure(account.name, account.pk, scores, min_group),
        items=item_figures(by_id, answers, min_group),
        last_answered_on=max((r.day for r in respondents), default=None),
        last_detractor_on=max(detractor_days, default=None),
    )


@dataclass(frozen=True)
class DetractorSignal:
    """A 0–6 answer, for alerts: the score and name only when the person agreed."""

    account_id: int
    account_name: str
    campaign_id: int
    answered_on: dt.date
    score: int | None
    respondent: str


def latest_detractors(*, since: dt.date) -> list[DetractorSignal]:
    """Detractor answers given since ``since``, newest first, one query."""
    rows = (
        Answer.objects.filter(
            question__kind=QuestionKind.NPS,
            score__lte=DETRACTOR_MAX,
            response__answered_at__gte=start_of(since),
        )
        .annotate(
            respondent=Case(
                When(
                    response__consent_to_share=True,
                    then=Concat(
                        "response__invitation__contact__first_name",
                        Value(" "),
                        "response__invitation__contact__last_name",
                    ),
                ),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .order_by("-response__answered_at", "-id")
        .values_list(
            "response__invitation__account_id",
            "response__invitation__account__name",
            "response__invitation__campaign_id",
            "response__answered_at",
            "score",
            "response__consent_to_share",
            "respondent",
        )
    )
    return [
        DetractorSignal(
            account_id=account_id,
            account_name=account_name,
            campaign_id=campaign_id,
            answered_on=timezone.localdate(answered_at),
            score=score if named else None,
            respondent=(name or "").strip() if named else "",
        )
        for account_id, account_name, campaign_id, answered_at, score, named, name in rows
    ]
