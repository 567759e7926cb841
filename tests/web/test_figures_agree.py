"""A churn risk reads the same on every page that shows it (issue 16: one formatter)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tenure.scoring.health_models import AccountHealth
from tenure.scoring.models import ScoringRun
from tests.accounts.factories import AccountFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def low_risk(user):
    """Two key accounts of the logged-in director with risks that round to 1 % and 0 %."""
    run = ScoringRun.objects.create(as_of=TODAY, status="done")
    accounts = []
    for name, risk in (("Linden Foods", 0.0067), ("Oak Tools", 0.0029)):
        account = AccountFactory(name=name, is_key_account=False)
        TeamMembershipFactory(account=account, user=user, role="kam")
        account.is_key_account = True
        account.save()
        AccountHealth.objects.create(
            run=run,
            account=account,
            as_of=TODAY,
            health_score=80.0,
            risk=risk,
            risk_horizon_days=180,
        )
        accounts.append(account)
    return accounts


def test_a_risk_under_one_percent_reads_under_1_percent_on_home_account_and_brief(
    logged_in_client, low_risk
):
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=False):
        home = logged_in_client.get("/").content.decode()
        pages = {
            "home": home,
            **{
                f"account {a.name}": logged_in_client.get(a.get_absolute_url()).content.decode()
                for a in low_risk
            },
            **{
                f"brief {a.name}": logged_in_client.get(f"/accounts/{a.pk}/brief/").content.decode()
                for a in low_risk
            },
        }
    assert home.count("under 1 %") == 2
    for name, page in pages.items():
        assert "under 1 %" in page, name
        assert "<strong>1 %</strong>" not in page, name
        assert "<strong>0 %</strong>" not in page, name


def test_value_at_stake_on_home_has_thousands_separators_like_the_portfolio(
    logged_in_client, low_risk
):
    AccountHealth.objects.filter(account=low_risk[0]).update(clv=1234567)
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=False):
        home = logged_in_client.get("/").content.decode()
    assert "8,272 at stake" in home  # 0.0067 × 1,234,567
