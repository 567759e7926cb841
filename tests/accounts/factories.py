"""Factories for accounts, contacts, positions and users."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from tenure.accounts.models import Account, Contact, Position, TeamMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Manager{n}")
    password = factory.django.Password("correct horse battery")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n:04d}")
    external_id = factory.Sequence(lambda n: f"EXT{n:05d}")
    country = "DE"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = "Kim"
    last_name = factory.Sequence(lambda n: f"Buyer{n}")
    email = factory.Sequence(lambda n: f"buyer{n}@customer.example")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    contact = factory.SubFactory(ContactFactory)
    account = factory.SubFactory(AccountFactory)
    title = "Head of Purchasing"
    buying_role = "decision_maker"
    strength = 3


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = "kam"
