"""A synthetic key-account portfolio with known ground truth.

Everything here is pure: one seeded ``numpy`` generator decides the whole world, so the
same (seed, number of accounts, as-of date) always gives the same portfolio. Loading it
into the CRM store is ``tenure.demo.load``'s job.

The world is built to be *learnable* the way real portfolios are:

- annual revenue is Pareto-distributed (a few accounts carry most of it);
- accounts have a seasonal rhythm (school year, Christmas goods, summer, year-end budgets);
- churn is caused, never random: an account churns some months after one of five recorded
  causes (the only engaged decision maker leaves, engagement fades, an issue stays open, a
  detractor answer, a competitor's offer), and each cause leaves traces in the data before
  the account stops buying. Causes also happen without churn, so nothing is a giveaway;
- key accounts and a panel of other accounts answer a relationship survey every half-year;
  how likely each person is to recommend the supplier follows their relationship strength,
  the causes that struck the account before the survey and whether it is drifting towards
  churn, so detractors concentrate where churn is coming without announcing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from tenure.demo import names
from tenure.insights.nps import DETRACTOR_MAX, PROMOTER_MIN

CHURN_CAUSES = (
    "decision_maker_left",
    "engagement_faded",
    "issue_unresolved",
    "detractor",
    "competitor_offer",
)
# Monthly chance of each cause happening, and the chance that it ends the relationship.
CAUSE_MONTHLY_RATE = {
    "decision_maker_left": 0.0040,
    "engagement_faded": 0.0035,
    "issue_unresolved": 0.0040,
    "detractor": 0.0030,
    "competitor_offer": 0.0035,
}
CAUSE_FATALITY = {
    "decision_maker_left": 0.55,
    "engagement_faded": 0.50,
    "issue_unresolved": 0.45,
    "detractor": 0.40,
    "competitor_offer": 0.50,
}
# Monthly revenue multipliers (January first) for each seasonal profile.
SEASON_PROFILES = {
    "none": np.ones(12),
    "school_year": np.array([0.6, 0.6, 0.7, 0.7, 0.8, 1.2, 1.9, 2.2, 1.4, 0.7, 0.6, 0.6]),
    "christmas": np.array([0.5, 0.5, 0.6, 0.6, 0.7, 0.8, 1.0, 1.6, 2.0, 2.0, 1.2, 0.5]),
    "summer": np.array([0.6, 0.6, 0.8, 1.0, 1.5, 1.8, 1.8, 1.3, 0.9, 0.7, 0.5, 0.5]),
    "year_end_budget": np.array([0.8, 0.8, 0.9, 0.9, 0.9, 1.0, 0.7, 0.7, 1.0, 1.1, 1.5, 1.7]),
}
SEASON_WEIGHTS = {
    "none": 0.45,
    "school_year": 0.15,
    "christmas": 0.15,
    "summer": 0.13,
    "year_end_budget": 0.12,
}
BUYING_ROLES = ("decision_maker", "economic_buyer", "influencer", "champion", "user", "gatekeeper")
#: The top accounts by revenue that are still customers are the key accounts.
KEY_ACCOUNT_SHARE = 0.08

# Relationship surveys: one wave per half-year, the latest a few weeks before the as-of date.
SURVEY_WAVES = 3
#: 27 weeks between waves. The feedback app's default contact budget allows two surveys per
#: person in any 365 days, so a 26-week (182-day) rhythm would refuse every third wave.
SURVEY_GAP_DAYS = 189
SURVEY_LAST_SENT_DAYS_AGO = 56
SURVEY_OPEN_DAYS = 28
#: Besides the key accounts, a panel of other accounts from the top half by revenue.
SURVEY_PANEL_SHARE = 0.06
#: A relationship survey asks the people who decide and shape buying, not every user.
SURVEY_ROLES = ("decision_maker", "economic_buyer", "champion", "influencer")
#: How many points of likelihood-to-recommend a cause costs while it is recent (six months).
CAUSE_SCORE_DROP = {
    "decision_maker_left": 1.0,
    "engagement_faded": 1.5,
    "issue_unresolved": 2.5,
    "detractor": 4.0,
    "competitor_offer": 1.5,
}
#: Buyers who will leave within a year are already less convinced before a cause is recorded.
CHURN_DRIFT_MONTHS = 12
CHURN_DRIFT_DROP = 1.5
#: Detractors write a reason most often; promoters agree to be named most often.
SURVEY_COMMENT_RATE = {"detractor": 0.7, "passive": 0.35, "promoter": 0.5}
SURVEY_CONSENT_RATE = {"detractor": 0.4, "passive": 0.45, "promoter": 0.6}

#: The accounts in visible trouble at the end of the history, one story each, in the order
#: they are handed out (the most demanding condition first).
STORIES = ("detractor", "missed_peak", "competitor_offer", "decision_maker_left")
#: A peak month is one where a seasonal profile at least half again the average month.
PEAK_LEVEL = 1.5
#: How far back a missed peak may lie, in complete months before the as-of month.
MISSED_PEAK_LOOKBACK = 6
#: What share of the expected revenue a missed peak, or a competitor's first month, brings.
MISSED_PEAK_SHARE = 0.4
COMPETITOR_SHARE = 0.6
#: The detractor's answer in the latest wave.
STORY_DETRACTOR_SCORE = 3


@dataclass(frozen=True)
class DemoConfig:
    """What the demo portfolio looks like: its size, its seed, the day it ends."""

    accounts: int = 300
    seed: int = 7
    as_of: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    months: int = 36

    def __post_init__(self) -> None:
        if self.accounts < 10:
            raise ValueError("the demo portfolio needs at least 10 accounts")
        if self.months < 24:
            raise ValueError("the demo portfolio needs at least 24 months of history")


@dataclass
class AccountSpec:
    """What one account is like, and what happens to it."""

    index: int
    external_id: str
    name: str
    industry: str
    country: str
    employees: int
    founded_year: int
    annual_revenue: float
    growth: float
    season: str
    start_month: int
    manager: int
    orders_per_month: float
    categories: tuple[str, ...]
    #: The month each category is first bought, aligned with ``categories`` (sorted by it).
    category_months: tuple[int, ...] = ()
    events: list[tuple[int, str]] = field(default_factory=list)
    churn_month: int | None = None
    churn_cause: str | None = None
    contacts: list[dict[str, object]] = field(default_factory=list)
    is_key: bool = False
    #: Key accounts and the survey panel get a relationship survey in every wave.
    surveyed: bool = False
    #: (wave, contact) of everyone a wave reached; ``contact`` indexes ``contacts``.
    survey_invitations: list[tuple[int, int]] = field(default_factory=list)
    survey_answers: list[SurveyAnswer] = field(default_factory=list)
    #: The trouble this account is in at the end of the history (one of ``STORIES``, or
    #: ``""``), and the month it began: the loader writes what the team noted about it.
    story: str = ""
    story_month: int | None = None
    #: Month → revenue multiplier: a peak missed or a competitor taking a share shows in
    #: the ledger, not only in the notes.
    revenue_dips: dict[int, float] = field(default_factory=dict)

    def decision_maker_left_month(self) -> int | None:
        """The month the first decision maker (``contacts[0]``) left, if they did."""
        return min((m for m, c in self.events if c == "decision_maker_left"), default=None)


@dataclass(frozen=True)
class SurveyWave:
    """One half-yearly relationship survey: sent on a day, open for a few weeks."""

    number: int
    month: int
    sent_on: dt.date
    closes_on: dt.date

    @property
    def half_year(self) -> str:
        return f"H{1 if self.sent_on.month <= 6 else 2} {self.sent_on.year}"


@dataclass(frozen=True)
class SurveyAnswer:
    """One person's answer in one wave: ``contact`` indexes ``AccountSpec.contacts``."""

    wave: int
    contact: int
    #: Local wall-clock time, no zone: the loader reads it in the configured time zone.
    answered_at: dt.datetime
    score: int
    comment: str
    consent: bool


@dataclass
class World:
    """The generated portfolio, before it is written anywhere."""

    config: DemoConfig
    first_month: dt.date
    managers: list[tuple[str, str, str]]
    accounts: list[AccountSpec]
    survey_waves: list[SurveyWave] = field(default_factory=list)

    def month_start(self, month: int) -> dt.date:
        """The first day of the ``month``-th month of the history (0-based)."""
        year = self.first_month.year + (self.first_month.month - 1 + month) // 12
        return dt.date(year, (self.first_month.month - 1 + month) % 12 + 1, 1)


def _first_month(as_of: dt.date, months: int) -> dt.date:
    index = as_of.year * 12 + as_of.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _unique_names(rng: np.random.Generator, count: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        name = " ".join(
            (
                str(rng.choice(names.COMPANY_FIRST)),
                str(rng.choice(names.COMPANY_SECOND)),
                str(rng.choice(names.COMPANY_SUFFIX)),
            )
        )
        if name in seen:
            name = f"{name} {len(out)}"
        seen.add(name)
        out.append(name)
    return out


def build_world(config: DemoConfig) -> World:
    """Draw the whole portfolio from ``config.seed``."""
    rng = np.random.default_rng(config.seed)
    n = config.accounts
    manager_count = int(np.clip(round(n / 30), 3, len(names.MANAGER_NAMES)))
    managers = [
        (f"{first.lower()}.{last.lower()}", first, last)
        for first, last in names.MANAGER_NAMES[:manager_count]
    ]

    # Pareto revenue: shape 1.2 gives roughly the 80/20 concentration seen in B2B ledgers.
    annual = (rng.pareto(1.2, n) + 1.0) * 12_000.0
    annual = np.minimum(annual, 40_000_000.0)
    order = np.argsort(-annual, kind="stable")
    season_names = list(SEASON_WEIGHTS)
    season_p = np.array([SEASON_WEIGHTS[s] for s in season_names])
    account_names = _unique_names(rng, n)
    # Each industry favours some categories: peers predict what an account will buy next.
    taste = {
        industry: rng.dirichlet(np.full(len(names.CATEGORIES), 0.4))
        for industry in names.INDUSTRIES
    }

    accounts: list[AccountSpec] = []
    for rank, i in enumerate(order):
        revenue = float(annual[i])
        size = int(np.clip(rng.lognormal(np.log(40 + revenue / 4000), 0.6), 5, 200_000))
        industry = str(rng.choice(names.INDUSTRIES))
        season = str(rng.choice(season_names, p=season_p))
        if industry == "Education supplies":
            season = "school_year"
        elif industry == "Toys & seasonal goods":
            season = "christmas"
        # A tenth of the accounts join during the history; the rest were customers before.
        start_month = int(rng.integers(1, config.months - 12)) if rng.random() < 0.1 else 0
        category_count = int(np.clip(rng.poisson(2 + np.log10(revenue) - 3), 1, 9))
        chosen = rng.choice(
            len(names.CATEGORIES), size=category_count, replace=False, p=taste[industry]
        )
        # Most categories are bought from the start; the others are adopted later, which is
        # what a whitespace suggestion tries to anticipate.
        months = [start_month] + [
            start_month if rng.random() < 0.6 else int(rng.integers(start_month + 1, config.months))
            for _ in chosen[1:]
        ]
        adoption = sorted(zip(months, (names.CATEGORIES[c] for c in chosen), strict=True))
        categories = tuple(category for _, category in adoption)
        category_months = tuple(month for month, _ in adoption)
        accounts.append(
            AccountSpec(
                index=rank,
                external_id=f"C{10000 + rank:05d}",
                name=account_names[rank],
                industry=industry,
                country=str(rng.choice(names.COUNTRIES)),
                employees=size,
                founded_year=int(rng.integers(1890, 2021)),
                annual_revenue=revenue,
                growth=float(rng.normal(0.03, 0.12)),
                season=season,
                start_month=start_month,
                manager=int(rng.integers(0, manager_count)),
                orders_per_month=float(np.clip(np.sqrt(revenue) / 60.0, 0.35, 25.0)),
                categories=categories,
                category_months=category_months,
            )
        )
    for account in accounts:
        _draw_contacts(rng, account)
        _draw_fate(rng, account, config.months)
    key_count = max(1, round(n * KEY_ACCOUNT_SHARE))
    for account in accounts:
        account.is_key = account.index < key_count and account.churn_month is None
    first_month = _first_month(config.as_of, config.months)
    # Drawn after everything else, so the rest of the world is what it was without surveys.
    waves = _survey_waves(config, first_month)
    _draw_surveys(rng, accounts, waves)
    # After the surveys too, and without the generator: the rest stays as it was.
    _draw_stories(accounts, waves, first_month, config.months)
    return World(
        config=config,
        first_month=first_month,
        managers=managers,
        accounts=accounts,
        survey_waves=waves,
    )


def _draw_contacts(rng: np.random.Generator, account: AccountSpec) -> None:
    """Stakeholders: bigger accounts have more people engaged, in more roles."""
    count = int(np.clip(rng.poisson(1.5 + np.log10(account.annual_revenue) - 3.5), 1, 12))
    roles = ["decision_maker", *rng.choice(BUYING_ROLES, size=count - 1).tolist()]
    for role in roles:
        account.contacts.append(
            {
                "first_name": str(rng.choice(names.FIRST_NAMES)),
                "last_name": str(rng.choice(names.LAST_NAMES)),
                "role": role,
                "department": "Management"
                if role in ("decision_maker", "economic_buyer")
                else str(rng.choice(names.DEPARTMENTS)),
                "strength": int(rng.integers(2, 6)),
                "seniority": "executive" if role == "decision_maker" else "manager",
            }
        )


def _draw_fate(rng: np.random.Generator, account: AccountSpec, months: int) -> None:
    """Causes happen month by month; a fatal one ends buying a few months later."""
    # Big accounts are better looked after: causes hit them a little less often.
    care = 0.6 if account.index < 30 else 1.0
    # A relationship resting on one decision maker does not survive their departure as
    # often as one where another decision maker is engaged.
    deciders = sum(c["role"] == "decision_maker" for c in account.contacts)
    for month in range(account.start_month + 1, months):
        if account.churn_month is not None and month >= account.churn_month:
            break
        for cause in CHURN_CAUSES:
            if rng.random() >= CAUSE_MONTHLY_RATE[cause] * care:
                continue
            account.events.append((month, cause))
            fatality = CAUSE_FATALITY[cause]
            if cause == "decision_maker_left" and deciders > 1:
                fatality = 0.0
            if account.churn_month is None and rng.random() < fatality:
                churn = month + int(rng.integers(2, 7))
                if churn < months:
                    account.churn_month = churn
                    account.churn_cause = cause


def _survey_waves(config: DemoConfig, first_month: dt.date) -> list[SurveyWave]:
    """The half-yearly waves, oldest first; each is sent on a Tuesday."""
    last = config.as_of - dt.timedelta(days=SURVEY_LAST_SENT_DAYS_AGO)
    last -= dt.timedelta(days=(last.weekday() - 1) % 7)
    waves = []
    for number in range(SURVEY_WAVES):
        sent = last - dt.timedelta(days=SURVEY_GAP_DAYS * (SURVEY_WAVES - 1 - number))
        month = (sent.year - first_month.year) * 12 + sent.month - first_month.month
        waves.append(
            SurveyWave(
                number=number,
                month=month,
                sent_on=sent,
                closes_on=sent + dt.timedelta(days=SURVEY_OPEN_DAYS),
            )
        )
    return waves


def score_band(score: int) -> str:
    """``detractor`` (0–6), ``passive`` (7–8) or ``promoter`` (9–10): the NPS bands."""
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "promoter" if score >= PROMOTER_MIN else "passive"


def _draw_surveys(
    rng: np.random.Generator, accounts: list[AccountSpec], waves: list[SurveyWave]
) -> None:
    """Who is surveyed, who answers in each wave, with what score, comment and consent."""
    n = len(accounts)
    first = waves[0].month
    candidates = [
        a.index
        for a in accounts
        if not a.is_key
        and a.index < n // 2
        and a.start_month < first
        and (a.churn_month is None or a.churn_month > first)
    ]
    panel_size = min(len(candidates), round(n * SURVEY_PANEL_SHARE))
    panel = set(rng.choice(candidates, size=panel_size, replace=False).tolist())
    for account in accounts:
        account.surveyed = account.is_key or account.index in panel
        if not account.surveyed:
            continue
        left = account.decision_maker_left_month()
        for wave in waves:
            if account.start_month >= wave.month or (
                account.churn_month is not None and account.churn_month <= wave.month
            ):
                continue
            faded = any(c == "engagement_faded" and m <= wave.month for m, c in account.events)
            for number, person in enumerate(account.contacts):
                if person["role"] not in SURVEY_ROLES or (
                    number == 0 and left is not None and left <= wave.month
                ):
                    continue
                account.survey_invitations.append((wave.number, number))
                strength = int(person["strength"])  # type: ignore[call-overload]
                # A fifth to a half of the people asked answer: warmer relationships
                # and key accounts more often, a fading relationship half as often.
                answers = 0.06 + 0.06 * strength + (0.10 if account.is_key else 0.0)
                if rng.random() >= answers * (0.5 if faded else 1.0):
                    continue
                mean = _likelihood_to_recommend(account, strength, wave)
                score = int(np.clip(round(rng.normal(mean, 1.5)), 0, 10))
                band = score_band(score)
                delay = min(int(rng.exponential(4.0)), SURVEY_OPEN_DAYS - 1)
                moment = dt.time(int(rng.integers(9, 19)), int(rng.integers(0, 60)))
                comment = (
                    str(rng.choice(names.SURVEY_COMMENTS[band]))
                    if rng.random() < SURVEY_COMMENT_RATE[band]
                    else ""
                )
                account.survey_answers.append(
                    SurveyAnswer(
                        wave=wave.number,
                        contact=number,
                        answered_at=dt.datetime.combine(
                            wave.sent_on + dt.timedelta(days=delay), moment
                        ),
                        score=score,
                        comment=comment,
                        consent=bool(rng.random() < SURVEY_CONSENT_RATE[band]),
                    )
                )


def _likelihood_to_recommend(account: AccountSpec, strength: int, wave: SurveyWave) -> float:
    """The expected 0–10 answer of a person of this strength at this account in this wave."""
    mean = 8.0 + 0.5 * (strength - 3.5) + (0.3 if account.is_key else 0.0)
    for month, cause in account.events:
        if 0 <= wave.month - month < 6:
            mean -= CAUSE_SCORE_DROP[cause]
    if account.churn_month is not None and account.churn_month - wave.month <= CHURN_DRIFT_MONTHS:
        mean -= CHURN_DRIFT_DROP
    return mean


def _peak_months(season: str) -> set[int]:
    """Calendar months (1–12) in which ``season``'s orders peak."""
    profile = SEASON_PROFILES[season]
    return {month + 1 for month in range(12) if profile[month] >= PEAK_LEVEL}


def _recent_peak(account: AccountSpec, first_month: dt.date, months: int) -> tuple[int, ...]:
    """The history months of the account's latest peak within the lookback, oldest first."""
    peaks = _peak_months(account.season)
    chosen: list[int] = []
    for month in range(months - 1, months - 1 - MISSED_PEAK_LOOKBACK, -1):
        calendar = (first_month.month - 1 + month) % 12 + 1
        if calendar in peaks:
            chosen.append(month)
        elif chosen:
            break
    return tuple(sorted(chosen))


def _draw_stories(
    accounts: list[AccountSpec], waves: list[SurveyWave], first_month: dt.date, months: int
) -> None:
    """A few accounts in trouble for a visible reason, each recent and none fatal (yet).

    Candidates are customers with two years of history that have not churned, key accounts
    first: the stories are for the pages a manager and a director open. Each story is
    written into the world the way its cause is (an event, a dip in the orders, a survey
    answer), so the ledger, the surveys and the notes tell the same story.
    """
    n = len(accounts)
    candidates = sorted(
        (
            a
            for a in accounts
            if a.churn_month is None and a.start_month <= months - 24 and a.index < max(n // 2, 1)
        ),
        key=lambda a: (not a.is_key, a.index),
    )
    latest = waves[-1]
    taken: set[int] = set()
    for story in STORIES:
        for account in candidates:
            if account.index in taken:
                continue
            if story == "detractor" and _make_detractor(account, latest):
                pass
            elif story == "missed_peak" and account.season != "none":
                peak = _recent_peak(account, first_month, months)
                if not peak:
                    continue
                account.revenue_dips.update({m: MISSED_PEAK_SHARE for m in peak})
                account.story_month = peak[0]
            elif story == "competitor_offer":
                account.events.append((months - 1, story))
                account.revenue_dips[months - 1] = COMPETITOR_SHARE
                account.story_month = months - 1
            elif story == "decision_maker_left" and not any(
                cause == story for _, cause in account.events
            ):
                # This month: after the latest survey wave, which still reached them.
                account.events.append((months, story))
                account.story_month = months
            else:
                continue
            account.story = story
            taken.add(account.index)
            break


def _make_detractor(account: AccountSpec, wave: SurveyWave) -> bool:
    """Turn one answer of ``wave`` into a detractor's, or add one from someone invited."""
    invited = sorted(c for w, c in account.survey_invitations if w == wave.number)
    if not invited:
        return False
    comment = names.SURVEY_COMMENTS["detractor"][0]
    answers = account.survey_answers
    mine = [i for i, a in enumerate(answers) if a.wave == wave.number]
    if mine:
        old = answers[mine[0]]
        answers[mine[0]] = SurveyAnswer(
            wave=old.wave,
            contact=old.contact,
            answered_at=old.answered_at,
            score=STORY_DETRACTOR_SCORE,
            comment=comment,
            consent=True,
        )
    else:
        answers.append(
            SurveyAnswer(
                wave=wave.number,
                contact=invited[0],
                answered_at=dt.datetime.combine(
                    wave.sent_on + dt.timedelta(days=2), dt.time(10, 30)
                ),
                score=STORY_DETRACTOR_SCORE,
                comment=comment,
                consent=True,
            )
        )
    account.events.append((wave.month, "detractor"))
    account.story_month = wave.month
    return True
