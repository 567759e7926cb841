"""Fixtures shared by the planning tests."""

from __future__ import annotations

import pytest

from tenure.access.services import role_assign
from tests.accounts.factories import TeamMembershipFactory, UserFactory


@pytest.fixture
def manager(account):
    """The account's key account manager."""
    user = UserFactory(first_name="Alex", last_name="Morgan")
    role_assign(user=user, role="kam")
    TeamMembershipFactory(account=account, user=user, role="kam")
    return user
