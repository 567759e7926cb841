"""The third-party principle: names only with consent, small anonymous groups hidden, everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.feedback import selectors
from tenure.feedback.anonymity import quarter_of
from tenure.feedback.selectors import Scope
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.feedback.factories import NOW, open_campaign, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_account():
    """Birch Foods, managed by a (non-staff) key account manager."""
    membership = TeamMembershipFactory(account=AccountFactory(name="Birch Foods"))
    return membership.user, membership.account


def _person(first: str, last: str):
    return ContactFactory(first_name=first, last_name=last)


def _csv(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/feedback/answers.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _readers(client, account) -> list[str]:
    """Every place a reader can see answers: figures page, account page, CSV export."""
    urls = [
        "/feedback/",
        f"/feedback/?account={account.pk}",
        account.get_absolute_url() + "?tab=feedback",
        "/feedback/answers.csv",
    ]
    responses = [client.get(url) for url in urls]
    # A refused or broken page would hide every name: only a page shown proves the rule.
    assert [r.status_code for r in responses] == [200] * len(urls)
    return [r.content.decode() for r in responses]


def test_a_manager_cannot_see_a_named_answer_without_consent(client, manager_account):
    manager, account = manager_account
    campaign = open_campaign(account=account)
    respond(
        campaign,
        contact=_person("Quentin", "Quiet"),
        score=2,
        consent=False,
        nps_why="Slow and sloppy service",
    )
    client.force_login(manager)
    for page in _readers(client, account):
        assert "Quentin" not in page
        assert "Quiet" not in page
        assert "Slow and sloppy service" not in page  # a group of one is not shown at all
    assert _csv(client) == []


def test_with_consent_the_answer_is_shown_with_the_name_everywhere(client, manager_account):
    manager, account = manager_account
    campaign = open_campaign(account=account)
    respond(
        campaign,
        contact=_person("Olga", "Open"),
        score=9,
        consent=True,
        nps_why="Great partner",
    )
    client.force_login(manager)
    for page in _readers(client, account):
        assert "Olga Open" in page
        assert "Great partner" in page
    [row] = _csv(client)
    assert (row["respondent"], row["nps"], row["account"]) == ("Olga Open", "9", "Birch Foods")


def test_a_director_follows_the_same_rule(client, manager_account):
    _, account = manager_account
    campaign = open_campaign(account=account)
    respond(campaign, contact=_person("Quentin", "Quiet"), score=2, nps_why="Sloppy")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for page in _readers(client, account):
        assert "Quentin" not in page
        assert "Sloppy" not in page


def test_anonymous_answers_show_only_in_groups_of_three_and_never_with_names(
    client, manager_account
):
    manager, account = manager_account
    campaign = open_campaign(account=account)
    people = [_person("Anna", "One"), _person("Bert", "Two"), _person("Cleo", "Three")]
    for person, score in zip(people[:2], (10, 0), strict=True):
        respond(campaign, contact=person, score=score, nps_why=f"Comment from {person.last_name}")
    two = selectors.survey_figures(scope=Scope(account_id=account.pk))
    assert two.portfolio.n == 2
    assert two.portfolio.hidden
    assert two.portfolio.result is None
    assert two.comments == []

    respond(campaign, contact=people[2], score=9, nps_why="Comment from Three")
    three = selectors.survey_figures(scope=Scope(account_id=account.pk))
    assert three.portfolio.result.score == pytest.approx(100 * (2 - 1) / 3)
    assert {c.text for c in three.comments} == {
        "Comment from One",
        "Comment from Two",
        "Comment from Three",
    }
    assert all(c.respondent == "" and c.answered_on is None for c in three.comments)

    client.force_login(manager)
    page = client.get(account.get_absolute_url() + "?tab=feedback").content.decode()
    assert "NPS 33" in page
    for person in people:
        assert person.first_name not in page
    rows = _csv(client)
    assert len(rows) == 3
    assert {r["respondent"] for r in rows} == {""}
    assert all("Q" in r["answered"] for r in rows)  # the quarter, not the day


def test_named_answers_cannot_be_subtracted_to_reveal_an_anonymous_one(manager_account):
    _, account = manager_account
    campaign = open_campaign(account=account)
    respond(campaign, score=10, consent=True)
    respond(campaign, score=10, consent=True)
    respond(campaign, score=0, consent=False, nps_why="The only anonymous voice")
    figures = selectors.survey_figures(scope=Scope(account_id=account.pk))
    # Three answers, but only one anonymous: the NPS would give it away.
    assert figures.portfolio.n == 3
    assert figures.portfolio.hidden
    assert [c.text for c in figures.comments] == []
    assert len(figures.named) == 2


def test_only_consenting_answers_make_a_group_with_no_anonymous_member_visible(manager_account):
    _, account = manager_account
    campaign = open_campaign(account=account)
    respond(campaign, score=8, consent=True)
    figures = selectors.survey_figures(scope=Scope(account_id=account.pk))
    assert figures.portfolio.result.score == 0.0
    assert figures.portfolio.n == 1


def test_the_minimum_group_size_is_configurable_but_never_below_two(settings, manager_account):
    _, account = manager_account
    campaign = open_campaign(account=account)
    for score in (9, 9, 9):
        respond(campaign, score=score)
    settings.TENURE_SURVEY_MIN_GROUP = 4
    assert selectors.survey_figures(scope=Scope(account_id=account.pk)).portfolio.hidden
    settings.TENURE_SURVEY_MIN_GROUP = 1
    assert selectors.min_group_size() == 2


def test_detractor_causes_carry_no_score_day_or_response_without_consent(manager_account):
    _, account = manager_account
    campaign = open_campaign(account=account)
    quiet = respond(campaign, contact=_person("Quentin", "Quiet"), score=3)
    open_ = respond(campaign, contact=_person("Olga", "Open"), score=5, consent=True)
    respond(campaign, score=9)
    respond(campaign, score=10)
    today = timezone.localdate(NOW)
    ids = Account.objects.filter(pk=account.pk).values("pk")
    # While the campaign takes answers, only the named answer is a cause.
    causes = selectors.detractor_causes(account_ids=ids, since=today, as_of=today)
    assert [(c.named, c.score, c.answered_on, c.key) for c in causes] == [
        (True, 5, timezone.localdate(open_.answered_at), f"response:{open_.pk}")
    ]
    # Once it stopped taking answers, the anonymous one joins: no score, day or response.
    later = timezone.localdate(campaign.closes_at) + dt.timedelta(days=1)
    causes = selectors.detractor_causes(account_ids=ids, since=today, as_of=later)
    (anonymous,) = [c for c in causes if not c.named]
    assert (anonymous.score, anonymous.answered_on, anonymous.contact_id) == (None, None, None)
    # A keyed hash of campaign and quarter: nothing readable, no response id.
    assert re.fullmatch(r"anonymous:[0-9a-f]{16,}", anonymous.key)
    assert f"response:{quiet.pk}" not in {c.key for c in causes}
    assert anonymous.period == quarter_of(timezone.localdate(quiet.answered_at))


def test_account_sentiment_gives_latest_dates_and_respects_the_group_rule(manager_account):
    _, account = manager_account
    campaign = open_campaign(account=account)
    respond(campaign, score=3, at=NOW - dt.timedelta(days=20), manager=2)
    respond(campaign, score=10, at=NOW - dt.timedelta(days=2), manager=5)
    sentiment = selectors.account_sentiment(account)
    # Anonymous answers are never dated.
    assert sentiment.last_answered_on is None
    assert sentiment.last_detractor_on is None
    assert sentiment.nps.n == 2
    assert sentiment.nps.hidden
    assert [(i.key, i.n, i.hidden) for i in sentiment.items] == [("manager", 2, True)]
    respond(campaign, score=10, manager=4)
    shown = selectors.account_sentiment(account)
    assert shown.nps.result.score == pytest.approx(100 / 3)
    assert shown.items[0].summary.mean == pytest.approx(11 / 3)


def test_csv_export_neutralises_spreadsheet_formulas(client, manager_account):
    manager, account = manager_account
    campaign = open_campaign(account=account)
    respond(campaign, score=9, consent=True, nps_why='=HYPERLINK("http://evil.example")')
    client.force_login(manager)
    [row] = _csv(client)
    assert row["nps_why"].startswith("'=")
