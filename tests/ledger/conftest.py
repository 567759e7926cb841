"""Ledgers on each backend, and the order-line fixtures the ledger tests share."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import ibis
import numpy as np
import polars as pl
import pytest

from tenure.ledger import store
from tests.ledger.spark_processes import SPARK_TEST_SETTINGS

DATA = Path(__file__).parent / "data"
UCI_SAMPLE = DATA / "online_retail_sample.csv"
UCI_MAPPING = {
    "InvoiceNo": "order_id",
    "StockCode": "product_id",
    "Quantity": "quantity",
    "InvoiceDate": "order_date",
    "UnitPrice": "unit_price",
    "CustomerID": "account_key",
    "Country": "country",
}
UCI_DATE_FORMAT = "%m/%d/%Y %H:%M"


@pytest.fixture
def uci_file(tmp_path: Path) -> Path:
    """A private copy, so the rejects file lands in the test's own folder."""
    target = tmp_path / UCI_SAMPLE.name
    shutil.copy(UCI_SAMPLE, target)
    return target


@pytest.fixture
def duckdb_ledger(tmp_path: Path):
    con = store.connect(f"duckdb://{tmp_path / 'ledger' / 'ledger.duckdb'}")
    yield con
    con.disconnect()


def postgres_url() -> str | None:
    """The PostgreSQL server of the PostgreSQL test run, if this is one."""
    for variable in ("TENURE_TEST_POSTGRES_URL", "TENURE_DATABASE_URL"):
        url = os.environ.get(variable, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return None


@pytest.fixture
def postgres_ledger():
    """A ledger in a schema of its own on the test run's PostgreSQL server, dropped after."""
    url = postgres_url()
    if url is None:
        pytest.skip(
            "no PostgreSQL server: TENURE_DATABASE_URL or TENURE_TEST_POSTGRES_URL is not a "
            "postgres:// URL (the `make test-postgres` run covers this test)"
        )
    schema = f"ledger_test_{uuid.uuid4().hex[:10]}"
    admin = ibis.connect(url)
    admin.raw_sql(f"CREATE SCHEMA {schema}").close()
    parts = urlsplit(url)
    con = store.connect(urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/{schema}")))
    yield con
    con.disconnect()
    admin.raw_sql(f"DROP SCHEMA {schema} CASCADE").close()
    admin.disconnect()


def java_missing() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is None and not (
        java_home and (Path(java_home) / "bin" / "java").exists()
    )


@pytest.fixture(scope="module")
def spark_ledger(tmp_path_factory: pytest.TempPathFactory):
    """One local Spark session per test module: starting the JVM is the slow part."""
    if java_missing():
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")
    pytest.importorskip("pyspark")
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    settings = {
        **SPARK_TEST_SETTINGS,
        "spark.master": "local[1]",
        "spark.sql.shuffle.partitions": "1",
        "spark.default.parallelism": "1",
    }
    con = store.connect(f"pyspark://{warehouse}?{urlencode(settings)}")
    yield con
    con._session.stop()


def synthetic_lines(*, accounts: int = 25, orders: int = 700, seed: int = 5) -> pl.DataFrame:
    """A seeded ledger over three years: repeat buyers, several categories, credit notes.

    Dates cross every feature window boundary for ``as_of=2024-06-30``, and two
    accounts only buy after it (point in time) or only return goods.
    """
    rng = np.random.default_rng(seed)
    order_account = rng.integers(0, accounts, orders)
    order_day = rng.integers(0, 3 * 365 + 60, orders)
    lines_per_order = rng.integers(1, 4, orders)
    line_order = np.repeat(np.arange(orders), lines_per_order)
    line_number = np.arange(line_order.size) - np.repeat(
        np.cumsum(lines_per_order) - lines_per_order, lines_per_order
    )
    quantity = rng.integers(1, 12, line_order.size)
    # Credit notes are orders of their own, as ERPs book them.
    credit = rng.random(orders) < 0.08
    quantity = np.where(credit[line_order], -quantity, quantity)
    cents = rng.integers(50, 40_000, line_order.size)
    category = rng.integers(0, 5, line_order.size)
    start = dt.date(2021, 7, 1)
    lines = pl.DataFrame(
        {
            "account_key": [f"A{a:03d}" for a in order_account[line_order]],
            "order_id": [f"{'CN' if credit[o] else 'SO'}-{o:05d}" for o in line_order],
            "line_number": line_number + 1,
            "order_date": [start + dt.timedelta(days=int(order_day[o])) for o in line_order],
            "product_id": [f"P{c}-{q % 7}" for c, q in zip(category, cents, strict=True)],
            "product_category": [f"category {c}" for c in category],
            "quantity": quantity,
            "unit_price": [f"{c // 100}.{c % 100:02d}" for c in cents],
            "currency": "EUR",
        }
    )
    edge_cases = pl.DataFrame(
        {
            "account_key": ["Z-LATE", "Z-RETURNS"],
            "order_id": ["SO-LATE", "CN-ONLY"],
            "line_number": [1, 1],
            "order_date": [dt.date(2024, 8, 1), dt.date(2024, 3, 3)],
            "product_id": ["P1-1", "P2-2"],
            "product_category": ["category 1", "category 2"],
            "quantity": [3, -2],
            "unit_price": ["10.00", "12.50"],
            "currency": ["EUR", "EUR"],
        }
    )
    return pl.concat([lines, edge_cases.cast(lines.schema)])
