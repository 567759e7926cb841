"""Factories for interactions and touchpoints."""

from __future__ import annotations

import datetime as dt

import factory

from tenure.engagement.models import Interaction, Touchpoint
from tests.accounts.factories import AccountFactory


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    account = factory.SubFactory(AccountFactory)
    occurred_at = factory.Sequence(
        lambda n: dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=n)
    )
    kind = "call"
    summary = "Checked an order."


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    account = factory.SubFactory(AccountFactory)
    scheduled_on = dt.date(2026, 12, 1)
    kind = "review"
