"""Entering qualification ratings from a page: who rated, when, and who may."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tenure.access.services import role_assign
from tenure.audit.models import AuditEvent
from tenure.scoring.models import QualificationRating, QualificationScorecard
from tenure.scoring.qualification import qualification_sheet
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(account, rate: bool = False) -> str:
    return f"/portfolio/qualification/{account.pk}/{'rate/' if rate else ''}"


def test_the_sheet_lists_the_rated_criteria_with_their_share_of_the_weight(account):
    sheet = qualification_sheet(account=account)
    assert [row.key for row in sheet.rows] == [
        "strategic_value",
        "market_influence",
        "market_position",
        "growth_potential",
        "geography_fit",
    ]
    # Default scorecard: 15 + 10 + 10 + 10 + 5 of 100.
    assert sheet.weight_percent == pytest.approx(50.0)
    assert sheet.rows[0].weight_percent == pytest.approx(15.0)
    assert sheet.rated == 0


def test_reading_the_page_saves_no_scorecard(logged_in_client, account):
    assert logged_in_client.get(_url(account)).status_code == 200
    assert not QualificationScorecard.objects.exists()  # a GET never writes


@time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False)
def test_a_rating_in_place_shows_who_and_when_and_is_audited(logged_in_client, user, account):
    user.first_name, user.last_name = "Dana", "Director"
    user.save()
    response = logged_in_client.post(
        _url(account, rate=True),
        {"criterion": "market_influence", "market_influence-score": "4",
         "market_influence-note": "Sets prices in the region"},
        **HTMX,
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "Market influence rated 4 of 5." in page
    assert "Dana Director" in page
    assert "20 Nov 2026" in page
    assert "Sets prices in the region" in page
    rating = QualificationRating.objects.get(account=account)
    assert (rating.criterion, rating.score, rating.rated_by) == ("market_influence", 4, user)
    assert AuditEvent.objects.filter(
        model="scoring.qualificationrating", action="create", account_id=account.pk
    ).exists()


def test_rating_again_replaces_the_earlier_rating(logged_in_client, account):
    for score in ("2", "5"):
        logged_in_client.post(
            _url(account, rate=True), {"criterion": "geography_fit", "geography_fit-score": score}
        )
    assert list(QualificationRating.objects.values_list("score", flat=True)) == [5]
    assert AuditEvent.objects.filter(model="scoring.qualificationrating", action="update").exists()


def test_a_missing_score_is_named_for_its_criterion(logged_in_client, account):
    response = logged_in_client.post(
        _url(account, rate=True), {"criterion": "strategic_value", "strategic_value-score": ""}
    )
    assert response.status_code == 400
    assert "Rating of strategic value: This field is required." in response.content.decode()
    assert not QualificationRating.objects.exists()


def test_a_score_outside_1_to_5_is_refused(logged_in_client, account):
    response = logged_in_client.post(
        _url(account, rate=True), {"criterion": "strategic_value", "strategic_value-score": "9"}
    )
    assert response.status_code == 400
    assert "Rating of strategic value: Select a valid choice." in response.content.decode()


def test_an_unknown_criterion_is_refused_with_a_message(logged_in_client, account):
    response = logged_in_client.post(
        _url(account, rate=True), {"criterion": "vibes", "vibes-score": "5"}
    )
    assert response.status_code == 400
    assert "Criterion: choose one of the list." in response.content.decode()


def test_the_team_manager_rates_their_account(client):
    membership = TeamMembershipFactory(role="kam")
    role_assign(user=membership.user, role="kam")
    client.force_login(membership.user)
    response = client.post(
        _url(membership.account, rate=True),
        {"criterion": "growth_potential", "growth_potential-score": "3"},
    )
    assert response.status_code == 302
    assert QualificationRating.objects.get().rated_by == membership.user


def test_others_read_the_ratings_without_controls_and_get_403(client):
    account = AccountFactory()
    QualificationRating.objects.create(account=account, criterion="strategic_value", score=4)
    for role in ("kam", "analyst"):
        user = UserFactory()
        role_assign(user=user, role=role)
        client.force_login(user)
        page = client.get(_url(account), **HTMX).content.decode()
        assert "4 of 5" in page, role
        assert "<form" not in page, role
        response = client.post(
            _url(account, rate=True), {"criterion": "geography_fit", "geography_fit-score": "1"}
        )
        assert response.status_code == 403, role
    assert QualificationRating.objects.count() == 1


def test_the_page_reads_in_a_fixed_number_of_queries(
    logged_in_client, account, django_assert_max_num_queries
):
    for criterion in ("strategic_value", "market_influence", "market_position"):
        QualificationRating.objects.create(account=account, criterion=criterion, score=3)
    with django_assert_max_num_queries(10):
        logged_in_client.get(_url(account), **HTMX)
