"""The demo tells a story: a year of scoring runs, plans of every kind, a calendar ahead,
ratings, and accounts in trouble for a reason one can see on their page."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from tenure.accounts.models import Account
from tenure.alerts.models import Task
from tenure.demo.load import DIRECTOR, load_world
from tenure.demo.management.commands.demo import history_month_ends
from tenure.demo.orders import build_order_lines
from tenure.demo.world import STORIES, DemoConfig, build_world
from tenure.engagement.choices import TouchpointKind
from tenure.engagement.models import Interaction, Touchpoint
from tenure.feedback.models import Answer
from tenure.health.models import AccountHealth
from tenure.planning.models import AccountPlan, Milestone, OnboardingStepTemplate, PlanTemplate
from tenure.scoring.models import QualificationRating, ScoringRun

pytestmark = pytest.mark.xdist_group("demo-world")

AS_OF = dt.date(2026, 10, 31)
# The loaders' history ends the day before the scoring day, as the command's does.
HISTORY_TO = AS_OF - dt.timedelta(days=1)


def test_history_month_ends_are_the_month_ends_before_the_day_oldest_first():
    assert history_month_ends(dt.date(2026, 3, 15), 3) == [
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
    ]
    # A month end itself is not "before" it: the run on that day is the final one.
    assert history_month_ends(dt.date(2026, 10, 31), 1) == [dt.date(2026, 9, 30)]
    assert history_month_ends(dt.date(2026, 10, 31), 0) == []


def test_each_story_goes_to_its_own_account_still_a_customer():
    world = build_world(DemoConfig(accounts=40, seed=3, as_of=HISTORY_TO))
    told = {a.story: a for a in world.accounts if a.story}
    assert set(told) == set(STORIES)
    for account in told.values():
        assert account.churn_month is None
        assert account.story_month is not None


def test_a_missed_peak_and_a_competitor_show_in_the_orders():
    world = build_world(DemoConfig(accounts=40, seed=3, as_of=HISTORY_TO))
    lines = build_order_lines(world).filter(pl.col("quantity") > 0)
    for story in ("missed_peak", "competitor_offer"):
        spec = next(a for a in world.accounts if a.story == story)
        month = world.month_start(spec.story_month)
        year_before = month.replace(year=month.year - 1)

        def revenue(start: dt.date, spec=spec) -> float:
            end = (start + dt.timedelta(days=32)).replace(day=1)
            return float(
                lines.filter(
                    (pl.col("account_key") == spec.external_id)
                    & (pl.col("order_date") >= start)
                    & (pl.col("order_date") < end)
                )["amount"]
                .cast(pl.Float64)
                .sum()
            )

        assert revenue(month) < 0.8 * revenue(year_before), story


def test_the_ledger_runs_into_the_as_of_month():
    world = build_world(DemoConfig(accounts=40, seed=3, as_of=HISTORY_TO))
    lines = build_order_lines(world).filter(pl.col("quantity") > 0)
    # Sales in the month in progress, none after the as-of date: no weeks of silence.
    assert lines["order_date"].max() <= HISTORY_TO
    assert lines.filter(pl.col("order_date") >= dt.date(2026, 10, 1)).height > 0


@pytest.mark.django_db
def test_each_trouble_is_on_record_where_the_team_would_see_it(tmp_path):
    world = build_world(DemoConfig(accounts=40, seed=3, as_of=HISTORY_TO))
    load_world(world, home=tmp_path, progress=lambda _: None)
    told = {
        a.story: Account.objects.get(external_id=a.external_id) for a in world.accounts if a.story
    }

    left = told["decision_maker_left"]
    assert left.positions.filter(
        buying_role="decision_maker", left_on__isnull=False, left_on__lte=HISTORY_TO
    ).exists()
    assert not left.positions.filter(buying_role="decision_maker", left_on__isnull=True).exists()
    assert Interaction.objects.filter(account=left, summary__contains="has left").exists()

    rival = told["competitor_offer"]
    assert Milestone.objects.filter(account=rival, title__contains="competitor").exists()
    assert Interaction.objects.filter(
        account=rival, summary__contains="competitor", sentiment=-1
    ).exists()

    latest_wave = world.survey_waves[-1].sent_on
    unhappy = told["detractor"]
    assert Answer.objects.filter(
        response__invitation__account=unhappy,
        response__answered_at__date__gte=latest_wave,
        question__kind="nps",
        score__lte=6,
    ).exists()
    assert Milestone.objects.filter(account=unhappy, title__startswith="Detractor in the")

    missed = told["missed_peak"]
    assert Milestone.objects.filter(account=missed, title__startswith="Seasonal peak missed")
    assert Touchpoint.objects.filter(
        account=missed, kind=TouchpointKind.SEASONAL_PREPARATION, status="skipped"
    ).exists()

    # The accounts in trouble work on a recovery plan; the others on other plans.
    for account in told.values():
        if account.is_key_account:
            assert AccountPlan.objects.filter(account=account, title__contains="recovery")


@pytest.mark.django_db
def test_plans_calendar_and_ratings_are_varied(tmp_path):
    world = build_world(DemoConfig(accounts=60, seed=2, as_of=HISTORY_TO))
    load_world(world, home=tmp_path, progress=lambda _: None)
    plans = AccountPlan.objects.all()
    assert {p.horizon for p in plans} == {"short", "long"}
    assert plans.filter(status="closed").exists()
    # Not one overdue action everywhere: the open past-due actions differ in title.
    overdue = set(
        plans.filter(status="active", actions__status="open", actions__due_on__lt=HISTORY_TO)
        .values_list("actions__title", flat=True)
        .distinct()
    )
    assert len(overdue) > 1
    kinds = set(Touchpoint.objects.values_list("kind", flat=True))
    assert {"review", "conference", "event", "holiday"} <= kinds
    # The top tenth still customers: every criterion rated, by someone.
    rated = QualificationRating.objects.values("account").annotate(n=Count("criterion"))
    assert len(rated) >= 3
    assert {r["n"] for r in rated} == {5}
    assert not QualificationRating.objects.filter(rated_by__isnull=True).exists()
    assert Account.objects.filter(has_international_presence=True).exists()
    assert Account.objects.filter(is_entering_new_markets=True).exists()


@pytest.mark.slow  # the demo command with three scoring runs
@pytest.mark.django_db
def test_the_demo_keeps_monthly_runs_so_the_account_page_shows_a_trend(client, settings, tmp_path):
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    out = StringIO()
    call_command(
        "demo", accounts=40, seed=3, no_serve=True, as_of=AS_OF, history_months=3, stdout=out
    )
    assert "Scoring month 1/3 (2026-08-31)" in out.getvalue()
    runs = list(ScoringRun.objects.order_by("as_of"))
    assert [r.as_of for r in runs] == [dt.date(2026, 8, 31), dt.date(2026, 9, 30), AS_OF]
    accounts = Account.objects.count()
    for run in runs:
        assert run.status == "done"
        assert AccountHealth.objects.filter(run=run).count() == accounts
    # The history's seasonal preparations were held or skipped: none stands overdue.
    assert not Touchpoint.objects.filter(
        kind=TouchpointKind.SEASONAL_PREPARATION, status="planned", scheduled_on__lt=AS_OF
    ).exists()

    # Nobody has called the detractor back: the alert rules made it a task.
    unhappy = Milestone.objects.get(title__startswith="Detractor in the").account
    assert Task.objects.filter(account=unhappy, rule="detractor").exists()

    client.force_login(get_user_model().objects.get(username=DIRECTOR))
    key = Account.objects.filter(is_key_account=True).order_by("pk").first()
    page = client.get(reverse("accounts:detail", args=[key.pk])).content.decode()
    assert "no earlier run" not in page
    assert "since 30 Sep 2026" in page


@pytest.mark.django_db
def test_loading_makes_the_default_templates_again_where_the_database_lost_them(tmp_path):
    # A test database flushed after a live-server test has lost what the migrations seeded.
    PlanTemplate.objects.all().delete()
    OnboardingStepTemplate.objects.all().delete()
    world = build_world(DemoConfig(accounts=20, seed=7, as_of=HISTORY_TO))
    load_world(world, home=tmp_path, progress=lambda _: None)
    assert set(PlanTemplate.objects.values_list("situation", flat=True)) == {
        "protect",
        "develop",
        "recover",
    }
    assert OnboardingStepTemplate.objects.count() == 6
    # The plans are made from the templates (last quarter's closed ones are not).
    assert AccountPlan.objects.filter(
        objectives__title="Find and fix the cause of the decline"
    ).exists()
