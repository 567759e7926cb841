"""Who may change a person and who may place them at an account (the service's rules).

A position gives the right to change a person; only a *current* one, at an account the
user may change. Placing someone who sits at another manager's account is a director's
call, or a manager could take the person over (place, end, then change the email).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.choices import Role
from tenure.access.services import role_assign
from tenure.accounts import services
from tenure.accounts.models import Contact, Position
from tenure.accounts.permissions import AccessDenied, can_edit_contact
from tests.accounts.factories import PositionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_managers():
    """``mine`` is managed by the returned manager; ``theirs`` (with Kim) by someone else."""
    manager = UserFactory()
    mine = TeamMembershipFactory(user=manager).account
    theirs = TeamMembershipFactory().account
    kim = PositionFactory(account=theirs).contact
    return manager, mine, theirs, kim


def test_a_manager_cannot_place_a_person_who_sits_at_another_managers_account(two_managers):
    manager, mine, _, kim = two_managers
    with pytest.raises(AccessDenied, match="a director"):
        services.position_add(contact=kim, account=mine, by=manager)
    assert not Position.objects.filter(contact=kim, account=mine).exists()


def test_a_manager_cannot_place_them_by_email_either(two_managers):
    manager, mine, _, kim = two_managers
    with pytest.raises(AccessDenied):
        services.stakeholder_add(
            account=mine,
            person={"first_name": "K", "last_name": "B", "email": kim.email},
            position={"title": "Buyer"},
            by=manager,
        )
    assert not Position.objects.filter(contact=kim, account=mine).exists()


def test_a_director_places_a_person_from_any_account(two_managers):
    _, mine, _, kim = two_managers
    director = UserFactory()
    role_assign(user=director, role=Role.DIRECTOR)
    position = services.position_add(contact=kim, account=mine, by=director)
    assert position.account == mine
    assert position.is_active


def test_a_manager_places_a_person_who_left_everywhere_else(two_managers):
    manager, mine, theirs, kim = two_managers
    services.position_end(position=kim.positions.get(account=theirs), left_on=dt.date(2026, 3, 1))
    services.position_add(contact=kim, account=mine, by=manager)
    assert can_edit_contact(manager, kim)


def test_an_ended_position_gives_no_right_to_change_the_person(two_managers):
    manager, mine, _, kim = two_managers
    # Placed by the system (an import), then ended: the manager's account is history only.
    ended = services.position_add(contact=kim, account=mine, by=None)
    services.position_end(position=ended, left_on=dt.date(2026, 3, 1))
    assert not can_edit_contact(manager, kim)
    with pytest.raises(AccessDenied):
        services.contact_update(contact=kim, by=manager, email="taken.over@example.com")
    assert Contact.objects.get(pk=kim.pk).email != "taken.over@example.com"


def test_a_manager_changes_a_person_at_their_own_account(two_managers):
    manager, mine, _, _ = two_managers
    ours = PositionFactory(account=mine).contact
    services.contact_update(contact=ours, by=manager, phone="+49 30 1234")
    assert Contact.objects.get(pk=ours.pk).phone == "+49 30 1234"
