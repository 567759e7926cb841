"""The team's potential spend: entered on the account page, bounded, flagged and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.access.services import role_assign
from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account
from tenure.accounts.services import account_potential_set, team_assign
from tenure.audit.models import AuditEvent
from tenure.core.errors import DomainError
from tenure.growth.models import WalletEstimate
from tests.accounts.factories import AccountFactory, UserFactory
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def estimate(account: Account, revenue: str, **fields) -> WalletEstimate:
    return WalletEstimate.objects.create(
        account=account, as_of=dt.date(2026, 11, 30), revenue_t12m=Decimal(revenue), **fields
    )


def post(client, account: Account, **data) -> str:
    fields = {
        "potential_annual_spend": "",
        "potential_spend_source": "",
        "potential_spend_as_of": "",
    }
    response = client.post(
        f"/growth/accounts/{account.pk}/potential/", {**fields, **data}, follow=True
    )
    return response.content.decode()


def test_a_manager_on_the_team_sets_potential_on_the_account_page_and_it_is_audited(client):
    account = AccountFactory()
    manager = UserFactory()
    role_assign(user=manager, role="kam")
    team_assign(account=account, user=manager, role=TeamRole.KEY_ACCOUNT_MANAGER)
    client.force_login(manager)
    assert (
        "Enter the team's potential spend"
        in client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    )
    page = post(
        client,
        account,
        potential_annual_spend="250000",
        potential_spend_source="buyer, at the QBR",
        potential_spend_as_of="2026-11-15",
    )
    assert "Potential spend set to 250,000 a year." in page
    account.refresh_from_db()
    assert account.potential_annual_spend == Decimal("250000")
    assert account.potential_spend_source == "buyer, at the QBR"
    assert account.potential_spend_as_of == dt.date(2026, 11, 15)
    event = AuditEvent.objects.filter(model="accounts.account", account_id=account.pk).latest("id")
    assert event.after["potential_annual_spend"] == "250000"
    assert event.actor_id == manager.pk


def test_someone_who_may_only_read_the_account_cannot_set_its_potential(client):
    account = AccountFactory()
    analyst = UserFactory()
    role_assign(user=analyst, role="analyst")
    client.force_login(analyst)
    assert (
        "potential spend</summary>"
        not in client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    )
    response = client.post(
        f"/growth/accounts/{account.pk}/potential/", {"potential_annual_spend": "5"}
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.potential_annual_spend is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-10", "potential spend must be positive"),
        ("0", "potential spend must be positive"),
        ("500000000000", "not plausible"),
    ],
)
def test_absurd_potential_is_refused_and_nothing_changes(logged_in_client, amount, message):
    account = AccountFactory(potential_annual_spend=Decimal("1000"))
    page = post(logged_in_client, account, potential_annual_spend=amount)
    assert "Potential spend not saved: " in page
    assert message in page
    account.refresh_from_db()
    assert account.potential_annual_spend == Decimal("1000")


def test_service_refuses_a_figure_dated_after_today_and_defaults_its_date_to_today():
    account = AccountFactory()
    with pytest.raises(DomainError, match="cannot be after today"):
        account_potential_set(
            account=account, potential=Decimal(9), as_of=dt.date(2026, 12, 8), today=TODAY
        )
    account_potential_set(account=account, potential=Decimal(9), as_of=None, today=TODAY)
    assert Account.objects.get(pk=account.pk).potential_spend_as_of == TODAY


def test_an_empty_amount_clears_the_figure_with_its_source_and_date(logged_in_client):
    account = AccountFactory(
        potential_annual_spend=Decimal("1000"),
        potential_spend_source="guess",
        potential_spend_as_of=dt.date(2026, 1, 1),
    )
    assert "cleared" in post(logged_in_client, account)
    account.refresh_from_db()
    assert (account.potential_annual_spend, account.potential_spend_source) == (None, "")
    assert account.potential_spend_as_of is None


def test_team_figure_below_revenue_is_flagged_and_its_share_is_100_percent(logged_in_client, user):
    account = AccountFactory(potential_annual_spend=Decimal("50000"))
    estimate(account, "80000", reason="only 2 buying Retail accounts with an employee count")
    page = logged_in_client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    profile = logged_in_client.get(account.get_absolute_url()).content.decode()
    # Flagged in the profile and in the growth section, never a share above 100 %.
    assert profile.count("below what it already buys (80,000)") == 1
    assert page.count("below what it already buys (80,000)") == 1
    assert "share of wallet counts as 100 %" in page
    assert "160 %" not in page
    body = client_for(user).get(f"/accounts/{account.pk}/wallet").json()
    assert body["potential_entered_below_revenue"] is True
    assert body["potential_entered_share"] == 1.0


def test_team_figure_above_revenue_shows_its_share(logged_in_client):
    account = AccountFactory(potential_annual_spend=Decimal("200000"))
    estimate(account, "50000")
    page = logged_in_client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    assert "share of wallet 25 %" in page
    assert "below what it already buys" not in page


def test_without_comparable_accounts_the_page_says_so_instead_of_a_number(logged_in_client):
    account = AccountFactory()
    estimate(account, "1000", reason="only 2 buying Retail accounts with an employee count")
    page = logged_in_client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    assert "Not enough comparable accounts for an estimate of potential spend" in page
    assert "of its wallet" not in page


def test_an_account_above_its_peers_range_is_said_to_buy_at_or_above_it(logged_in_client):
    account = AccountFactory()
    money = {k: Decimal("90000") for k in ("potential_low", "potential", "potential_high")}
    estimate(
        account,
        "90000",
        **money,
        share_of_wallet=1.0,
        share_low=1.0,
        share_high=1.0,
        n_peers=30,
        peer_label="Retail accounts",
        above_peers=True,
    )
    page = logged_in_client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    assert "at or above the upper range of 30 Retail accounts" in page
    assert "share of wallet 100 %" in page


def test_an_account_buying_more_than_the_estimate_says_so_with_the_room_its_peers_show(
    logged_in_client,
):
    account = AccountFactory()
    estimate(
        account,
        "90000",
        potential_low=Decimal("90000"),
        potential=Decimal("90000"),
        potential_high=Decimal("120000"),
        share_of_wallet=1.0,
        share_low=0.75,
        share_high=1.0,
        n_peers=30,
        peer_label="Retail accounts",
    )
    page = logged_in_client.get(account.get_absolute_url() + "?tab=growth").content.decode()
    assert "more than 30 Retail accounts suggest for its size" in page
    assert "up to 120,000 (share of wallet between 75 % and 100 %)" in page
