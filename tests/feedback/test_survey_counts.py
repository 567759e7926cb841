"""Survey counts read the same window and say what they count: the response rate counts
emailed invitations only (an import records only the people who answered), an account's
card counts answers and invitations over one window, and a closed campaign's links read as
stopped (issue 16 item 12)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.feedback import services
from tenure.feedback.anonymity import default_since
from tenure.feedback.selectors import Scope, survey_figures
from tenure.feedback.survey_import import responses_import
from tests.accounts.factories import AccountFactory, PositionFactory, UserFactory
from tests.feedback.factories import NOW, invite, open_campaign, respond

pytestmark = pytest.mark.django_db


def _director(client):
    user = UserFactory()
    role_assign(user=user, role="director")
    client.force_login(user)
    return user


def _import(campaign, *answered_at: dt.datetime) -> None:
    """One imported answer per moment, each from a new person at the campaign's account."""
    lines = ["email,answered_at,score,comment,consent\n"]
    for n, at in enumerate(answered_at):
        email = f"imported{n}@{campaign.account.pk}.example"
        PositionFactory(account=campaign.account, contact__email=email)
        lines.append(f"{email},{at.isoformat()},9,,no\n")
    responses_import(campaign=campaign, lines=lines, now=NOW)


def test_response_rate_counts_emailed_invitations_and_counts_imports_apart():
    account = AccountFactory()
    emailed = open_campaign(account=account)
    invite(emailed)
    respond(emailed, score=9)
    _import(open_campaign(account=account, name="Paper survey"), NOW, NOW)

    figures = survey_figures(scope=Scope(account_id=account.pk))

    # Before: 4 of 4 "invited" answered: the two imported answers counted as answered
    # invitations, though an import records only the people who answered.
    assert (figures.response_rate.invited, figures.response_rate.answered) == (2, 1)
    assert figures.imported == 2


def test_only_imported_answers_make_no_response_rate():
    account = AccountFactory()
    _import(open_campaign(account=account), *[NOW] * 3)
    figures = survey_figures(scope=Scope(account_id=account.pk))
    assert figures.response_rate.rate is None  # not "100 % (3 of 3)"
    assert figures.imported == 3


def test_response_rate_covers_the_window_of_the_answers():
    """An answer imported today but given before the window is in neither count."""
    account = AccountFactory()
    today = timezone.localdate()
    long_ago = NOW - dt.timedelta(days=600)
    _import(open_campaign(account=account, now=long_ago - dt.timedelta(days=1)), long_ago, NOW)
    old = open_campaign(account=account, now=long_ago, name="Old emailed")
    invite(old)  # sent before the window

    figures = survey_figures(scope=Scope(account_id=account.pk), today=today)

    assert figures.portfolio.n == 1
    assert figures.imported == 1
    assert figures.response_rate.invited == 0


def test_account_card_counts_answers_and_invitations_over_one_window(client):
    account = AccountFactory(name="Birch Foods")
    _director(client)
    long_ago = NOW - dt.timedelta(days=600)
    _import(open_campaign(account=account, now=long_ago), long_ago, NOW, NOW)
    since = default_since(timezone.localdate())

    page = client.get(account.get_absolute_url() + "?tab=feedback").content.decode()

    card = page[page.index('id="feedback-h"') :]
    card = card[: card.index("</section>")]
    assert f"2 answers since {since:%-d %b %Y}" in card
    # Before: "3 of 3 invited answered" beside "2 answers in the last 12 months".
    assert "invited answered" not in card
    assert f"no invitations emailed since {since:%-d %b %Y}" in card
    assert "2 imported answers not in the rate" in card


def test_figures_page_and_api_say_imports_are_not_in_the_rate(client):
    account = AccountFactory()
    _director(client)
    emailed = open_campaign(account=account)
    invite(emailed)
    respond(emailed, score=9)
    _import(open_campaign(account=account, name="Paper survey"), *[NOW] * 5)

    page = " ".join(client.get("/feedback/").content.decode().split())
    assert "Response rate: 50 % (1 of 2 invitations emailed since" in page
    assert "5 imported answers not in the rate" in page
    rate = client.get("/api/v1/surveys/figures").json()["response_rate"]
    assert rate == {"invited": 2, "answered": 1, "rate": 0.5, "imported": 5}


def test_import_only_campaign_shows_no_sending_and_no_rate(client):
    _director(client)
    campaign = open_campaign(account=AccountFactory())
    _import(campaign, NOW, NOW)
    page = " ".join(client.get(f"/feedback/campaigns/{campaign.pk}/").content.decode().split())
    assert "not emailed from Tenure: answers imported" in page
    assert "2 answers imported" in page
    assert "of 2 emailed" not in page
    api = client.get(f"/api/v1/surveys/campaigns/{campaign.pk}").json()
    assert (api["invited"], api["answered"], api["imported"]) == (0, 0, 2)


def test_closed_campaign_says_its_links_stopped_working(client):
    _director(client)
    closes_at = dt.datetime(2099, 12, 31, 18, tzinfo=dt.UTC)
    campaign = open_campaign(account=AccountFactory(), closes_at=closes_at)
    closed_at = NOW.replace(second=0)
    services.campaign_close(campaign=campaign, now=closed_at)

    page = " ".join(client.get(f"/feedback/campaigns/{campaign.pk}/").content.decode().split())
    listing = client.get("/feedback/campaigns/").content.decode()

    # Before: "Links work until 31 Dec 2099" while its links answer 404.
    assert "Links work until" not in page
    assert "31 Dec 2099" not in page
    local = timezone.localtime(closed_at)
    assert f"Links stopped working</dt><dd>{local:%-d %b %Y %H:%M}" in page
    assert "31 Dec 2099" not in listing
    assert f"{local:%-d %b %Y}" in listing


def test_open_campaign_says_until_when_its_links_work(client):
    _director(client)
    closes_at = dt.datetime(2099, 12, 31, 18, tzinfo=dt.UTC)
    campaign = open_campaign(account=AccountFactory(), closes_at=closes_at)
    page = " ".join(client.get(f"/feedback/campaigns/{campaign.pk}/").content.decode().split())
    local = timezone.localtime(closes_at)
    assert f"Links work until</dt><dd>{local:%-d %b %Y %H:%M}" in page


def test_account_card_and_brief_count_only_that_accounts_answers(client):
    """``reader_scope(user, account=…)`` narrows to the account, as ``account_id=`` does."""
    _director(client)
    birch, cedar = AccountFactory(name="Birch Foods"), AccountFactory(name="Cedar Works")
    respond(open_campaign(account=birch), score=9, consent=True)
    cedar_survey = open_campaign(account=cedar, name="Cedar survey")
    for _ in range(4):
        respond(cedar_survey, score=2, consent=True, nps_why="Cedar is unhappy")

    card = client.get(birch.get_absolute_url() + "?tab=feedback").content.decode()
    brief = client.get(f"/accounts/{birch.pk}/brief/").content.decode()

    assert "n = 1," in card
    assert "Cedar is unhappy" not in card
    assert "n = 1," in brief
    assert "Cedar is unhappy" not in brief


def test_stored_skip_reasons_lose_the_day_of_the_last_survey():
    """Reasons saved before the day was left out are rewritten by migration 0003."""
    from django.apps import apps

    migration = importlib.import_module("tenure.feedback.migrations.0003_skip_reasons_without_day")
    campaign = open_campaign(account=AccountFactory())
    campaign.skipped = [
        {"contact": 1, "account": 2, "reason": "surveyed on 2026-10-18, fewer than 90 days ago"},
        {"contact": 3, "account": 2, "reason": "no email address"},
    ]
    campaign.save(update_fields=["skipped"])

    migration.reasons_without_day(apps, None)

    campaign.refresh_from_db()
    assert [e["reason"] for e in campaign.skipped] == [
        "surveyed fewer than 90 days ago",
        "no email address",
    ]
