"""What the account teams did and noted around the numbers: plans of every kind, the
touchpoints ahead (reviews, conferences, events, birthdays, greetings), qualification
ratings, and the notes on the accounts in trouble.

Everything goes through the planning, engagement and scoring services real work uses, and
is drawn from the loader's seeded generator, so a seed always tells the same story.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Collection
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import User

from tenure.accounts.models import Account, Contact
from tenure.demo import names
from tenure.demo.world import AccountSpec, World
from tenure.engagement import services as engagement
from tenure.engagement.choices import (
    InteractionKind,
    Sentiment,
    TouchpointKind,
    TouchpointStatus,
)
from tenure.engagement.models import Touchpoint
from tenure.planning import services as planning
from tenure.planning.choices import (
    ActionStatus,
    Horizon,
    MilestoneKind,
    PlanSituation,
    Severity,
)
from tenure.planning.models import AccountPlan, Goal, OnboardingStepTemplate, PlanTemplate
from tenure.planning.plan_templates import plan_create_from_template
from tenure.scoring.choices import QualitativeCriterion
from tenure.scoring.services import rating_set

People = dict[int, list[tuple[Contact, str, int | None]]]

#: Share of past-due plan actions the team got done (the rest are overdue: a worklist).
ACTIONS_DONE_SHARE = 0.7
#: Share of accounts, from the top by revenue, whose qualification the team has rated: the
#: key accounts and the candidates just below them.
RATED_SHARE = 0.1
#: Birthdays this many days ahead get a touchpoint.
BIRTHDAY_DAYS_AHEAD = 60
#: Share of past seasonal preparations held (the others were skipped, with a reason).
PREPARATION_HELD_SHARE = 0.85

# Supplier-side events and trade fairs key accounts are invited to: (title, days after the
# as-of date, kind). Fixed offsets keep the calendar shaped alike whatever the date.
_EVENTS = (
    ("Customer advisory board", 24, TouchpointKind.EVENT),
    ("Trade fair: meet them at our stand", 52, TouchpointKind.CONFERENCE),
    ("Supply-chain summit (we present)", 96, TouchpointKind.CONFERENCE),
    ("Plant tour and product day", 130, TouchpointKind.EVENT),
)
# One account-specific action per plan, so no two plans read alike.
_OWN_ACTIONS = (
    "Send the revised delivery schedule for the next season",
    "Invite their logistics lead to the plant tour",
    "Prepare a price-increase explanation with volume options",
    "Agree a consignment-stock trial for fast movers",
    "Introduce our product specialist to their category buyer",
    "Share the quarterly service-level report",
    "Run a joint forecast session for the peak",
    "Propose a framework agreement for next year",
)
_PLAN_OUTCOMES = (
    "Volumes kept; the service review is now quarterly.",
    "Target met: one new category listed.",
    "Partly met: prices agreed, the new range moves to next quarter.",
    "Missed: their buyer changed mid-quarter; carried into the new plan.",
)
_OBJECTIVES = (
    "Secure next year's volumes before the tender",
    "Become their preferred supplier in the region",
    "Cut their cost of ordering with us",
)
_NEW_MARKETS_OBJECTIVE = "Expand with them into their new markets"
_CULTURES = (
    "Family-owned; decisions take time but stick. Relationships matter more than slides.",
    "Data-driven purchasing team; come with figures, not anecdotes.",
    "Fast-moving and informal; the owner decides over the phone.",
    "Consensus culture: every change goes through a cross-functional committee.",
)
_PAIN_POINTS = (
    "Late deliveries in peak weeks cost them sales.",
    "Too many suppliers to manage; want fewer, broader partners.",
    "Rising prices without explanation.",
    "Slow answers to quality complaints.",
)


def profile_fields(spec: AccountSpec, key_share: float, n: int) -> dict[str, object]:
    """The profile the team keeps by hand: markets and seasons for every account; objectives,
    culture and pain points for the ones it knows well (the top by revenue)."""
    fields: dict[str, object] = {
        # Big companies, and every fifth of the top third, sell beyond their home country.
        "has_international_presence": spec.employees > 1000
        or (spec.index % 5 == 0 and spec.index < n // 3),
        # The fast growers are the ones opening new markets.
        "is_entering_new_markets": spec.growth > 0.1,
        "seasonal_notes": {
            "school_year": "Peak before the school year: confirm volumes by May.",
            "christmas": "Christmas goods: stock must be in by August.",
            "summer": "Summer season: forecast in February, deliveries from April.",
            "year_end_budget": "Remaining budget is spent in November and December.",
            "none": "",
        }[spec.season],
    }
    if spec.index < max(round(n * key_share * 2), 1):
        fields["customer_objectives"] = (
            _NEW_MARKETS_OBJECTIVE
            if spec.growth > 0.1
            else _OBJECTIVES[spec.index % len(_OBJECTIVES)]
        )
        fields["culture"] = _CULTURES[spec.index % len(_CULTURES)]
        fields["pain_points"] = _PAIN_POINTS[(spec.index // 2) % len(_PAIN_POINTS)]
    return fields


def _seed_templates_where_flushed() -> None:
    """Make the default plan and onboarding templates again where neither exists.

    The migrations seed them; only a database flushed of what the migrations seeded (a
    test's, after a live-server test) has neither, and the demo then made no plan at all.
    The migration's own step is replayed, so the defaults cannot drift apart.
    """
    if PlanTemplate.objects.exists() or OnboardingStepTemplate.objects.exists():
        return
    defaults = importlib.import_module(
        "tenure.planning.migrations.0004_default_onboarding_and_plan_templates"
    )
    defaults.create(apps, None)


def create_plans(
    world: World,
    objs: list[Account],
    key_accounts: set[int],
    users: list[User],
    rng: random.Random,
) -> int:
    """Key accounts' plans: last quarter's closed, this quarter's (protect, or recover for an
    account in trouble) from the templates, and a long-term one where there is room to grow.

    Returns the number of plans made.
    """
    as_of = world.config.as_of
    _seed_templates_where_flushed()
    templates: dict[str, PlanTemplate] = {}
    for template in PlanTemplate.objects.order_by("pk"):
        templates.setdefault(template.situation, template)
    quarter = dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    made = 0
    for spec, account in zip(world.accounts, objs, strict=True):
        if account.pk not in key_accounts:
            continue
        manager = users[spec.manager]
        if spec.index % 4 == 0:
            _closed_plan(account, manager, quarter, rng)
            made += 1
        plans: list[AccountPlan] = []
        if spec.story and PlanSituation.RECOVER in templates:
            begun = min(world.month_start(spec.story_month or 0), as_of)
            start = min(begun + dt.timedelta(days=rng.randrange(2, 8)), as_of)
            plans.append(
                _from_template(
                    templates[PlanSituation.RECOVER],
                    account,
                    manager,
                    f"{account.name}: recovery plan",
                    start,
                    start + dt.timedelta(days=90),
                )
            )
        elif PlanSituation.PROTECT in templates:
            start = min(quarter + dt.timedelta(days=rng.randrange(0, 15)), as_of)
            plans.append(
                _from_template(
                    templates[PlanSituation.PROTECT],
                    account,
                    manager,
                    f"{account.name}: Q{(quarter.month - 1) // 3 + 1} {quarter.year} plan",
                    start,
                    quarter + dt.timedelta(days=90),
                )
            )
        if (spec.growth > 0.05 or spec.index < 3) and PlanSituation.DEVELOP in templates:
            start = as_of - dt.timedelta(days=rng.randrange(60, 330))
            plans.append(
                _from_template(
                    templates[PlanSituation.DEVELOP],
                    account,
                    manager,
                    f"{account.name}: growth plan {start.year}–{start.year + 3}",
                    start,
                    start + dt.timedelta(days=3 * 365),
                )
            )
        for plan in plans:
            _own_action(plan, manager, as_of, rng)
            _work_on(plan, as_of, rng, keep_open=bool(spec.story))
        made += len(plans)
    return made


def _from_template(
    template: PlanTemplate,
    account: Account,
    manager: User,
    title: str,
    start: dt.date,
    ends: dt.date,
) -> AccountPlan:
    """A plan from a template, made on its first day, over the template's horizon."""
    return plan_create_from_template(
        account=account,
        template=template,
        title=title,
        horizon=template.horizon,
        starts_on=start,
        ends_on=ends,
        owner=manager,
        as_of=start,
    )


def _closed_plan(account: Account, manager: User, quarter: dt.date, rng: random.Random) -> None:
    """Last quarter's plan, closed with how it went."""
    end = quarter - dt.timedelta(days=1)
    start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    plan = planning.plan_create(
        account=account,
        title=f"{account.name}: Q{(start.month - 1) // 3 + 1} {start.year} plan",
        horizon=Horizon.SHORT,
        starts_on=start,
        ends_on=end,
        owner=manager,
    )
    _own_action(plan, manager, end, rng)
    for action in plan.actions.all():
        planning.action_finish(action=action, status=ActionStatus.DONE, on=action.due_on)
    planning.plan_close(plan=plan, outcome=rng.choice(_PLAN_OUTCOMES), closed_on=end)


def _own_action(plan: AccountPlan, owner: User, as_of: dt.date, rng: random.Random) -> None:
    span = max((min(plan.ends_on, as_of + dt.timedelta(days=60)) - plan.starts_on).days, 1)
    planning.action_add(
        plan=plan,
        title=rng.choice(_OWN_ACTIONS),
        owner=owner,
        due_on=plan.starts_on + dt.timedelta(days=rng.randrange(7, max(span, 8))),
    )


def _work_on(plan: AccountPlan, as_of: dt.date, rng: random.Random, *, keep_open: bool) -> None:
    """What the team did of the plan by ``as_of``: most past-due actions done, goals moved."""
    done_share = ACTIONS_DONE_SHARE * (0.5 if keep_open else 1.0)
    for action in plan.actions.order_by("due_on", "pk"):
        if action.due_on < as_of and rng.random() < done_share:
            on = min(action.due_on + dt.timedelta(days=rng.randrange(0, 6)), as_of)
            planning.action_finish(action=action, status=ActionStatus.DONE, on=on)
    # The headline goal's progress is measured; the others wait for the next review.
    goal = Goal.objects.filter(objective__plan=plan).order_by("due_on", "pk").first()
    if goal is not None:
        reached = Decimal(str(round(rng.uniform(0.1, 0.9), 2)))
        current = goal.baseline + (goal.target - goal.baseline) * reached
        planning.goal_record_progress(goal=goal, current=current.quantize(Decimal("0.1")))


def create_touchpoints(
    world: World,
    objs: list[Account],
    key_accounts: set[int],
    people: People,
    users: list[User],
    rng: random.Random,
) -> tuple[int, int]:
    """The calendar ahead: business reviews, events and trade fairs (some already attended),
    birthdays of the people who matter, and the year-end greetings.

    Returns the touchpoints planned and the interactions logged (the events attended).
    """
    as_of = world.config.as_of
    n = len(objs)
    count = attended = 0
    greeting = dt.date(as_of.year, 12, 15)
    if greeting < as_of:
        greeting = dt.date(as_of.year + 1, 12, 15)
    for spec, account in zip(world.accounts, objs, strict=True):
        if spec.churn_month is not None or spec.index >= max(n // 10, 1):
            continue
        manager = users[spec.manager]
        current = [(contact, role) for contact, role, left in people[account.pk] if left is None]
        decider = next((c for c, role in current if role == "decision_maker"), None)
        if account.pk in key_accounts:
            engagement.touchpoint_plan(
                account=account,
                scheduled_on=as_of + dt.timedelta(days=rng.randrange(3, 60)),
                kind=TouchpointKind.BUSINESS_REVIEW,
                title="Quarterly business review",
                owner=manager,
                contact=decider,
            )
            title, days, kind = _EVENTS[spec.index % len(_EVENTS)]
            engagement.touchpoint_plan(
                account=account,
                scheduled_on=as_of + dt.timedelta(days=days),
                kind=kind,
                title=title,
                owner=manager,
                contact=decider,
            )
            engagement.touchpoint_plan(
                account=account,
                scheduled_on=greeting,
                kind=TouchpointKind.HOLIDAY_GREETING,
                title="Year-end greetings and a card to the team",
                owner=manager,
            )
            count += 3
            # Not at the detractor's account: nobody has met them since the answer.
            if spec.index % 3 == 0 and spec.story != "detractor":
                _attended_event(account, manager, decider, as_of, rng)
                count += 1
                attended += 1
        elif rng.random() < 0.3:
            engagement.touchpoint_plan(
                account=account,
                scheduled_on=as_of + dt.timedelta(days=rng.randrange(5, 45)),
                kind=TouchpointKind.MEETING,
                title="Account meeting",
                owner=manager,
                contact=decider,
            )
            count += 1
        for contact, _ in current:
            upcoming = _next_birthday(contact.birthday, as_of)
            if upcoming is not None and (upcoming - as_of).days <= BIRTHDAY_DAYS_AHEAD:
                engagement.touchpoint_plan(
                    account=account,
                    scheduled_on=upcoming,
                    kind=TouchpointKind.BIRTHDAY,
                    title=f"Birthday: {contact.first_name} {contact.last_name}",
                    owner=manager,
                    contact=contact,
                )
                count += 1
    return count, attended


def _attended_event(
    account: Account, manager: User, contact: Contact | None, as_of: dt.date, rng: random.Random
) -> None:
    """A supplier day in the past that the customer came to: done, with its interaction."""
    day = as_of - dt.timedelta(days=rng.randrange(20, 70))
    touchpoint = engagement.touchpoint_plan(
        account=account,
        scheduled_on=day,
        kind=TouchpointKind.EVENT,
        title="Supplier day at our plant",
        owner=manager,
        contact=contact,
    )
    engagement.interaction_log(
        account=account,
        occurred_at=dt.datetime(day.year, day.month, day.day, 15, 0, tzinfo=dt.UTC),
        kind=InteractionKind.EVENT,
        summary="Met at our supplier day: toured the new warehouse, talked about next season.",
        is_strategic=True,
        contacts=[contact] if contact is not None else [],
        logged_by=manager,
        sentiment=Sentiment.POSITIVE,
        touchpoint=touchpoint,
        today=as_of,
    )


def _next_birthday(born: dt.date | None, today: dt.date) -> dt.date | None:
    if born is None:
        return None
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:  # 29 February in a common year: the day after
            day = dt.date(year, 3, 1)
        if day >= today:
            return day
    return None


def create_ratings(world: World, objs: list[Account], users: list[User]) -> int:
    """Qualification ratings for the top accounts, by their manager, from what is known of
    them: revenue rank, size, growth and where they are. Returns the number of ratings."""
    n = len(objs)
    rated = 0
    home_markets = {"DE", "AT"}
    for spec, account in zip(world.accounts, objs, strict=True):
        if spec.index >= max(round(n * RATED_SHARE), 1) or spec.churn_month is not None:
            continue
        scores = {
            QualitativeCriterion.STRATEGIC_VALUE: 5 - min(4, spec.index * 5 // max(n // 5, 1)),
            QualitativeCriterion.MARKET_INFLUENCE: min(5, 1 + len(str(spec.employees)) - 1),
            QualitativeCriterion.MARKET_POSITION: 2 + spec.index % 4,
            QualitativeCriterion.GROWTH_POTENTIAL: 5
            if spec.growth > 0.1
            else 4
            if spec.growth > 0.03
            else 3
            if spec.growth > -0.05
            else 2,
            QualitativeCriterion.GEOGRAPHY_FIT: 5
            if spec.country in home_markets
            else 3
            if spec.country != "US"
            else 2,
        }
        for criterion, score in scores.items():
            rating_set(
                account=account,
                criterion=criterion,
                score=max(1, min(5, score)),
                rated_by=users[spec.manager],
                note="Rated at the key-account review",
            )
            rated += 1
    return rated


# --- accounts in trouble ---------------------------------------------------------------------


def write_stories(
    world: World, objs: list[Account], people: People, users: list[User], rng: random.Random
) -> tuple[int, int]:
    """What the team noted on the accounts in trouble: each reason on the account's timeline.

    Returns the number of accounts in trouble and of interactions logged: each but the
    detractor's got one (the call that brought the news).
    """
    as_of = world.config.as_of
    told = logged = 0
    for spec, account in zip(world.accounts, objs, strict=True):
        if not spec.story or spec.story_month is None:
            continue
        manager = users[spec.manager]
        start = min(world.month_start(spec.story_month), as_of)
        if spec.story == "decision_maker_left":
            # The first person is the decision maker whose leaving the world drew.
            leaver = people[account.pk][0][0]
            _note(
                account,
                manager,
                start,
                as_of,
                rng,
                f"{leaver.first_name} {leaver.last_name}, our decision maker, has left "
                "the company. No successor named yet; we have no one who decides.",
                next_step="Ask the champion who takes over and meet them",
            )
        elif spec.story == "competitor_offer":
            _note(
                account,
                manager,
                start,
                as_of,
                rng,
                "A competitor moved in: the buyer is trialling their range at a lower price "
                "and ordered less from us this month.",
                next_step="Counter-offer with volume terms and a service guarantee",
            )
        elif spec.story == "missed_peak":
            month = world.month_start(spec.story_month)
            planning.milestone_log(
                account=account,
                kind=MilestoneKind.LATE_DELIVERY,
                severity=Severity.HIGH,
                title=f"Seasonal peak missed ({month:%B %Y}): orders well below last year's",
                occurred_on=min(month + dt.timedelta(days=20), as_of),
                logged_by=manager,
            )
            # The preparation call that should have come before the peak, not held.
            touchpoint = engagement.touchpoint_plan(
                account=account,
                scheduled_on=month - dt.timedelta(days=28),
                kind=TouchpointKind.SEASONAL_PREPARATION,
                title="Prepare the peak: volumes and delivery slots",
                owner=manager,
            )
            engagement.touchpoint_skip(
                touchpoint=touchpoint, reason="Buyer on holiday; not rescheduled before the peak"
            )
            _note(
                account,
                manager,
                min(month + dt.timedelta(days=35), as_of),
                as_of,
                rng,
                "We missed their peak: no preparation call, stock arrived late and they "
                "covered the gap elsewhere.",
                next_step="Book the preparation call for next season now",
            )
        elif spec.story == "detractor":
            wave = world.survey_waves[-1]
            # Logged as an issue, not as a contact: nobody has called them back yet, which
            # the alert rules turn into a task.
            planning.milestone_log(
                account=account,
                kind=MilestoneKind.ESCALATION,
                severity=Severity.HIGH,
                title=f"Detractor in the {wave.half_year} survey: "
                f"“{names.SURVEY_COMMENTS['detractor'][0]}”",
                occurred_on=min(wave.closes_on, as_of),
                logged_by=manager,
            )
            told += 1
            continue
        logged += 1
        told += 1
    return told, logged


def _note(
    account: Account,
    manager: User,
    day: dt.date,
    as_of: dt.date,
    rng: random.Random,
    summary: str,
    *,
    next_step: str,
) -> None:
    engagement.interaction_log(
        account=account,
        occurred_at=dt.datetime(
            day.year, day.month, day.day, rng.randrange(9, 17), 0, tzinfo=dt.UTC
        ),
        kind=InteractionKind.CALL,
        summary=summary,
        logged_by=manager,
        sentiment=Sentiment.NEGATIVE,
        next_step=next_step,
        next_step_due=min(day + dt.timedelta(days=14), as_of + dt.timedelta(days=14)),
        today=as_of,
    )


# --- between the monthly scoring runs ----------------------------------------------------------


def preparations_close(
    *, before: dt.date, seed: int, not_held: Collection[int] = ()
) -> tuple[int, int]:
    """Hold or skip the seasonal preparations a scoring run planned, once their day passed.

    The monthly history's runs plan a preparation call before each peak as a real run does;
    left alone, a year of them would stand overdue on the last day. Most were held (a call
    logged on the day), some skipped with a reason; on the accounts whose trouble is that
    nobody talked to them (``not_held``, account ids: a missed peak, a detractor not called
    back), none was held. Returns (held, skipped).
    """
    rng = random.Random(f"{seed}-{before.isoformat()}")
    held = skipped = 0
    due = (
        Touchpoint.objects.filter(
            status=TouchpointStatus.PLANNED,
            kind=TouchpointKind.SEASONAL_PREPARATION,
            scheduled_on__lt=before,
        )
        .select_related("account", "owner")
        .order_by("scheduled_on", "pk")
    )
    missed = set(not_held)
    for touchpoint in due:
        if touchpoint.account_id in missed or rng.random() >= PREPARATION_HELD_SHARE:
            engagement.touchpoint_skip(
                touchpoint=touchpoint, reason="Customer postponed; not rescheduled"
            )
            skipped += 1
            continue
        day = touchpoint.scheduled_on
        engagement.interaction_log(
            account=touchpoint.account,
            occurred_at=dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.UTC),
            kind=InteractionKind.CALL,
            summary="Seasonal preparation: agreed volumes and delivery slots for the peak.",
            is_strategic=True,
            logged_by=touchpoint.owner,
            touchpoint=touchpoint,
            today=before,
        )
        held += 1
    return held, skipped
