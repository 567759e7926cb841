"""Survey signals for alerts and health: an account's latest sentiment, recent detractors.

Both follow the rule in ``feedback.anonymity``: names and scores of individual answers only
with consent, figures of groups only when the group may be shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

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
    quarter_of,
    shown_accounts_between,
    start_of,
)
from tenure.feedback.choices import CampaignStatus, QuestionKind
from tenure.feedback.models import Answer, Campaign
from tenure.insights.nps import DETRACTOR_MAX


@dataclass(frozen=True)
class AccountSentiment:
    """An account's latest survey signal, for the account page and later health and alerts.

    ``nps`` and ``items`` follow the group rule. ``last_answered_on`` and
    ``last_detractor_on`` are the days of the latest answer and the latest 0–6 answer *of
    respondents who agreed to be named*: an anonymous answer is never dated (one person
    asked, and its day would say who answered, and how).
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
    detractor_days = [r.day for r, s in scores if s <= DETRACTOR_MAX and r.named]
    return AccountSentiment(
        account_id=account.pk,
        since=since,
        nps=nps_figure(account.name, account.pk, scores, min_group),
        items=item_figures(by_id, answers, min_group),
        last_answered_on=max((r.day for r in respondents if r.named), default=None),
        last_detractor_on=max(detractor_days, default=None),
    )


@dataclass(frozen=True)
class DetractorCause:
    """Detractor answers (NPS 0–6) to follow up, as an alert may show them.

    *Named* (the person agreed to share their name): one answer, with its score, its day
    and the respondent (``contact_id``, to recognise a meeting with them as a follow-up);
    ``key`` is ``response:<id>``.

    *Anonymous*: every anonymous detractor answer of one campaign in one quarter, with no
    score, no day, no response and no respondent. ``key`` is a keyed hash of campaign and
    quarter, which names the cause without pointing at an answer; ``period`` is the
    quarter. ``answered_at`` (the latest answer) is only for telling whether a
    conversation came after the answers, and is never to be shown.
    """

    account_id: int
    key: str
    campaign_id: int
    campaign: str
    named: bool
    score: int | None
    answered_on: dt.date | None
    period: str
    contact_id: int | None
    answered_at: dt.datetime


def _anonymous_key(campaign_id: int, quarter: str) -> str:
    digest = salted_hmac("tenure.feedback.detractors", f"{campaign_id}:{quarter}").hexdigest()
    return f"anonymous:{digest[:20]}"


def detractor_causes(
    *, account_ids: QuerySet[Account, Any], since: dt.date, as_of: dt.date, keys: Iterable[str] = ()
) -> list[DetractorCause]:
    """Detractor answers given up to ``as_of`` to follow up, by cause (see the class).

    Answers since ``since`` count, and older ones whose cause ``key`` is in ``keys``
    (causes still open). Anonymous answers count only where they may be shown as a group,
    and only when they can no longer point at a day:

    * the account's anonymous respondents over the figures' window form a group that is
      shown (at least the minimum group, ``feedback.anonymity``): below it, even "someone
      here answered 6 or less" would tell who, when one person was asked;
    * their campaign no longer takes answers on ``as_of``: a cause that appeared the day
      after an anonymous answer would date it.
    """
    end = start_of(as_of + dt.timedelta(days=1))
    keys = set(keys)
    open_responses = [int(k.split(":")[1]) for k in keys if k.startswith("response:")]
    window = default_since(as_of)
    rows = (
        Answer.objects.filter(
            question__kind=QuestionKind.NPS,
            score__lte=DETRACTOR_MAX,
            response__invitation__account_id__in=account_ids,
            response__answered_at__lt=end,
        )
        .filter(
            Q(response__answered_at__gte=start_of(min(since, window)))
            | Q(response_id__in=open_responses)
        )
        .order_by("response__answered_at", "id")
        .values_list(
            "response_id",
            "response__invitation__account_id",
            "response__invitation__contact_id",
            "response__invitation__campaign_id",
            "response__invitation__campaign__name",
            "response__answered_at",
            "response__consent_to_share",
            "score",
        )
    )
    named: list[DetractorCause] = []
    anonymous: dict[str, DetractorCause] = {}
    for response_id, account_id, contact_id, campaign_id, campaign, at, consent, score in rows:
        day = timezone.localdate(at)
        if consent:
            key = f"response:{response_id}"
            if day >= since or key in keys:
                named.append(
                    DetractorCause(
                        account_id,
                        key,
                        campaign_id,
                        campaign,
                        True,
                        score,
                        day,
                        quarter_of(day),
                        contact_id,
                        at,
                    )
                )
            continue
        quarter = quarter_of(day)
        key = _anonymous_key(campaign_id, quarter)
        if day >= since or key in keys or key in anonymous:
            # Rows come oldest first: the cause keeps the latest answer's time.
            anonymous[key] = DetractorCause(
                account_id, key, campaign_id, campaign, False, None, None, quarter, None, at
            )
    if anonymous:
        shown = shown_accounts_between(
            account_ids={c.account_id for c in anonymous.values()}, since=window, end=end
        )
        taking = _taking_answers({c.campaign_id for c in anonymous.values()}, end)
        named.extend(
            c for c in anonymous.values() if c.account_id in shown and c.campaign_id not in taking
        )
    return named


def _taking_answers(campaign_ids: set[int], moment: dt.datetime) -> set[int]:
    """Campaigns that still took answers at ``moment`` (open then, not yet past closing)."""
    return set(
        Campaign.objects.filter(pk__in=campaign_ids, closes_at__gt=moment)
        .filter(
            Q(status=CampaignStatus.OPEN) | Q(status=CampaignStatus.CLOSED, closed_at__gt=moment)
        )
        .values_list("pk", flat=True)
    )
