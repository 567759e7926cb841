"""In a real browser: the log form warns about over-contact as it is filled in (headless
Chromium, run by ``make test-browser``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tenure.engagement.models import CadencePolicy
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def test_ticking_a_person_already_contacted_twice_shows_a_warning(page, login, live_server):
    # Transactional tests flush the tables, the seeded default policies with them.
    CadencePolicy.objects.update_or_create(
        segment="B",
        account=None,
        defaults={
            "contact_every_days": 45,
            "strategic_every_days": 120,
            "period_days": 30,
            "max_contacts": 4,
            "max_contacts_per_person": 2,
            "min_strategic_percent": 15,
        },
    )
    account = AccountFactory(name="Harbour Foods", tier="B")
    TeamMembershipFactory(user=UserFactory(username="kim"), account=account)
    position = PositionFactory(
        account=account,
        contact__first_name="Ada",
        contact__last_name="Quill",
    )
    for days_ago in (2, 9):
        interaction = InteractionFactory(
            account=position.account, occurred_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        interaction.contacts.set([position.contact])
    login("kim", PASSWORD)
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.url) if "cadence-check" in r.url else None)
    page.goto(f"{live_server.url}/accounts/{position.account_id}/log/")
    page.get_by_role("heading", name="Log an interaction with Harbour Foods").wait_for()
    assert not page.locator("#cadence-check .warning").is_visible()
    page.get_by_label("Ada Quill").check()
    warning = page.locator("#cadence-check .warning")
    warning.wait_for()
    assert (
        "Ada Quill: this contact by the account team would be the 3rd within 30 days"
        in warning.inner_text()
    )
    # The check is a GET: it carries the date and the people, never the CSRF token.
    assert checks
    assert all("csrfmiddlewaretoken" not in url for url in checks), checks
    assert any(f"contacts={position.contact_id}" in url for url in checks), checks
    # Only a warning: the interaction can still be logged.
    page.get_by_label("Summary").fill("Confirmed the delivery slot")
    page.get_by_role("button", name="Log interaction").click()
    page.get_by_text("Interaction logged.").wait_for()
