"""Factories for plans and milestones."""

from __future__ import annotations

import datetime as dt

import factory

from tenure.planning.models import AccountPlan, Milestone, Objective
from tests.accounts.factories import AccountFactory


class AccountPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPlan

    account = factory.SubFactory(AccountFactory)
    title = "Q1 plan"
    horizon = "short"
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2026, 3, 31)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(AccountPlanFactory)
    kind = "protect"
    title = "Keep service levels"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    account = factory.SubFactory(AccountFactory)
    kind = "defect"
    title = "Broken pallets"
    occurred_on = dt.date(2026, 2, 1)
