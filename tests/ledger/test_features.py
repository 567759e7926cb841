"""Revenue features on a ledger small enough to check every number by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from tenure.ledger import store
from tenure.ledger.features import account_features, category_spend, monthly_revenue, to_polars
from tests.ledger.ledgers import ledger_frame, load

# Its module-scoped fixtures are built once: on one worker (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("ledger-features")

AS_OF = dt.date(2024, 12, 31)  # t12m = (2024-01-01, 2024-12-31], prev12m = (2023-01-01, 2024-01-01]
D = dt.date

# (account, source, order, line, date, category, amount)
ROWS = [
    # A: one order in prev12m, three in t12m, a credit note, and an order after as_of.
    ("A", "erp", "O1", 1, D(2023, 6, 1), "X", "100.00"),
    ("A", "erp", "O1", 2, D(2023, 6, 1), "Y", "50.00"),
    ("A", "erp", "O2", 1, D(2024, 3, 1), "X", "200.00"),
    ("A", "erp", "O3", 1, D(2024, 3, 11), "X", "100.00"),
    ("A", "erp", "O3", 2, D(2024, 3, 11), "Z", "100.00"),
    ("A", "erp", "C1", 1, D(2024, 3, 20), "X", "-50.00"),
    ("A", "erp", "O4", 1, D(2024, 4, 10), "X", "100.00"),
    ("A", "erp", "O5", 1, D(2025, 1, 5), "X", "999.00"),
    # B: a single order on as_of itself (inside t12m).
    ("B", "erp", "B1", 1, D(2024, 12, 31), "X", "80.00"),
    # C: a single order on the first day that is NOT in t12m (365 days before as_of).
    ("C", "erp", "C9", 1, D(2024, 1, 1), "Y", "40.00"),
    # E: only a credit note.
    ("E", "erp", "E1", 1, D(2024, 5, 5), "Y", "-30.00"),
    # F: order "100" from two systems on one day: two orders, one order date.
    ("F", "erp", "100", 1, D(2024, 6, 1), "X", "10.00"),
    ("F", "shop", "100", 1, D(2024, 6, 1), "Y", "20.00"),
    # G: buys only after as_of.
    ("G", "erp", "G1", 1, D(2025, 2, 1), "X", "10.00"),
]


@pytest.fixture(scope="module")
def lines():
    con = store.connect("duckdb://:memory:")
    load(con, ledger_frame(ROWS))
    yield store.order_lines(con)
    con.disconnect()


@pytest.fixture(scope="module")
def features(lines) -> dict[str, dict]:
    frame = to_polars(account_features(lines, as_of=AS_OF))
    return {row["account_key"]: row for row in frame.iter_rows(named=True)}


def test_only_accounts_with_lines_up_to_as_of_are_featured(features):
    assert sorted(features) == ["A", "B", "C", "E", "F"]


def test_revenue_windows_and_growth_by_hand(features):
    a = features["A"]
    assert a["revenue_total"] == Decimal("600.00")  # 150 + 200 + 200 − 50 + 100, not O5
    assert a["revenue_t12m"] == Decimal("450.00")
    assert a["revenue_prev12m"] == Decimal("150.00")
    assert a["growth"] == pytest.approx(450 / 150 - 1)  # 2.0


def test_orders_exclude_credit_notes_and_count_per_source(features):
    assert features["A"]["orders"] == 4
    assert features["E"]["orders"] == 0
    assert features["F"]["orders"] == 2


def test_order_rhythm_by_hand(features):
    a = features["A"]
    assert (a["first_order_date"], a["last_order_date"]) == (D(2023, 6, 1), D(2024, 4, 10))
    gaps = [(D(2024, 3, 1) - D(2023, 6, 1)).days, 10, 30]  # 274, 10, 30 days
    assert a["median_interval_days"] == 30.0 == sorted(gaps)[1]
    assert a["days_since_last_order"] == (AS_OF - D(2024, 4, 10)).days == 265


def test_median_interval_needs_two_order_dates(features):
    assert features["B"]["median_interval_days"] is None
    assert features["F"]["median_interval_days"] is None  # two orders, one date


def test_average_order_value_breadth_and_returns_by_hand(features):
    a = features["A"]
    assert a["avg_order_value"] == pytest.approx(450 / 3)  # O2, O3, O4
    assert a["product_breadth"] == 2  # X and Z bought in t12m; Y only in prev12m
    assert a["returns_share"] == pytest.approx(50 / 500)


def test_window_boundaries_are_half_open(features):
    b, c = features["B"], features["C"]
    assert b["revenue_t12m"] == Decimal("80.00")
    assert b["days_since_last_order"] == 0
    assert c["revenue_t12m"] == Decimal("0.00")
    assert c["revenue_prev12m"] == Decimal("40.00")
    assert c["growth"] == pytest.approx(-1.0)
    assert c["avg_order_value"] is None
    assert c["product_breadth"] == 0


def test_ratios_without_a_base_are_null(features):
    b, e = features["B"], features["E"]
    assert b["growth"] is None  # nothing in prev12m
    assert b["returns_share"] == 0.0
    assert e["returns_share"] is None  # nothing sold in t12m
    assert e["revenue_t12m"] == Decimal("-30.00")
    assert e["first_order_date"] is None
    assert e["days_since_last_order"] is None


def test_features_as_of_an_earlier_date_ignore_later_lines(lines):
    early = to_polars(account_features(lines, as_of=D(2023, 12, 31)))
    assert early["account_key"].to_list() == ["A"]
    assert early["revenue_total"].item() == Decimal("150.00")
    assert early["orders"].item() == 1


def test_monthly_revenue_by_hand(lines):
    months = to_polars(monthly_revenue(lines, as_of=AS_OF, months=12))
    a = months.filter(pl.col("account_key") == "A")
    assert a.rows() == [
        ("A", D(2024, 3, 1), Decimal("350.00")),  # 200 + (100 + 100) − 50
        ("A", D(2024, 4, 1), Decimal("100.00")),
    ]
    # C's order on 2024-01-01 is inside the 12 calendar months Jan–Dec 2024.
    assert months.filter(pl.col("account_key") == "C")["month"].to_list() == [D(2024, 1, 1)]
    assert to_polars(monthly_revenue(lines, as_of=AS_OF, months=1))["account_key"].to_list() == [
        "B"
    ]


def test_category_spend_by_hand(lines):
    spend = to_polars(category_spend(lines, as_of=AS_OF))
    assert spend.filter(pl.col("account_key") == "A").rows() == [
        ("A", "X", Decimal("350.00")),
        ("A", "Z", Decimal("100.00")),
    ]
    assert spend.filter(pl.col("account_key") == "C").is_empty()


def test_missing_columns_are_named():
    import ibis

    with pytest.raises(ValueError, match="order_date"):
        account_features(ibis.table({"account_key": "string"}, name="t"), as_of=AS_OF)


def test_the_duckdb_day_lists_give_the_same_features_as_the_portable_window():
    # DuckDB reads the median gap off each account's sorted list of purchase days; the other
    # backends use a window over the order days. A seeded ledger with repeated days, credit
    # notes, same-day orders, single-order accounts and both even and odd numbers of gaps.
    import random

    from tenure.ledger.features import _account_features

    rng = random.Random(18)
    rows = []
    for account in range(60):
        for order in range(rng.choice([0, 1, 1, 2, 3, 4, 7, 12])):
            day = D(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 1200))
            credit = rng.random() < 0.15
            for line in range(1, rng.randint(1, 3) + 1):
                cents = rng.randint(100, 90_000) * (-1 if credit else 1)
                category = rng.choice("KLMN")
                rows.append(
                    (
                        f"R{account}",
                        "erp",
                        f"O{account}-{order}",
                        line,
                        day,
                        category,
                        f"{cents / 100:.2f}",
                    )
                )
        if account % 5 == 0 and rows:  # a second order on a day already bought on
            rows.append((f"R{account}", "shop", "dup", 1, rows[-1][4], "K", "12.00"))
    con = store.connect("duckdb://:memory:")
    load(con, ledger_frame(rows))
    lines = store.order_lines(con)
    listed = to_polars(_account_features(lines, as_of=AS_OF, lists=True)).sort("account_key")
    windowed = to_polars(_account_features(lines, as_of=AS_OF, lists=False)).sort("account_key")
    con.disconnect()
    assert listed.schema == windowed.schema
    assert listed["median_interval_days"].drop_nulls().len() > 20  # the gaps were exercised
    assert listed.equals(windowed)
