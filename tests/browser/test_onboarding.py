"""A director promotes an account, then the checklist shows and a step is ticked."""

from __future__ import annotations

import pytest

from tenure.access.services import role_assign
from tenure.accounts.models import Account
from tenure.planning.models import OnboardingStep, OnboardingStepTemplate
from tenure.planning.plan_templates import (
    plan_template_action_add,
    plan_template_objective_add,
    plan_template_save,
)
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
REVENUE = {"K1": 800_000.0, "K2": 100_000.0, "K3": 60_000.0, "K4": 30_000.0, "K5": 10_000.0}


@pytest.fixture
def proposed():
    """A scored portfolio where Account K1 is proposed for the key-account list."""
    for key in REVENUE:
        AccountFactory(external_id=key, name=f"Account {key}")
    score_frames(as_of=AS_OF, features=features_for(REVENUE), monthly=monthly_for(REVENUE))
    # The test's own template: a transactional test cannot count on the migration's rows.
    OnboardingStepTemplate.objects.all().delete()
    for title, check in [
        ("Team assigned", "team"),
        ("Kickoff meeting planned", "kickoff"),
        ("Handover notes shared with the team", "manual"),
    ]:
        OnboardingStepTemplate.objects.create(title=title, auto_check=check, due_days=14)
    account = Account.objects.get(external_id="K1")
    manager = UserFactory(first_name="Alex", last_name="Morgan")
    TeamMembershipFactory(account=account, user=manager, role="kam")
    return account


def test_a_director_promotes_an_account_and_ticks_an_onboarding_step(
    page, login, live_server, proposed
):
    director = UserFactory(username="dana", first_name="Dana", last_name="Director")
    role_assign(user=director, role="director")
    login("dana", PASSWORD)

    page.goto(f"{live_server.url}/portfolio/")
    queue = page.locator("#queue")
    row = queue.locator("tr", has=page.get_by_role("link", name="Account K1", exact=True))
    row.get_by_label("Reason").fill("Our largest customer")
    row.get_by_role("button", name="Promote").click()
    page.get_by_text("Account K1 is now a key account").wait_for()

    page.goto(f"{live_server.url}/accounts/{proposed.pk}/onboarding/")
    page.get_by_role("heading", name="Onboarding: 1 of 3 steps done").wait_for()
    assert page.get_by_text("Checked automatically: Key account manager: Alex Morgan").is_visible()
    page.get_by_role("button", name="Tick as done: Handover notes shared with the team").click()
    page.get_by_role("heading", name="Onboarding: 2 of 3 steps done").wait_for()
    assert page.get_by_text("Ticked by Dana Director on").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "onboarding.png"), full_page=True)

    ticked = OnboardingStep.objects.get(title="Handover notes shared with the team")
    assert ticked.done_by == director


def test_a_manager_starts_a_plan_from_the_recover_template(page, login, live_server, proposed):
    director = UserFactory()
    role_assign(user=director, role="director")
    template = plan_template_save(
        by=director, name="Recover fast", situation="recover", horizon="short"
    )
    objective = plan_template_objective_add(
        template=template, kind="protect", title="Find the cause of the decline", by=director
    )
    plan_template_action_add(
        objective=objective, title="Call the decision maker", due_days=7, by=director
    )
    manager = proposed.team.get().user
    manager.username = "alex"
    manager.save()
    login("alex", PASSWORD)

    page.goto(f"{live_server.url}/accounts/{proposed.pk}/plans/new/")
    page.get_by_label("Start from template").select_option(label="Recover fast")
    page.get_by_label("Title").fill("Win Account K1 back")
    page.get_by_label("Starts").fill("2026-11-01")
    page.get_by_label("Ends").fill("2027-01-31")
    page.get_by_role("button", name="Create plan").click()
    page.get_by_text("Check the objectives, goals and actions the template filled in").wait_for()
    assert page.get_by_role("heading", name="Protect Find the cause of the decline").is_visible()
    assert page.get_by_role("cell", name="Call the decision maker").is_visible()
