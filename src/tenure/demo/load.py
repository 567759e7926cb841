"""Write a generated world into the CRM store, through the same services real data uses.

Order lines and the ground truth go to files in ``TENURE_HOME/demo/`` beside it: the
ledger imports the order lines; risk backtests read the truth. Survey answers come in
through the survey import, the path answers collected outside the app take: no email
is sent.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from tenure.accounts import services as accounts
from tenure.accounts.choices import AccountStatus, TeamRole
from tenure.accounts.models import Account, Contact
from tenure.demo import life, names
from tenure.demo.orders import build_order_lines
from tenure.demo.surveys import SurveyLoad, create_surveys
from tenure.demo.world import KEY_ACCOUNT_SHARE, AccountSpec, World
from tenure.engagement import services as engagement
from tenure.engagement.choices import InteractionKind, Sentiment
from tenure.planning import services as planning
from tenure.planning.choices import MilestoneKind, Severity

DEMO_PASSWORD = "tenure-demo"
DIRECTOR = "director"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadResult:
    """What was written, for the command's summary."""

    accounts: int
    contacts: int
    interactions: int
    order_lines: int
    churned: int
    order_lines_path: Path
    truth_path: Path
    surveys: SurveyLoad
    plans: int = 0
    touchpoints: int = 0
    ratings: int = 0
    in_trouble: int = 0


def _when(world: World, month: int, rng: random.Random) -> dt.datetime:
    start = world.month_start(month)
    # The as-of month only has its days so far.
    days = 28 if month < world.config.months else (world.config.as_of - start).days + 1
    day = start + dt.timedelta(days=rng.randrange(0, max(days, 1)))
    day = min(day, world.config.as_of)
    return dt.datetime(day.year, day.month, day.day, rng.randrange(8, 18), 0, tzinfo=dt.UTC)


def load_world(world: World, *, home: Path, progress: Progress = print) -> LoadResult:
    """Write ``world`` into the CRM store (one transaction) and its files into ``home``."""
    rng = random.Random(world.config.seed)
    with transaction.atomic():
        users = _create_users(world)
        progress(f"  {len(users)} managers and a director")
        account_objs = _create_accounts(world)
        progress(f"  {len(account_objs)} accounts")
        key_accounts = _assign_teams(world, account_objs, users)
        contacts_by_account = _create_stakeholders(world, account_objs, rng)
        contact_total = sum(len(c) for c in contacts_by_account.values())
        progress(f"  {contact_total} stakeholder positions")
        interactions = _create_interactions(world, account_objs, contacts_by_account, users, rng)
        progress(f"  {interactions} interactions")
        _create_milestones(world, account_objs, users, rng)
        plans = life.create_plans(world, account_objs, key_accounts, users, rng)
        touchpoints, logged = life.create_touchpoints(
            world, account_objs, key_accounts, contacts_by_account, users, rng
        )
        ratings = life.create_ratings(world, account_objs, users)
        in_trouble, noted = life.write_stories(world, account_objs, contacts_by_account, users, rng)
        progress(
            f"  {plans} plans, {touchpoints} touchpoints, {ratings} qualification ratings, "
            f"wins and issues; {in_trouble} accounts in trouble for a visible reason"
        )
        surveys = create_surveys(world, account_objs, contacts_by_account)
        progress(
            f"  {surveys.campaigns} survey campaigns: {surveys.responses} answers "
            f"({surveys.detractors} detractors) to {surveys.invited} invitations; "
            f"{surveys.over_budget} people left out by the contact budget would have answered"
        )

    folder = home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    lines = build_order_lines(world)
    lines_path = folder / "order_lines.parquet"
    lines.write_parquet(lines_path)
    progress(f"  {lines.height:,} order lines → {lines_path}")
    truth_path = folder / "ground_truth.csv"
    ground_truth(world).write_csv(truth_path)
    return LoadResult(
        accounts=len(account_objs),
        contacts=contact_total,
        # The drafts, the events attended and the notes on the accounts in trouble.
        interactions=interactions + logged + noted,
        order_lines=lines.height,
        churned=sum(a.churn_month is not None for a in world.accounts),
        order_lines_path=lines_path,
        truth_path=truth_path,
        surveys=surveys,
        plans=plans,
        touchpoints=touchpoints,
        ratings=ratings,
        in_trouble=in_trouble,
    )


def ground_truth(world: World) -> pl.DataFrame:
    """Who churned, when and why, and every cause that happened (fatal or not)."""
    rows = []
    for a in world.accounts:
        rows.append(
            {
                "account_key": a.external_id,
                "churned": a.churn_month is not None,
                "churn_date": world.month_start(a.churn_month)
                if a.churn_month is not None
                else None,
                "churn_cause": a.churn_cause,
                "events": ";".join(f"{world.month_start(m)}:{cause}" for m, cause in a.events),
                "season": a.season,
                "annual_revenue": round(a.annual_revenue, 2),
            }
        )
    return pl.DataFrame(rows, schema_overrides={"churn_date": pl.Date})


def _create_users(world: World) -> list[User]:
    user_model = get_user_model()
    # One hash for the shared demo password: hashing is deliberately slow.
    password = make_password(DEMO_PASSWORD)
    director = user_model(
        username=DIRECTOR,
        first_name="Dana",
        last_name="Director",
        is_staff=True,
        is_superuser=True,
        password=password,
    )
    managers = [
        user_model(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@supplier.example",
            password=password,
        )
        for username, first, last in world.managers
    ]
    user_model.objects.bulk_create([director, *managers])
    return list(
        user_model.objects.filter(username__in=[m[0] for m in world.managers]).order_by("id")
    )


def _create_accounts(world: World) -> list[Account]:
    rows = []
    n = len(world.accounts)
    for a in world.accounts:
        status = AccountStatus.CHURNED if a.churn_month is not None else AccountStatus.ACTIVE
        rows.append(
            {
                "name": a.name,
                "external_id": a.external_id,
                "industry": a.industry,
                "country": a.country,
                "region": names.REGION_OF[a.country],
                "employees": a.employees,
                "founded_year": a.founded_year,
                "website": f"https://{a.name.split()[0].lower()}{a.index}.example",
                "status": status,
                "is_seasonal": a.season != "none",
                "potential_annual_spend": Decimal(round(a.annual_revenue * 1.6, -2)),
                "preferred_channels": ["in_person", "email"]
                if a.index < 50
                else ["phone", "email"],
                "characteristics": _characteristics(a),
                **life.profile_fields(a, KEY_ACCOUNT_SHARE, n),
            }
        )
    return accounts.account_create_many(rows=rows)


def _characteristics(a: AccountSpec) -> str:
    season = {
        "school_year": "Orders peak before the school year (July–August).",
        "christmas": "Christmas goods: orders peak August–October.",
        "summer": "Summer business: orders peak May–July.",
        "year_end_budget": "Spends remaining budget in November–December.",
        "none": "",
    }[a.season]
    return season


def _assign_teams(world: World, objs: list[Account], users: list[User]) -> set[int]:
    """Managers for the top third, sales for the rest; the top accounts become key accounts."""
    key_accounts: set[int] = set()
    since = world.month_start(0)
    for spec, account in zip(world.accounts, objs, strict=True):
        manager = users[spec.manager]
        role = TeamRole.KEY_ACCOUNT_MANAGER if spec.index < len(objs) // 3 else TeamRole.SALES
        accounts.team_assign(account=account, user=manager, role=role)
        if spec.is_key:
            accounts.account_designate_key(account=account, since=since)
            key_accounts.add(account.pk)
    return key_accounts


def _create_stakeholders(
    world: World, objs: list[Account], rng: random.Random
) -> dict[int, list[tuple[Contact, str, int | None]]]:
    """People and their positions; the decision maker leaves when that cause strikes."""
    people = []
    for spec in world.accounts:
        for number, c in enumerate(spec.contacts):
            people.append(
                {
                    "first_name": c["first_name"],
                    "last_name": c["last_name"],
                    "email": f"{str(c['first_name']).lower()}.{str(c['last_name']).lower()}"
                    f".{spec.index}.{number}@{spec.external_id.lower()}.example",
                    "phone": f"+49 30 {spec.index:04d}{number:02d}",
                    "birthday": dt.date(
                        1960 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29)
                    )
                    if rng.random() < 0.4
                    else None,
                }
            )
    contacts = iter(accounts.contact_create_many(rows=people))
    positions = []
    result: dict[int, list[tuple[Contact, str, int | None]]] = {}
    for spec, account in zip(world.accounts, objs, strict=True):
        left_months = [m for m, cause in spec.events if cause == "decision_maker_left"]
        entries = []
        for number, c in enumerate(spec.contacts):
            contact = next(contacts)
            left_month = left_months[0] if number == 0 and left_months else None
            positions.append(
                {
                    "contact": contact,
                    "account": account,
                    "title": "Managing Director"
                    if c["role"] == "decision_maker"
                    else f"{c['department']} lead",
                    "department": c["department"],
                    "buying_role": c["role"],
                    "seniority": c["seniority"],
                    "strength": c["strength"],
                    "started_on": world.month_start(max(spec.start_month - 12, 0)),
                    "left_on": world.month_start(left_month) if left_month is not None else None,
                }
            )
            entries.append((contact, str(c["role"]), left_month))
        result[account.pk] = entries
    accounts.position_add_many(rows=positions)
    _replace_and_move_decision_makers(world, objs, result, rng)
    return result


def _replace_and_move_decision_makers(
    world: World,
    objs: list[Account],
    result: dict[int, list[tuple[Contact, str, int | None]]],
    rng: random.Random,
) -> None:
    """Where the departure was survived, a successor arrives; some leavers join another account."""
    successors = []
    moves = []
    for spec, account in zip(world.accounts, objs, strict=True):
        leavers = [(c, m) for c, role, m in result[account.pk] if m is not None]
        for contact, month in leavers:
            fatal = spec.churn_cause == "decision_maker_left"
            # The story of a decision maker who just left: no successor named yet.
            untold = spec.story == "decision_maker_left" and month == spec.story_month
            if not fatal and not untold:
                successors.append((spec, account, month + 1))
            if rng.random() < 0.35:
                target = objs[rng.randrange(len(objs))]
                if target.pk != account.pk:
                    moves.append(
                        (
                            contact,
                            target,
                            world.month_start(min(month + 2, world.config.months - 1)),
                        )
                    )
    new_people = accounts.contact_create_many(
        rows=[
            {
                "first_name": rng.choice(names.FIRST_NAMES),
                "last_name": rng.choice(names.LAST_NAMES),
                "email": f"successor.{spec.index}.{month}@{spec.external_id.lower()}.example",
            }
            for spec, _, month in successors
        ]
    )
    rows = [
        {
            "contact": person,
            "account": account,
            "title": "Managing Director",
            "department": "Management",
            "buying_role": "decision_maker",
            "seniority": "executive",
            "strength": 2,
            "started_on": world.month_start(min(month, world.config.months - 1)),
        }
        for person, (spec, account, month) in zip(new_people, successors, strict=True)
    ]
    for person, (_, account, _) in zip(new_people, successors, strict=True):
        result[account.pk].append((person, "decision_maker", None))
    rows += [
        {
            "contact": contact,
            "account": target,
            "title": "Head of Purchasing",
            "department": "Purchasing",
            "buying_role": "champion",
            "seniority": "director",
            "strength": 3,
            "started_on": started,
        }
        for contact, target, started in moves
    ]
    accounts.position_add_many(rows=rows)


def _create_interactions(
    world: World,
    objs: list[Account],
    people: dict[int, list[tuple[Contact, str, int | None]]],
    users: list[User],
    rng: random.Random,
) -> int:
    """Contact history: rhythm by importance; fading, negative or transactional before churn."""
    drafts = []
    months = world.config.months
    elapsed = ((world.config.as_of - world.month_start(months)).days + 1) / 30.4
    for spec, account in zip(world.accounts, objs, strict=True):
        manager = users[spec.manager]
        rate = (
            2.2 if spec.index < len(objs) * 0.1 else 1.0 if spec.index < len(objs) * 0.35 else 0.35
        )
        faded = min((m for m, c in spec.events if c == "engagement_faded"), default=None)
        # A story's detractor is on record as an issue (life.write_stories), not a call.
        detractor = {
            m
            for m, c in spec.events
            if c == "detractor" and not (spec.story == c and m == spec.story_month)
        }
        # To the as-of month, which is in progress: its share of a month's contacts.
        end = spec.churn_month if spec.churn_month is not None else months + 1
        unheard = spec.story_month if spec.story == "detractor" else None
        for month in range(spec.start_month, end):
            monthly = rate * (0.2 if faded is not None and month >= faded else 1.0)
            if month == months:
                monthly *= elapsed
            count = _poisson(rng, monthly)
            for _ in range(count):
                strategic_p = 0.05 if faded is not None and month >= faded else 0.45
                strategic = rng.random() < strategic_p
                present = [
                    c.pk
                    for c, _, left in people[account.pk]
                    if (left is None or left > month) and rng.random() < 0.5
                ][:3]
                if unheard is not None and month >= unheard:
                    # Nobody has called the detractor back: only routine contacts since.
                    strategic, present = False, []
                drafts.append(
                    engagement.InteractionDraft(
                        account_id=account.pk,
                        occurred_at=_when(world, month, rng),
                        kind=rng.choice(
                            [
                                InteractionKind.MEETING,
                                InteractionKind.VIDEO,
                                InteractionKind.BUSINESS_REVIEW,
                            ]
                            if strategic
                            else [InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.CALL]
                        ),
                        summary=rng.choice(
                            _STRATEGIC_SUMMARIES if strategic else _TRANSACTIONAL_SUMMARIES
                        ),
                        is_strategic=strategic,
                        contact_ids=tuple(present),
                        logged_by_id=manager.pk,
                        sentiment=Sentiment.POSITIVE
                        if strategic and rng.random() < 0.5
                        else Sentiment.NEUTRAL,
                    )
                )
            if month in detractor:
                drafts.append(
                    engagement.InteractionDraft(
                        account_id=account.pk,
                        occurred_at=_when(world, month, rng),
                        kind=InteractionKind.CALL,
                        summary="Customer unhappy with service levels; would not recommend us.",
                        is_strategic=False,
                        logged_by_id=manager.pk,
                        sentiment=Sentiment.NEGATIVE,
                        next_step="Call back with a service recovery proposal",
                        next_step_due=world.month_start(month) + dt.timedelta(days=14),
                    )
                )
    engagement.interaction_log_many(drafts=drafts, today=world.config.as_of)
    return len(drafts)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: means here are small.
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


_STRATEGIC_SUMMARIES = (
    "Quarterly business review: volumes, service levels and next year's range.",
    "Planning meeting on next season's assortment and forecast.",
    "Discussed their expansion plans and how our logistics can support them.",
    "Executive sponsor visit; agreed joint improvement goals.",
    "Workshop on reducing their packaging costs.",
)
_TRANSACTIONAL_SUMMARIES = (
    "Chased a late order confirmation.",
    "Price list questions for the next order.",
    "Delivery date change for open order.",
    "Invoice query resolved.",
    "Stock availability check.",
)


def _create_milestones(
    world: World, objs: list[Account], users: list[User], rng: random.Random
) -> None:
    as_of = world.config.as_of
    for spec, account in zip(world.accounts, objs, strict=True):
        manager = users[spec.manager]
        for month, cause in spec.events:
            occurred = world.month_start(month) + dt.timedelta(days=rng.randrange(0, 20))
            if cause == "issue_unresolved":
                fatal = spec.churn_cause == cause
                resolved = (
                    None
                    if fatal
                    else min(occurred + dt.timedelta(days=rng.randrange(7, 60)), as_of)
                )
                planning.milestone_log(
                    account=account,
                    kind=rng.choice(
                        [
                            MilestoneKind.DEFECT,
                            MilestoneKind.LATE_DELIVERY,
                            MilestoneKind.ESCALATION,
                        ]
                    ),
                    severity=rng.choice([Severity.HIGH, Severity.CRITICAL]),
                    title="Repeated delivery problems escalated by the customer",
                    occurred_on=min(occurred, as_of),
                    resolved_on=resolved,
                    logged_by=manager,
                )
            elif cause == "competitor_offer":
                planning.milestone_log(
                    account=account,
                    kind=MilestoneKind.OTHER,
                    severity=Severity.HIGH,
                    title="Customer mentioned a competitor's offer",
                    occurred_on=min(occurred, as_of),
                    logged_by=manager,
                )
        if rng.random() < (0.6 if spec.index < len(objs) * 0.1 else 0.1):
            planning.milestone_log(
                account=account,
                kind=MilestoneKind.SUCCESS,
                severity=Severity.LOW,
                title="Delivered the seasonal peak on time and in full",
                occurred_on=as_of - dt.timedelta(days=rng.randrange(10, 400)),
                logged_by=manager,
            )
