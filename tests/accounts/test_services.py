"""Business rules for accounts, contacts, positions and teams, and the constraints behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tenure.accounts import services
from tenure.accounts.models import Account, Contact, Position, TeamMembership
from tenure.core.errors import DomainError
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A unique constraint broken: PostgreSQL names the constraint, SQLite its columns.
ONE_KEY_ACCOUNT_MANAGER = r"team_one_key_account_manager|accounts_teammembership\.account_id$"
ONE_EXTERNAL_ID = r"account_external_id_unique|accounts_account\.external_id$"


def test_account_create_normalises_external_id_and_country():
    account = services.account_create(name="  Acme  ", external_id=" 42 ", country="de")
    assert (account.name, account.external_id, account.country) == ("Acme", "42", "DE")


def test_account_create_blank_external_id_is_stored_as_null_so_many_can_lack_one():
    services.account_create(name="One", external_id="")
    services.account_create(name="Two", external_id="   ")
    assert Account.objects.filter(external_id__isnull=True).count() == 2


def test_account_create_refuses_duplicate_external_id_and_writes_nothing():
    services.account_create(name="Acme", external_id="C1")
    with pytest.raises(DomainError) as error:
        services.account_create(name="Acme again", external_id="C1")
    assert error.value.field == "external_id"
    assert Account.objects.count() == 1


def test_account_create_refuses_unknown_field():
    with pytest.raises(DomainError, match="unknown field"):
        services.account_create(name="Acme", colour="red")


def test_account_update_refuses_a_subsidiary_as_parent():
    group = AccountFactory()
    child = services.account_update(account=AccountFactory(), parent=group)
    with pytest.raises(DomainError, match="own subsidiaries"):
        services.account_update(account=group, parent=child)


def test_second_key_account_manager_is_refused_with_a_clear_message():
    account = AccountFactory(name="Acme")
    first = UserFactory(username="ann")
    services.team_assign(account=account, user=first, role="kam")
    with pytest.raises(DomainError, match=r"Acme already has a key account manager \(ann\)"):
        services.team_assign(account=account, user=UserFactory(), role="kam")
    assert TeamMembership.objects.filter(account=account).count() == 1


def test_database_enforces_one_key_account_manager_per_account():
    membership = TeamMembershipFactory()
    with pytest.raises(IntegrityError, match=ONE_KEY_ACCOUNT_MANAGER), transaction.atomic():
        TeamMembership.objects.create(account=membership.account, user=UserFactory(), role="kam")


def test_handover_replaces_the_key_account_manager():
    membership = TeamMembershipFactory()
    successor = UserFactory()
    services.team_handover(account=membership.account, to_user=successor)
    managers = TeamMembership.objects.filter(account=membership.account, role="kam")
    assert [m.user for m in managers] == [successor]


def test_designating_a_key_account_needs_a_manager():
    account = AccountFactory()
    with pytest.raises(DomainError, match="no key account manager"):
        services.account_designate_key(account=account, since=dt.date(2026, 1, 1))
    account.refresh_from_db()
    assert account.is_key_account is False


def test_designate_and_remove_key_account():
    membership = TeamMembershipFactory()
    account = services.account_designate_key(account=membership.account, since=dt.date(2026, 1, 1))
    assert account.is_key_account
    assert account.key_account_since == dt.date(2026, 1, 1)
    with pytest.raises(DomainError, match="must keep its key account manager"):
        services.team_remove(membership=membership)
    account = services.account_remove_key(account=account)
    assert not account.is_key_account
    assert account.key_account_since is None


def test_database_refuses_key_since_date_on_an_ordinary_account():
    with (
        pytest.raises(IntegrityError, match="account_key_since_only_for_key_accounts"),
        transaction.atomic(),
    ):
        Account.objects.create(name="X", key_account_since=dt.date(2026, 1, 1))


def test_one_person_per_email_whatever_the_case():
    services.contact_create(first_name="Kim", last_name="Lee", email="Kim.Lee@Example.com")
    with pytest.raises(DomainError, match="already belongs to Kim Lee"):
        services.contact_create(first_name="K.", last_name="Lee", email="kim.lee@example.com")
    with pytest.raises(IntegrityError, match="contact_email_unique_ci"), transaction.atomic():
        Contact.objects.create(first_name="K", last_name="L", email="KIM.LEE@example.com")


def test_relationship_strength_must_be_1_to_5():
    contact, account = ContactFactory(), AccountFactory()
    with pytest.raises(DomainError) as error:
        services.position_add(contact=contact, account=account, by=None, strength=6)
    assert "strength" in str(error.value)
    with pytest.raises(IntegrityError, match="position_strength_1_to_5"), transaction.atomic():
        Position.objects.create(contact=contact, account=account, strength=0)


def test_a_person_who_leaves_keeps_history_and_can_join_another_account():
    position = PositionFactory(started_on=dt.date(2024, 1, 1))
    services.position_end(position=position, left_on=dt.date(2026, 3, 1))
    elsewhere = services.position_add(
        contact=position.contact, account=AccountFactory(), by=None, buying_role="champion"
    )
    assert set(position.contact.accounts.all()) == {position.account, elsewhere.account}
    assert Position.objects.get(pk=position.pk).left_on == dt.date(2026, 3, 1)


def test_leaving_before_starting_is_refused():
    position = PositionFactory(started_on=dt.date(2025, 5, 1))
    with pytest.raises(DomainError, match="cannot leave before they started"):
        services.position_end(position=position, left_on=dt.date(2025, 4, 1))
    position.refresh_from_db()
    assert position.left_on is None


def test_one_active_position_per_person_and_account():
    position = PositionFactory()
    with pytest.raises(DomainError, match="already holds a position here"):
        services.position_add(contact=position.contact, account=position.account, by=None)


def test_bulk_account_create_is_all_or_nothing_and_names_the_row():
    rows = [{"name": "Good", "external_id": "A1"}, {"name": "Bad", "employees": -5}]
    with pytest.raises(DomainError, match="row 2"):
        services.account_create_many(rows=rows)
    assert not Account.objects.exists()


def test_bulk_duplicate_external_ids_roll_back_everything():
    rows = [{"name": "One", "external_id": "A1"}, {"name": "Two", "external_id": "A1"}]
    with pytest.raises(IntegrityError, match=ONE_EXTERNAL_ID):
        services.account_create_many(rows=rows)
    assert not Account.objects.exists()
