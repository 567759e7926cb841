"""The portfolio page and key-list decisions through the web."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenure.access.choices import Role
from tenure.accounts.models import Account
from tenure.scoring.models import KeyListDecision
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.api.conftest import client_for, make_user
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(portfolio):
    score_frames(as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio))
    return portfolio


@pytest.fixture
def portfolio():
    from tests.accounts.factories import AccountFactory

    revenue = {"K1": 800_000.0, "K2": 100_000.0, "K3": 60_000.0, "K4": 30_000.0, "K5": 10_000.0}
    for key in revenue:
        AccountFactory(external_id=key, name=f"Account {key}")
    return revenue


@pytest.fixture
def director_client(client):
    client.force_login(UserFactory(is_staff=True))
    return client


def test_before_any_run_the_page_says_so_and_shows_no_numbers(logged_in_client):
    page = logged_in_client.get(reverse("scoring:portfolio")).content.decode()
    assert "No scoring run yet" in page
    assert "Gini" not in page


@pytest.mark.usefixtures("scored")
def test_portfolio_shows_concentration_tiers_and_proposals(director_client):
    page = director_client.get(reverse("scoring:portfolio")).content.decode()
    assert "Revenue concentration" in page
    assert "<svg" in page
    assert "Account K1" in page
    assert "tier A by" in page
    assert 'name="outcome" value="accepted"' in page


@pytest.mark.usefixtures("scored")
def test_portfolio_query_count_is_fixed(director_client, django_assert_max_num_queries):
    # figures, tiers' key accounts, the proposals queue (count, page, policy, key accounts,
    # promotions this quarter), retention (1), workload (4: books, key accounts, managers
    # with their contacts, overdue actions), NPS (2), at risk (1): none grow with rows
    with django_assert_max_num_queries(20):
        response = director_client.get(reverse("scoring:portfolio"))
    # The count is of the whole page, not of an early exit.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revenue concentration" in page
    assert "Account K1" in page


@pytest.mark.usefixtures("scored")
def test_a_manager_cannot_decide(client):
    account = Account.objects.get(external_id="K1")
    client.force_login(UserFactory())  # no role, not staff: a key account manager
    response = client.post(
        reverse("scoring:decide", args=[account.pk]),
        {"action": "promote", "outcome": "accepted", "reason": "x"},
    )
    assert response.status_code == 403
    assert not KeyListDecision.objects.exists()


@pytest.mark.usefixtures("scored")
def test_director_promotes_with_a_reason(director_client):
    account = Account.objects.get(external_id="K1")
    TeamMembershipFactory(account=account)
    response = director_client.post(
        reverse("scoring:decide", args=[account.pk]),
        {"action": "promote", "outcome": "accepted", "reason": "Our largest customer"},
        follow=True,
    )
    assert "Account K1 is now a key account" in response.content.decode()
    account.refresh_from_db()
    assert account.is_key_account


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def _decide(director_client, account, outcome: str) -> None:
    director_client.post(
        reverse("scoring:decide", args=[account.pk]),
        {"action": "promote", "outcome": outcome, "reason": "Reviewed with sales"},
    )


@pytest.mark.usefixtures("scored")
def test_a_promotion_shows_everywhere_at_once_without_a_new_run(director_client):
    account = Account.objects.get(external_id="K1")
    before = director_client.get(reverse("scoring:portfolio")).content.decode()
    assert "Account K1" in _section(before, "queue-h")
    assert "Proposed: promote" in director_client.get(account.get_absolute_url()).content.decode()
    TeamMembershipFactory(account=account)  # a key account needs its manager
    _decide(director_client, account, "accepted")

    page = director_client.get(reverse("scoring:portfolio"))
    html = page.content.decode()
    assert "Account K1" not in _section(html, "queue-h")
    assert "Account K1" in _section(html, "key-h")
    assert "Key accounts (1)" in html
    tiers = page.context["tiers"]
    assert sum(row["key_accounts"] for row in tiers) == 1
    assert next(r for r in tiers if r["tier"] == "A")["key_accounts"] == 1
    account_page = director_client.get(account.get_absolute_url()).content.decode()
    assert "Proposed: promote" not in account_page

    api = client_for(make_user(Role.DIRECTOR))
    body = api.get("/portfolio").json()
    assert body["figures"]["key_accounts"] == 1
    assert sum(row["key_accounts"] for row in body["snapshot"]["tiers"]) == 1
    (score,) = [s for s in api.get("/scores").json()["items"] if s["account_id"] == account.pk]
    assert score["keylist_open"] is False


@pytest.mark.usefixtures("scored")
def test_a_rejected_proposal_leaves_the_proposals_at_once(director_client):
    account = Account.objects.get(external_id="K1")
    _decide(director_client, account, "rejected")
    html = director_client.get(reverse("scoring:portfolio")).content.decode()
    assert "Account K1" not in _section(html, "queue-h")
    assert "Account K1" not in _section(html, "key-h")
    account.refresh_from_db()
    assert not account.is_key_account


@pytest.mark.usefixtures("scored")
def test_decision_without_reason_is_refused_with_a_message(director_client):
    account = Account.objects.get(external_id="K1")
    response = director_client.post(
        reverse("scoring:decide", args=[account.pk]),
        {"action": "promote", "outcome": "accepted", "reason": " "},
        follow=True,
    )
    assert "say why" in response.content.decode()
    assert not KeyListDecision.objects.exists()


@pytest.mark.usefixtures("scored")
def test_account_page_shows_revenue_chart_and_tier_once_scored(logged_in_client):
    account = Account.objects.get(external_id="K2")
    page = logged_in_client.get(account.get_absolute_url()).content.decode()
    assert "Trailing 12 months" in page
    assert "Monthly revenue of Account K2" in page
    assert "Not scored yet" not in page


def test_retention_counts_customers_lost_and_net_revenue_retention(director_client, portfolio):
    from tenure.scoring.selectors import portfolio_retention
    from tests.scoring.test_scoring_run import AS_OF as DAY

    revenue = {**portfolio, "K5": 0.0}
    features = features_for(revenue, prev={**portfolio, "K1": 400_000.0})
    score_frames(as_of=DAY, features=features, monthly=monthly_for(revenue))
    retention = portfolio_retention(as_of=DAY)
    assert (retention.customers_before, retention.customers_kept, retention.customers_lost) == (
        5,
        4,
        1,
    )
    assert retention.churn_rate == pytest.approx(0.2)
    before = 400_000 + 100_000 + 60_000 + 30_000 + 10_000
    assert retention.net_revenue_retention == pytest.approx(990_000 / before)
    page = director_client.get(reverse("scoring:portfolio")).content.decode()
    assert "Net revenue retention" in page
    assert "Workload per manager" in page
    # The figures the selector computed, not just the headings the page always has.
    assert "<dt>Lost (churn)</dt><dd>1 (20 %)</dd>" in page
    assert "<dt>Net revenue retention</dt><dd>165 %</dd>" in page


@pytest.mark.usefixtures("director_client", "scored")
def test_workload_counts_key_accounts_overdue_actions_and_contacts():
    import datetime as dt

    from tenure.engagement.services import interaction_log
    from tenure.planning.models import AccountPlan, Action
    from tenure.scoring.selectors import manager_workload

    account = Account.objects.get(external_id="K1")
    membership = TeamMembershipFactory(account=account)
    Account.objects.filter(pk=account.pk).update(is_key_account=True)
    manager = membership.user
    plan = AccountPlan.objects.create(
        account=account, title="P", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31)
    )
    Action.objects.create(plan=plan, title="late", owner=manager, due_on=dt.date(2026, 2, 1))
    for day in (1, 8):
        interaction_log(
            account=account,
            occurred_at=dt.datetime(2026, 6, day, 10, tzinfo=dt.UTC),
            kind="call",
            summary="x",
            logged_by=manager,
        )
    rows = manager_workload(today=dt.date(2026, 6, 20))
    row = next(r for r in rows if r["manager"] == manager)
    assert (row["accounts"], row["key_accounts"], row["overdue_actions"]) == (1, 1, 1)
    assert row["contacts_per_week"] == 0.5


@pytest.mark.usefixtures("scored")
def test_tiers_count_key_accounts_with_a_snapshot_that_day_as_the_join_did():
    from django.db.models import Count

    from tenure.scoring.models import AccountSnapshot
    from tenure.scoring.selectors import portfolio_latest, portfolio_tiers
    from tests.accounts.factories import AccountFactory

    Account.objects.filter(external_id__in=["K1", "K3", "K5"]).update(is_key_account=True)
    AccountFactory(name="Key, never scored", is_key_account=True)
    latest = portfolio_latest()
    reference = dict(
        AccountSnapshot.objects.filter(as_of=latest.as_of, account__is_key_account=True)
        .values_list("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    rows = portfolio_tiers(portfolio=latest)
    assert {r["tier"]: r["key_accounts"] for r in rows if r["key_accounts"]} == reference
    assert sum(r["key_accounts"] for r in rows) == 3


@pytest.mark.usefixtures("scored")
def test_workload_counts_each_managers_book_and_key_accounts_in_one_pass():
    import datetime as dt

    from tenure.scoring.selectors import manager_workload

    first, second = UserFactory(username="first"), UserFactory(username="second")
    for key, user in (("K1", first), ("K2", first), ("K3", first), ("K4", second)):
        TeamMembershipFactory(account=Account.objects.get(external_id=key), user=user)
    TeamMembershipFactory(account=Account.objects.get(external_id="K5"), user=second, role="sales")
    Account.objects.filter(external_id__in=["K1", "K3", "K5"]).update(is_key_account=True)
    rows = {r["manager"].username: r for r in manager_workload(today=dt.date(2026, 6, 20))}
    assert [(r["accounts"], r["key_accounts"]) for r in rows.values()] == [(3, 2), (1, 0)]
    assert list(rows) == ["first", "second"]
