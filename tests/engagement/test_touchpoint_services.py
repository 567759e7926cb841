"""The services behind planning, moving, completing and skipping touchpoints, and correcting
or deleting interactions: the rules every page and the API share."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.services import role_assign
from tenure.accounts.permissions import AccessDenied
from tenure.audit.context import acting_as
from tenure.audit.selectors import object_audit
from tenure.core.errors import DomainError
from tenure.engagement.choices import TouchpointKind, TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint
from tenure.engagement.permissions import can_change_interaction, editable_account_ids
from tenure.engagement.services import (
    interaction_delete,
    interaction_edit,
    touchpoint_complete,
    touchpoint_plan,
    touchpoint_reschedule,
    touchpoint_skip,
)
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import InteractionFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)
WHEN = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


def test_the_kinds_cover_meetings_reviews_conferences_events_birthdays_and_holidays():
    assert {"meeting", "review", "conference", "event", "birthday", "holiday"} <= set(
        TouchpointKind.values
    )


def test_planning_a_touchpoint_before_today_is_refused_naming_the_date(account):
    with pytest.raises(DomainError) as refused:
        touchpoint_plan(
            account=account, scheduled_on=dt.date(2026, 11, 24), kind="meeting", today=TODAY
        )
    assert refused.value.field == "scheduled_on"
    assert "is before today" in refused.value.message
    assert not Touchpoint.objects.exists()
    planned = touchpoint_plan(account=account, scheduled_on=TODAY, kind="event", today=TODAY)
    assert planned.status == TouchpointStatus.PLANNED


def test_a_touchpoint_cannot_name_someone_without_a_position_at_the_account(account):
    with pytest.raises(DomainError) as refused:
        touchpoint_plan(
            account=account,
            scheduled_on=TODAY,
            kind="meeting",
            contact=ContactFactory(),
            today=TODAY,
        )
    assert refused.value.field == "contact"


def test_rescheduling_moves_the_day_and_the_audit_trail_keeps_the_old_one(account, user):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    with acting_as(user):
        touchpoint_reschedule(touchpoint=touchpoint, scheduled_on=dt.date(2026, 12, 9), today=TODAY)
    touchpoint.refresh_from_db()
    assert touchpoint.scheduled_on == dt.date(2026, 12, 9)
    moved = object_audit(model=Touchpoint, object_id=touchpoint.pk).get(action="update")
    assert moved.before == {"scheduled_on": "2026-12-01"}
    assert moved.after == {"scheduled_on": "2026-12-09"}
    assert moved.actor_id == user.pk


@pytest.mark.parametrize(
    ("day", "message"),
    [(dt.date(2026, 11, 1), "is before today"), (dt.date(2026, 12, 1), "already on")],
)
def test_rescheduling_to_the_past_or_the_same_day_is_refused(account, day, message):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    with pytest.raises(DomainError) as refused:
        touchpoint_reschedule(touchpoint=touchpoint, scheduled_on=day, today=TODAY)
    assert refused.value.field == "scheduled_on"
    assert message in refused.value.message


def test_a_done_or_skipped_touchpoint_cannot_be_moved_completed_or_skipped_again(account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    touchpoint_skip(touchpoint=touchpoint, reason="They cancelled the visit")
    assert touchpoint.skip_reason == "They cancelled the visit"
    for change in (
        lambda: touchpoint_reschedule(
            touchpoint=touchpoint, scheduled_on=dt.date(2026, 12, 5), today=TODAY
        ),
        lambda: touchpoint_complete(touchpoint=touchpoint, interaction=None),
        lambda: touchpoint_skip(touchpoint=touchpoint, reason="again"),
    ):
        with pytest.raises(DomainError, match="already skipped"):
            change()


def test_completing_with_another_accounts_interaction_is_refused(account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    elsewhere = InteractionFactory(account=AccountFactory())
    with pytest.raises(DomainError) as refused:
        touchpoint_complete(touchpoint=touchpoint, interaction=elsewhere)
    assert refused.value.field == "interaction"
    touchpoint.refresh_from_db()
    assert touchpoint.status == TouchpointStatus.PLANNED


# --- interactions: author only, or a director -----------------------------------------------


@pytest.fixture
def manager():
    return UserFactory(username="kim")


@pytest.fixture
def mine(manager):
    account = TeamMembershipFactory(user=manager).account
    return InteractionFactory(account=account, logged_by=manager, occurred_at=WHEN)


def _edit(interaction: Interaction, by, **changes):
    fields = {
        "occurred_at": interaction.occurred_at,
        "kind": interaction.kind,
        "summary": interaction.summary,
        **changes,
    }
    return interaction_edit(interaction=interaction, by=by, today=TODAY, **fields)


def test_the_author_corrects_their_interaction_and_the_trail_keeps_the_old_text(manager, mine):
    with acting_as(manager):
        _edit(mine, manager, summary="Agreed the Q1 volumes", is_strategic=True)
    mine.refresh_from_db()
    assert (mine.summary, mine.is_strategic) == ("Agreed the Q1 volumes", True)
    event = object_audit(model=Interaction, object_id=mine.pk).get(action="update")
    assert event.before["summary"] == "Checked an order."
    assert event.after["summary"] == "Agreed the Q1 volumes"


def test_a_colleague_on_the_same_team_may_not_change_someone_elses_interaction(mine):
    colleague = UserFactory(username="lee")
    TeamMembershipFactory(user=colleague, account=mine.account, role="support")
    assert not can_change_interaction(colleague, mine)
    with pytest.raises(AccessDenied):
        _edit(mine, colleague, summary="Rewritten")
    with pytest.raises(AccessDenied):
        interaction_delete(interaction=mine, by=colleague)
    mine.refresh_from_db()
    assert mine.summary == "Checked an order."


def test_an_author_who_left_the_team_may_no_longer_change_it(manager, mine):
    manager.account_roles.all().delete()
    assert not can_change_interaction(UserFactory._meta.model.objects.get(pk=manager.pk), mine)


def test_a_director_may_correct_and_delete_anyones_interaction(mine):
    director = UserFactory(username="dana")
    role_assign(user=director, role="director")
    _edit(mine, director, summary="Fixed a typo")
    pk = mine.pk
    with acting_as(director):
        interaction_delete(interaction=mine, by=director)
    assert not Interaction.objects.filter(pk=pk).exists()
    deleted = object_audit(model=Interaction, object_id=pk).get(action="delete")
    assert deleted.actor_id == director.pk


def test_an_analyst_may_not_change_interactions_even_their_own(mine):
    analyst = UserFactory(username="ana")
    role_assign(user=analyst, role="analyst")
    mine.logged_by = analyst
    assert not can_change_interaction(analyst, mine)


def test_a_correction_keeps_the_rules_of_logging(manager, mine):
    with pytest.raises(DomainError) as future:
        _edit(mine, manager, occurred_at=dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC))
    assert future.value.field == "occurred_at"
    with pytest.raises(DomainError) as empty:
        _edit(mine, manager, summary="  ")
    assert empty.value.field == "summary"
    with pytest.raises(DomainError) as stranger:
        _edit(mine, manager, contacts=[ContactFactory()])
    assert stranger.value.field == "contacts"
    present = PositionFactory(account=mine.account).contact
    _edit(mine, manager, contacts=[present])
    assert list(mine.contacts.all()) == [present]


def test_deleting_an_interaction_leaves_the_touchpoint_it_fulfilled_done(manager, mine):
    touchpoint = TouchpointFactory(account=mine.account, scheduled_on=dt.date(2026, 11, 20))
    touchpoint_complete(touchpoint=touchpoint, interaction=mine)
    interaction_delete(interaction=mine, by=manager)
    touchpoint.refresh_from_db()
    assert (touchpoint.status, touchpoint.interaction) == (TouchpointStatus.DONE, None)


def test_editable_accounts_follow_the_account_rules_in_one_query(
    manager, django_assert_num_queries
):
    mine_ids = {TeamMembershipFactory(user=manager).account_id for _ in range(3)}
    others = {AccountFactory().pk for _ in range(2)}
    manager = UserFactory._meta.model.objects.get(pk=manager.pk)
    with django_assert_num_queries(2):  # the role, then the teams
        assert editable_account_ids(manager, mine_ids | others) == mine_ids
    director = UserFactory(username="dana")
    role_assign(user=director, role="director")
    assert editable_account_ids(director, mine_ids | others) == mine_ids | others
