"""The onboarding pages: the checklist, ticking a step (audited), and the template editor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tenure.access.services import role_assign
from tenure.audit.models import AuditEvent
from tenure.planning.models import OnboardingStep, OnboardingStepTemplate
from tenure.planning.onboarding_selectors import onboarding_in_progress
from tenure.planning.onboarding_services import onboarding_start
from tests.accounts.factories import UserFactory

PROMOTED = dt.date(2026, 11, 2)


@pytest.fixture
def onboarding(account):
    OnboardingStepTemplate.objects.all().delete()
    OnboardingStepTemplate.objects.create(title="Handover notes", auto_check="manual", due_days=7)
    OnboardingStepTemplate.objects.create(title="Team", auto_check="team", due_days=7)
    started = onboarding_start(account=account, started_on=PROMOTED)
    assert started is not None
    return started


def test_the_page_shows_the_checklist_and_what_completes_a_step(client, manager, onboarding):
    client.force_login(manager)
    html = client.get(reverse("planning:onboarding", args=[onboarding.account_id])).content.decode()
    assert "Onboarding: 1 of 2 steps done" in html
    assert "Checked automatically: Key account manager: Alex Morgan" in html
    assert "Handover notes" in html
    assert "due 9 Nov 2026" in html
    assert "Tick as done" in html


def test_an_account_never_promoted_says_how_its_onboarding_starts(logged_in_client, account):
    html = logged_in_client.get(reverse("planning:onboarding", args=[account.pk])).content
    assert b"starts when a director accepts the account" in html


def test_ticking_a_step_records_who_and_goes_back_to_the_page(client, manager, onboarding):
    client.force_login(manager)
    step = onboarding.steps.get(title="Handover notes")
    back = f"/accounts/{onboarding.account_id}/"
    response = client.post(reverse("planning:onboarding_tick", args=[step.pk]), {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    step.refresh_from_db()
    assert step.done_by == manager
    assert step.done_on is not None
    event = AuditEvent.objects.get(model="planning.onboardingstep", action="update")
    assert event.actor_id == manager.pk
    assert event.account_id == onboarding.account_id
    assert event.after["done_by_id"] == manager.pk


def test_a_tick_refuses_a_foreign_next_address(client, manager, onboarding):
    client.force_login(manager)
    step = onboarding.steps.get(title="Handover notes")
    response = client.post(
        reverse("planning:onboarding_tick", args=[step.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/accounts/{onboarding.account_id}/onboarding/"


def test_a_manager_off_the_team_sees_no_tick_and_may_not_tick(client, onboarding):
    outsider = UserFactory()
    role_assign(user=outsider, role="kam")
    client.force_login(outsider)
    page = client.get(reverse("planning:onboarding", args=[onboarding.account_id]))
    assert page.status_code == 200
    assert b"Tick as done" not in page.content
    step = onboarding.steps.get(title="Handover notes")
    assert client.post(reverse("planning:onboarding_tick", args=[step.pk])).status_code == 403
    assert not OnboardingStep.objects.filter(done_on__isnull=False).exists()


def test_the_template_page_is_for_directors_only(client, manager):
    client.force_login(manager)
    assert client.get(reverse("planning:onboarding_template")).status_code == 403


def test_a_director_adds_a_step_and_bad_input_names_the_field(logged_in_client):
    url = reverse("planning:onboarding_template")
    bad = logged_in_client.post(
        url, {"do": "add", "new-title": "Visit", "new-auto_check": "manual", "new-due_days": "500"}
    )
    assert bad.status_code == 200
    assert bad.context["add_form"].errors == {
        "due_days": ["Ensure this value is less than or equal to 365."]
    }
    logged_in_client.post(
        url, {"do": "add", "new-title": "Visit", "new-auto_check": "manual", "new-due_days": "5"}
    )
    assert OnboardingStepTemplate.objects.order_by("position").last().title == "Visit"


def test_removing_a_template_step_asks_first(logged_in_client):
    step = OnboardingStepTemplate.objects.first()
    url = reverse("planning:onboarding_template_remove", args=[step.pk])
    ask = logged_in_client.get(url).content.decode()
    assert f"Remove “{step.title}” from the template?" in ask
    assert OnboardingStepTemplate.objects.filter(pk=step.pk).exists()
    logged_in_client.post(url)
    assert not OnboardingStepTemplate.objects.filter(pk=step.pk).exists()


def test_the_portfolio_partial_lists_accounts_being_onboarded(onboarding, rf):
    onboarding.account.is_key_account = True
    onboarding.account.key_account_since = PROMOTED
    onboarding.account.save()
    html = render_to_string(
        "planning/_onboarding_portfolio.html",
        {"onboardings": onboarding_in_progress(as_of=dt.date(2026, 11, 20))},
        request=rf.get("/portfolio/"),
    )
    assert "Onboarding new key accounts (1)" in html
    assert f"/accounts/{onboarding.account_id}/onboarding/" in html
    assert "0 of 2" in html  # nobody on the team yet: the team step is open too
    assert "Handover notes" in html


def test_the_portfolio_partial_says_what_starts_an_onboarding(db):  # noqa: ARG001
    html = render_to_string("planning/_onboarding_portfolio.html", {"onboardings": []})
    assert "Accepting a promotion to the key-account list starts" in html


def test_the_checklist_page_reads_in_a_fixed_number_of_queries(
    client, manager, onboarding, django_assert_max_num_queries
):
    for n in range(5):
        OnboardingStep.objects.create(
            onboarding=onboarding,
            title=f"Extra {n}",
            auto_check=["kickoff", "survey", "plans", "stakeholders", "manual"][n],
            due_on=PROMOTED,
            position=10 + n,
        )
    client.force_login(manager)
    url = reverse("planning:onboarding", args=[onboarding.account_id])
    # session, user, role, team (edit), account, onboarding, steps, one per check (5), messages
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_a_director_changes_and_moves_a_template_step(logged_in_client):
    first, second = OnboardingStepTemplate.objects.order_by("position", "id")[:2]
    url = reverse("planning:onboarding_template")
    page = logged_in_client.get(url).content.decode()
    assert first.title in page
    prefix = f"step{second.pk}"
    logged_in_client.post(
        url,
        {
            "do": "save",
            "step": second.pk,
            f"{prefix}-title": "Stakeholder map with the buyer",
            f"{prefix}-auto_check": "stakeholders",
            f"{prefix}-due_days": "10",
        },
    )
    logged_in_client.post(url, {"do": "up", "step": second.pk})
    top = OnboardingStepTemplate.objects.order_by("position", "id").first()
    assert (top.pk, top.title, top.due_days) == (second.pk, "Stakeholder map with the buyer", 10)
