"""SKUs without categories: the growth refresh and the whitespace page on a wide catalogue.

Importing order lines without a category column makes each product its own category
(docs/importing.md): thousands of them. The refresh must still suggest the one SKU most
peers buy, and the whitespace page must stay a readable grid.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from tenure.growth import services
from tenure.growth.models import Opportunity, WalletEstimate
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def skus():
    """40 retailers, 30 random SKUs of 3,000 each; 35 of them also buy SKU-BEST."""
    rng = np.random.default_rng(5)
    accounts = [
        AccountFactory(industry="Retail", employees=100, is_key_account=True) for _ in range(40)
    ]
    rows = [(a.pk, f"SKU-{k:04d}", 12.5) for a in accounts for k in rng.choice(3000, 30)]
    rows += [(a.pk, "SKU-BEST", 80.0) for a in accounts[5:]]
    spend = (
        pl.DataFrame(rows, schema=["account_id", "product_category", "revenue"], orient="row")
        .group_by("account_id", "product_category")
        .agg(pl.col("revenue").sum())
    )
    frame = pl.DataFrame(
        {
            "account_id": [a.pk for a in accounts],
            "industry": ["Retail"] * 40,
            "employees": [100] * 40,
        }
    ).join(spend.group_by("account_id").agg(pl.col("revenue").sum()), on="account_id")
    return accounts, frame, spend


def test_refresh_on_skus_suggests_the_sku_most_peers_buy(skus):
    accounts, frame, spend = skus
    assert spend["product_category"].n_unique() > 900
    shown = services.growth_refresh(as_of=AS_OF, accounts=frame, spend=spend, currency="EUR")
    # Only SKU-BEST is bought by enough peers; the five accounts without it get it first.
    assert shown == 5
    suggested = Opportunity.objects.order_by("account_id")
    assert [(o.account_id, o.category, o.rank) for o in suggested] == [
        (a.pk, "SKU-BEST", 1) for a in accounts[:5]
    ]
    assert (suggested[0].peers, suggested[0].peers_buying) == (39, 35)
    assert suggested[0].currency == "EUR"
    # Every account's purchases are stored with its estimate, SKU by SKU.
    estimate = WalletEstimate.objects.get(account_id=accounts[7].pk, as_of=AS_OF)
    assert len(estimate.categories) == spend.filter(pl.col("account_id") == accounts[7].pk).height

    # A second run refreshes the same rows in place (same primary keys, same figures).
    before = {o.pk: (o.category, o.rank, o.confidence) for o in Opportunity.objects.all()}
    services.growth_refresh(as_of=AS_OF, accounts=frame, spend=spend, currency="EUR")
    after = {o.pk: (o.category, o.rank, o.confidence) for o in Opportunity.objects.all()}
    assert after == before


def test_whitespace_page_shows_a_bounded_grid_of_the_busiest_skus(client, skus):
    _, frame, spend = skus
    services.growth_refresh(as_of=AS_OF, accounts=frame, spend=spend, currency="EUR")
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/growth/whitespace/").content.decode()
    header = page.split("<thead>")[1].split("</thead>")[0]
    assert header.count('<th scope="col">') == 1 + 40  # the account column and 40 SKUs
    assert "SKU-BEST" in header
    hidden = spend["product_category"].n_unique() - 40
    assert f"{hidden} more are left out" in page
