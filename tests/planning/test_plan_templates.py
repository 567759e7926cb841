"""Plan templates: a new plan pre-filled from one, due dates relative to the day it is made,
and the directors' editor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tenure.accounts.permissions import AccessDenied
from tenure.core.errors import DomainError
from tenure.planning.models import AccountPlan, PlanTemplate, PlanTemplateObjective
from tenure.planning.plan_templates import (
    plan_create_from_template,
    plan_template_action_add,
    plan_template_goal_add,
    plan_template_objective_add,
    plan_template_save,
)

AS_OF = dt.date(2026, 11, 16)


@pytest.fixture
def template(user):
    made = plan_template_save(by=user, name="Recover quickly", situation="recover", horizon="short")
    objective = plan_template_objective_add(
        template=made, kind="protect", title="Fix the cause", by=user
    )
    plan_template_goal_add(
        objective=objective,
        kpi="Open issues",
        unit="issues",
        baseline=Decimal(3),
        target=Decimal(0),
        due_days=30,
        by=user,
    )
    plan_template_action_add(objective=objective, title="Call the buyer", due_days=7, by=user)
    plan_template_action_add(objective=objective, title="Review in a year", due_days=365, by=user)
    return made


def test_the_data_migration_gives_protect_develop_and_recover_templates(db):  # noqa: ARG001
    situations = set(PlanTemplate.objects.values_list("situation", flat=True))
    assert situations == {"protect", "develop", "recover"}
    assert all(t.objectives.exists() for t in PlanTemplate.objects.all())


def test_a_plan_from_a_template_is_due_from_the_day_it_is_made(account, manager, template):
    plan = plan_create_from_template(
        account=account,
        template=template,
        title="Win back Nordwind",
        horizon="short",
        starts_on=AS_OF,
        ends_on=dt.date(2027, 2, 15),
        owner=manager,
        as_of=AS_OF,
    )
    (objective,) = plan.objectives.all()
    assert (objective.kind, objective.title) == ("protect", "Fix the cause")
    (goal,) = objective.goals.all()
    assert (goal.kpi, goal.baseline, goal.target, goal.due_on) == (
        "Open issues",
        Decimal(3),
        Decimal(0),
        dt.date(2026, 12, 16),
    )
    actions = {a.title: (a.due_on, a.owner) for a in plan.actions.all()}
    assert actions["Call the buyer"] == (dt.date(2026, 11, 23), manager)
    # Past the plan's end: moved to its last day.
    assert actions["Review in a year"] == (dt.date(2027, 2, 15), manager)


def test_a_refused_plan_leaves_nothing_behind(account, manager, template):
    with pytest.raises(DomainError, match="spans 28–120 days"):
        plan_create_from_template(
            account=account,
            template=template,
            title="Too long",
            horizon="short",
            starts_on=AS_OF,
            ends_on=dt.date(2027, 11, 1),
            owner=manager,
            as_of=AS_OF,
        )
    assert not AccountPlan.objects.exists()


def test_only_a_director_edits_plan_templates(manager, template):
    with pytest.raises(AccessDenied):
        plan_template_save(by=manager, name="Mine", situation="develop", horizon="long")
    with pytest.raises(AccessDenied):
        plan_template_objective_add(template=template, kind="develop", title="Grow", by=manager)


def test_a_template_goal_must_move_its_kpi(user, template):
    objective = template.objectives.get()
    with pytest.raises(DomainError, match="target must differ"):
        plan_template_goal_add(
            objective=objective,
            kpi="NPS",
            baseline=Decimal(10),
            target=Decimal(10),
            due_days=30,
            by=user,
        )


def test_the_new_plan_page_starts_from_a_template(client, account, manager, template):
    client.force_login(manager)
    url = reverse("planning:plan_new", args=[account.pk])
    page = client.get(url).content.decode()
    assert "Recover quickly" in page
    assert "Call the buyer, due in 7 days" in page
    response = client.post(
        url,
        {
            "template": template.pk,
            "title": "Win back",
            "horizon": "short",
            "starts_on": "2026-11-16",
            "ends_on": "2027-02-15",
        },
    )
    plan = AccountPlan.objects.get(title="Win back")
    assert response["Location"] == reverse("planning:plan", args=[plan.pk])
    assert plan.actions.count() == 2
    assert plan.owner == manager


def test_the_new_plan_page_still_makes_an_empty_plan(client, account, manager):
    client.force_login(manager)
    client.post(
        reverse("planning:plan_new", args=[account.pk]),
        {"title": "Blank", "horizon": "short", "starts_on": "2026-11-16", "ends_on": "2027-02-15"},
    )
    plan = AccountPlan.objects.get(title="Blank")
    assert not plan.objectives.exists()


def test_the_template_pages_are_for_directors_only(client, manager, template):
    client.force_login(manager)
    assert client.get(reverse("planning:plan_templates")).status_code == 403
    assert client.get(reverse("planning:plan_template", args=[template.pk])).status_code == 403


def test_a_director_adds_an_action_and_a_bad_due_day_names_the_field(logged_in_client, template):
    url = reverse("planning:plan_template", args=[template.pk])
    objective = template.objectives.get()
    bad = logged_in_client.post(
        url,
        {
            "step": "action",
            "action-objective": objective.pk,
            "action-title": "x",
            "action-due_days": "-1",
        },
    )
    assert "due_days" in bad.context["action_form"].errors
    logged_in_client.post(
        url,
        {
            "step": "action",
            "action-objective": objective.pk,
            "action-title": "Send the recovery plan",
            "action-due_days": "21",
        },
    )
    assert objective.actions.filter(title="Send the recovery plan", due_days=21).exists()


def test_removing_an_objective_asks_first_and_takes_its_goals(logged_in_client, template):
    objective = template.objectives.get()
    url = reverse("planning:plan_template_remove", args=["objective", objective.pk])
    assert "Its goals and actions go with it" in logged_in_client.get(url).content.decode()
    assert PlanTemplateObjective.objects.filter(pk=objective.pk).exists()
    response = logged_in_client.post(url)
    assert response["Location"] == reverse("planning:plan_template", args=[template.pk])
    assert not template.objectives.exists()
