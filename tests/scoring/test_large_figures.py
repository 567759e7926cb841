"""The largest revenue an account can reach is stored, read and shown without a failure.

An order line of 9,999,999,999,999,999.99 was accepted, and after scoring the portfolio,
the account page, its brief, the whitespace grid and ``GET /api/v1/scores`` answered 500:
the snapshot's money fields (18 digits) could not hold what the scoring run had written.
Lines are now at most ±10^9 (`MAX_LINE_AMOUNT`) and derived money holds 26 digits before
the point (`DERIVED_MONEY`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from tenure.accounts.models import Account
from tenure.core.numbers import DERIVED_MONEY
from tenure.ledger.validation import MAX_LINE_AMOUNT
from tenure.scoring.models import AccountSnapshot
from tests.api.conftest import client_for
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

pytestmark = pytest.mark.django_db

#: More order lines than any one account will have (a ledger of ten billion lines).
LINES_PER_ACCOUNT = 10**10
DERIVED_TABLES = ("scoring.AccountSnapshot", "health.AccountHealth", "growth.WalletEstimate")


def test_derived_money_fields_hold_the_sum_of_any_realistic_ledger_at_the_largest_amount():
    largest_sum = MAX_LINE_AMOUNT * LINES_PER_ACCOUNT
    for label in DERIVED_TABLES:
        for field in apps.get_model(label)._meta.get_fields():
            if isinstance(field, models.DecimalField):
                assert (field.max_digits, field.decimal_places) == tuple(DERIVED_MONEY.values())
                assert Decimal(10) ** (field.max_digits - field.decimal_places) > largest_sum


def test_pages_and_api_show_an_account_whose_revenue_is_ten_million_maximal_lines(client, user):
    # 10^16: what one line of 9,999,999,999,999,999.99 made, and the sum of 10^7 lines at
    # the largest amount an import now takes.
    huge = float(MAX_LINE_AMOUNT) * 10**7
    revenue = {"BIG": huge, "SMALL": 10_000.0}
    for key in revenue:
        Account.objects.create(external_id=key, name=f"Account {key}")
    score_frames(as_of=AS_OF, features=features_for(revenue), monthly=monthly_for(revenue))
    big = Account.objects.get(external_id="BIG")
    snapshot = AccountSnapshot.objects.get(account=big)
    assert snapshot.revenue_t12m == Decimal(10**16)
    assert snapshot.revenue_total == Decimal(25 * 10**15)
    client.force_login(user)
    for url in (
        "/",
        "/portfolio/",
        f"/accounts/{big.pk}/",
        f"/accounts/{big.pk}/brief/",
        "/growth/whitespace/",
        "/accounts/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Account BIG" in client.get("/portfolio/").content.decode()
    scores = client_for(user).get("/scores")
    assert scores.status_code == 200
    by_key = {row["account_id"]: row for row in scores.json()["items"]}
    assert Decimal(str(by_key[big.pk]["revenue_t12m"])) == Decimal(10**16)
