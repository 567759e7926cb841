"""Adopting a draft health scorecard in the admin: directors and admins only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenure.access.choices import Role
from tenure.access.services import role_assign
from tenure.health.models import HealthScorecard
from tenure.health.scorecard_drafts import health_scorecard_draft
from tenure.health.services import health_scorecard_current
from tenure.insights.health import DEFAULT_HEALTH
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def adopt(client, role: str, draft: HealthScorecard):
    user = UserFactory(is_staff=True)
    role_assign(user=user, role=role)
    user.user_permissions.add(*_scorecard_permissions())
    client.force_login(user)
    url = reverse("admin:health_healthscorecard_changelist")
    return client.post(url, {"action": "adopt", "_selected_action": [draft.pk]}, follow=True)


def _scorecard_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__endswith="healthscorecard")


@pytest.mark.parametrize(
    ("role", "adopted"), [(Role.DIRECTOR, True), (Role.KEY_ACCOUNT_MANAGER, False)]
)
def test_only_a_director_puts_a_draft_in_force(client, role: str, adopted: bool) -> None:
    active, _ = health_scorecard_current()
    draft = health_scorecard_draft(definition=DEFAULT_HEALTH.to_dict(), version="health-learnt")
    page = adopt(client, role, draft)
    assert page.status_code == 200
    in_force = HealthScorecard.objects.get(is_active=True)
    assert in_force.version == ("health-learnt" if adopted else active.version)
    text = page.content.decode()
    assert ("is now in force" in text) is adopted
    assert ("Only admins and directors adopt" in text) is not adopted
