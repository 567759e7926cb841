"""Onboarding a new key account: the checklist a promotion starts, its automatic steps,
ticking by hand, and the directors' template."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.services import role_assign
from tenure.accounts.permissions import AccessDenied
from tenure.core.errors import DomainError
from tenure.engagement.models import Touchpoint
from tenure.planning.models import Onboarding, OnboardingStep, OnboardingStepTemplate
from tenure.planning.onboarding_selectors import onboarding_for_account, onboarding_in_progress
from tenure.planning.onboarding_services import (
    onboarding_start,
    onboarding_step_tick,
    onboarding_step_untick,
    onboarding_template_step_add,
    onboarding_template_step_move,
    onboarding_template_step_remove,
    onboarding_template_step_update,
)
from tenure.planning.services import plan_close
from tenure.scoring.services import keylist_decide
from tests.accounts.factories import AccountFactory, PositionFactory, UserFactory
from tests.engagement.factories import TouchpointFactory
from tests.feedback.factories import invite, open_campaign
from tests.planning.factories import AccountPlanFactory

PROMOTED = dt.date(2026, 11, 2)


def _template(*steps: tuple[str, str, int]) -> None:
    """Replace the default template (from the data migration) with ``steps``."""
    OnboardingStepTemplate.objects.all().delete()
    for position, (title, check, days) in enumerate(steps):
        OnboardingStepTemplate.objects.create(
            title=title, auto_check=check, due_days=days, position=position
        )


def _status(account, title: str, as_of: dt.date = PROMOTED):
    progress = onboarding_for_account(account=account, as_of=as_of)
    assert progress is not None
    return next(s for s in progress.steps if s.step.title == title)


def test_the_data_migration_gives_a_default_template_with_every_automatic_check(db):  # noqa: ARG001
    checks = set(OnboardingStepTemplate.objects.values_list("auto_check", flat=True))
    assert {"team", "stakeholders", "kickoff", "plans", "survey"} <= checks


@pytest.mark.usefixtures("manager")  # a key account needs its manager
def test_an_accepted_promotion_starts_the_checklist_due_from_the_promotion_day(account, user):
    _template(("Team", "team", 7), ("Handover notes", "manual", 14))
    keylist_decide(
        account=account,
        action="promote",
        outcome="accepted",
        decided_by=user,
        reason="Second largest customer",
        on=PROMOTED,
    )
    (onboarding,) = Onboarding.objects.filter(account=account)
    assert onboarding.started_on == PROMOTED
    assert onboarding.started_by == user
    steps = list(onboarding.steps.order_by("position"))
    assert [(s.title, s.due_on) for s in steps] == [
        ("Team", dt.date(2026, 11, 9)),
        ("Handover notes", dt.date(2026, 11, 16)),
    ]


@pytest.mark.usefixtures("manager")
def test_a_rejected_promotion_starts_no_checklist(account, user):
    keylist_decide(
        account=account,
        action="promote",
        outcome="rejected",
        decided_by=user,
        reason="Too small yet",
        on=PROMOTED,
    )
    assert not Onboarding.objects.exists()


def test_starting_twice_on_a_day_keeps_one_checklist_and_an_empty_template_starts_none(account):
    first = onboarding_start(account=account, started_on=PROMOTED)
    assert onboarding_start(account=account, started_on=PROMOTED) == first
    assert Onboarding.objects.count() == 1
    _template()
    assert onboarding_start(account=AccountFactory(), started_on=PROMOTED) is None


def test_the_team_step_is_done_by_itself_once_the_account_has_a_manager(account):
    _template(("Team", "team", 7))
    onboarding_start(account=account, started_on=PROMOTED)
    assert not _status(account, "Team").done
    manager = UserFactory(first_name="Alex", last_name="Morgan")
    account.team.create(user=manager, role="kam")
    status = _status(account, "Team")
    assert status.done
    assert status.automatic
    assert status.how == "Key account manager: Alex Morgan"


def test_the_stakeholder_step_needs_a_current_decision_maker_and_a_champion(account):
    _template(("Map", "stakeholders", 21))
    onboarding_start(account=account, started_on=PROMOTED)
    PositionFactory(account=account, buying_role="decision_maker")
    PositionFactory(account=account, buying_role="champion", left_on=dt.date(2026, 10, 1))
    assert not _status(account, "Map").done  # the champion left
    champion = PositionFactory(account=account, buying_role="champion")
    status = _status(account, "Map")
    assert status.done
    assert str(champion.contact) in status.how


def test_the_plan_step_needs_an_active_short_and_long_term_plan(account):
    _template(("Plans", "plans", 30))
    onboarding_start(account=account, started_on=PROMOTED)
    AccountPlanFactory(account=account, title="Q4", horizon="short")
    long = AccountPlanFactory(
        account=account, title="2027–29", horizon="long", ends_on=dt.date(2028, 12, 31)
    )
    assert _status(account, "Plans").how == "Short-term plan “Q4”, long-term plan “2027–29”"
    plan_close(plan=long, outcome="Replaced", closed_on=dt.date(2026, 6, 1))
    assert not _status(account, "Plans").done


def test_the_kickoff_step_needs_a_meeting_from_the_promotion_on(account):
    _template(("Kickoff", "kickoff", 14))
    onboarding_start(account=account, started_on=PROMOTED)
    TouchpointFactory(account=account, kind="meeting", scheduled_on=dt.date(2026, 10, 20))
    TouchpointFactory(account=account, kind="birthday", scheduled_on=dt.date(2026, 11, 10))
    assert not _status(account, "Kickoff").done  # one before the promotion, one not a meeting
    TouchpointFactory(
        account=account, kind="meeting", title="Kickoff", scheduled_on=dt.date(2026, 11, 12)
    )
    assert _status(account, "Kickoff").how == "Meeting “Kickoff” on 12 Nov 2026"
    Touchpoint.objects.filter(title="Kickoff").update(status="skipped")
    assert not _status(account, "Kickoff").done


def test_the_survey_step_needs_an_invitation_prepared_after_the_promotion(account):
    _template(("Survey", "survey", 60))
    onboarding_start(account=account, started_on=PROMOTED)
    invitation, _ = invite(open_campaign(account=account, name="Relationship 2026"))
    invitation.__class__.objects.filter(pk=invitation.pk).update(
        created_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    )
    assert not _status(account, "Survey").done
    invitation.__class__.objects.filter(pk=invitation.pk).update(
        created_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    )
    status = _status(account, "Survey")
    assert status.done
    assert "Relationship 2026" in status.how


def test_a_step_ticked_by_hand_says_who_and_when_and_can_be_taken_back(account, manager):
    _template(("Handover notes", "manual", 14))
    onboarding = onboarding_start(account=account, started_on=PROMOTED)
    assert onboarding is not None
    step = onboarding.steps.get()
    onboarding_step_tick(step=step, by=manager, on=dt.date(2026, 11, 5))
    status = _status(account, "Handover notes")
    assert status.done
    assert not status.automatic
    assert status.how == "Ticked by Alex Morgan on 5 Nov 2026"
    with pytest.raises(DomainError, match="already ticked on 5 Nov 2026"):
        onboarding_step_tick(step=step, by=manager, on=dt.date(2026, 11, 6))
    onboarding_step_untick(step=step, by=manager)
    assert not _status(account, "Handover notes").done


def test_a_step_cannot_be_ticked_before_the_promotion(account, manager):
    onboarding = onboarding_start(account=account, started_on=PROMOTED)
    assert onboarding is not None
    with pytest.raises(DomainError, match="before the onboarding started"):
        onboarding_step_tick(
            step=onboarding.steps.first(), by=manager, on=PROMOTED - dt.timedelta(days=1)
        )


def test_a_manager_off_the_team_cannot_tick(account):
    onboarding = onboarding_start(account=account, started_on=PROMOTED)
    assert onboarding is not None
    outsider = UserFactory()
    role_assign(user=outsider, role="kam")
    with pytest.raises(AccessDenied):
        onboarding_step_tick(step=onboarding.steps.first(), by=outsider, on=PROMOTED)
    assert not OnboardingStep.objects.filter(done_on__isnull=False).exists()


def test_only_a_director_changes_the_template(manager, user):
    with pytest.raises(AccessDenied):
        onboarding_template_step_add(title="Visit", auto_check="manual", due_days=5, by=manager)
    step = onboarding_template_step_add(title="Visit", auto_check="manual", due_days=5, by=user)
    assert OnboardingStepTemplate.objects.order_by("position").last() == step


def test_a_template_change_reaches_the_next_promotions_only(user):
    _template(("Team", "team", 7))
    before = AccountFactory()
    onboarding_start(account=before, started_on=PROMOTED)
    step = OnboardingStepTemplate.objects.get()
    onboarding_template_step_update(
        step=step, title="Team and sponsor", auto_check="team", due_days=3, by=user
    )
    after = AccountFactory()
    onboarding_start(account=after, started_on=PROMOTED)
    assert OnboardingStep.objects.get(onboarding__account=before).title == "Team"
    moved = OnboardingStep.objects.get(onboarding__account=after)
    assert (moved.title, moved.due_on) == ("Team and sponsor", dt.date(2026, 11, 5))


def test_template_steps_move_and_are_removed(user):
    _template(("A", "manual", 1), ("B", "manual", 2), ("C", "manual", 3))
    c = OnboardingStepTemplate.objects.get(title="C")
    onboarding_template_step_move(step=c, up=True, by=user)
    assert [s.title for s in OnboardingStepTemplate.objects.all()] == ["A", "C", "B"]
    with pytest.raises(DomainError, match="already first"):
        onboarding_template_step_move(
            step=OnboardingStepTemplate.objects.get(title="A"), up=True, by=user
        )
    onboarding_template_step_remove(step=c, by=user)
    assert [s.title for s in OnboardingStepTemplate.objects.all()] == ["A", "B"]


def test_a_template_step_is_due_within_a_year(user):
    with pytest.raises(DomainError, match="within 365 days"):
        onboarding_template_step_add(title="Late", auto_check="manual", due_days=400, by=user)


def test_in_progress_lists_key_accounts_with_open_steps_most_overdue_first(user):
    _template(("Team", "team", 7), ("Notes", "manual", 30))
    late = AccountFactory(name="Late", is_key_account=True)
    fresh = AccountFactory(name="Fresh", is_key_account=True)
    done = AccountFactory(name="Done", is_key_account=True)
    demoted = AccountFactory(name="Demoted", is_key_account=False)
    onboarding_start(account=late, started_on=dt.date(2026, 9, 1))
    onboarding_start(account=fresh, started_on=PROMOTED)
    onboarding_start(account=demoted, started_on=PROMOTED)
    finished = onboarding_start(account=done, started_on=PROMOTED)
    assert finished is not None
    done.team.create(user=UserFactory(), role="kam")  # the team step by itself
    onboarding_step_tick(step=finished.steps.get(title="Notes"), by=user, on=PROMOTED)

    listed = onboarding_in_progress(as_of=dt.date(2026, 11, 20))
    assert [p.account.name for p in listed] == ["Late", "Fresh"]
    assert [p.overdue for p in listed] == [2, 1]
    assert listed[1].next_step is not None
    assert listed[1].next_step.step.title == "Team"
    assert listed[1].percent == 0


def test_in_progress_reads_in_a_fixed_number_of_queries(db, django_assert_max_num_queries):  # noqa: ARG001
    for n in range(6):
        account = AccountFactory(is_key_account=True)
        onboarding_start(account=account, started_on=PROMOTED - dt.timedelta(days=n))
    with django_assert_max_num_queries(9):
        listed = onboarding_in_progress(as_of=PROMOTED)
    assert len(listed) == 6
