"""The same import and the same feature expressions on DuckDB, PostgreSQL and Spark.

One seeded fixture is imported through `import_orders` on each backend; the feature frames
must then be identical once sorted and with money rounded to cents.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tenure.ledger import store
from tenure.ledger.features import account_features, category_spend, monthly_revenue, to_polars
from tenure.ledger.importing import import_orders
from tests.ledger.conftest import synthetic_lines

pytestmark = [
    pytest.mark.xdist_group("spark-backends"),
    pytest.mark.django_db,
    # PySpark warns that it does not yet support pandas 3; Ibis's Spark path still works.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

AS_OF = dt.date(2024, 6, 30)
KEYS = {
    "features": ["account_key"],
    "monthly": ["account_key", "month"],
    "categories": ["account_key", "product_category"],
}


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("fixture")
    path = folder / "synthetic.parquet"
    lines = synthetic_lines()
    lines.write_parquet(path)
    return path, lines.height


@pytest.fixture
def duckdb_frames(fixture_file, duckdb_ledger):
    """The reference: DuckDB, the default ledger."""
    return import_and_compute(duckdb_ledger, fixture_file)


def import_and_compute(con, fixture_file) -> dict[str, pl.DataFrame]:
    path, rows = fixture_file
    report = import_orders(path, source="fixture", con=con)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (rows, rows, 0)
    again = import_orders(path, source="fixture", con=con)
    assert (again.rows_imported, again.rows_already_imported) == (0, rows)
    lines = store.order_lines(con)
    return {
        "features": to_polars(account_features(lines, as_of=AS_OF)),
        "monthly": to_polars(monthly_revenue(lines, as_of=AS_OF, months=36)),
        "categories": to_polars(category_spend(lines, as_of=AS_OF)),
    }


def normalised(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sorted, money rounded to cents as floats, integers as Int64 (backends differ in width)."""
    return frame.sort(keys).with_columns(
        pl.col(pl.Decimal).cast(pl.Float64).round(2),
        pl.col(pl.Float64).round(9),
        pl.col(pl.Int32, pl.Int16, pl.Int8).cast(pl.Int64),
    )


def assert_same_frames(frames: dict[str, pl.DataFrame], reference: dict[str, pl.DataFrame]):
    for name, keys in KEYS.items():
        expected = normalised(reference[name], keys)
        got = normalised(frames[name], keys)
        assert got.columns == expected.columns, name
        assert got.schema == expected.schema, name
        assert got.equals(expected), f"{name} differ:\n{got}\n{expected}"


def test_duckdb_reference_covers_every_case(duckdb_frames):
    features = duckdb_frames["features"]
    assert features.height == 26  # 25 accounts + Z-RETURNS; Z-LATE buys after as_of
    for column in ("growth", "median_interval_days", "returns_share", "avg_order_value"):
        assert features[column].null_count() < features.height, column
    assert features.filter(pl.col("account_key") == "Z-RETURNS")["orders"].item() == 0
    assert (features["returns_share"] > 0).any()


def test_postgres_gives_identical_features(postgres_ledger, fixture_file, duckdb_frames):
    assert_same_frames(import_and_compute(postgres_ledger, fixture_file), duckdb_frames)


@pytest.mark.slow
@pytest.mark.spark
def test_spark_gives_identical_features(spark_ledger, fixture_file, duckdb_frames):
    assert_same_frames(import_and_compute(spark_ledger, fixture_file), duckdb_frames)
