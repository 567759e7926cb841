"""The Spark ledger across processes: each nightly command in a process of its own.

`tenure import orders` once wrote the Parquet table and registered it in its own session's
catalog only; `tenure score` in the next process failed with TABLE_OR_VIEW_NOT_FOUND. Here
import, score, backtest and the opportunities backtest each start a new process (and JVM)
against ``local[2]``, and everything they store or print must equal DuckDB's on the same
file.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.core.conftest import tenure_env
from tests.ledger.conftest import java_missing
from tests.ledger.spark_cluster import standalone_cluster
from tests.ledger.spark_processes import (
    differences,
    new_home,
    nightly_sequence,
    order_file,
    spark_url,
)

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark-processes")]

#: The driver runs in the test's process tree; its one executor runs on the worker.
CLUSTER_SETTINGS = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.executor.memory": "512m",
    "spark.cores.max": "2",
    "spark.executor.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    home = tmp_path_factory.mktemp("migrated")
    result = subprocess.run(
        [sys.executable, "-m", "tenure", "migrate", "-v0"],
        env=tenure_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return home / "tenure.sqlite3"


@pytest.fixture(scope="module")
def orders(tmp_path_factory):
    return order_file(tmp_path_factory.mktemp("orders"))


@pytest.fixture(scope="module")
def duckdb_reference(migrated, orders, tmp_path_factory):
    home = new_home(migrated, tmp_path_factory.mktemp("duckdb") / "home")
    return nightly_sequence(home, f"duckdb://{home / 'ledger.duckdb'}", orders)


def test_the_duckdb_reference_has_figures_to_compare(duckdb_reference):
    stored = duckdb_reference["stored"]
    assert len(stored["scoring_accountsnapshot"]) == 60
    assert any(row[3] for row in stored["scoring_accounthealth"])  # a churn risk was scored
    assert stored["scoring_scoringrun"][0][3] == "done"
    assert duckdb_reference["backtest"].height > 0
    assert "precision@k" in duckdb_reference["opportunities"]


def test_spark_local_keeps_the_ledger_between_processes(
    migrated, orders, duckdb_reference, tmp_path
):
    if java_missing():
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")
    home = new_home(migrated, tmp_path / "home")
    url = spark_url(tmp_path / "warehouse", "local[2]")
    spark = nightly_sequence(home, url, orders)
    assert not differences(spark["stored"], duckdb_reference["stored"])
    assert spark["backtest"].equals(duckdb_reference["backtest"])
    assert spark["opportunities"] == duckdb_reference["opportunities"]
    # The import's staged copy of the file is gone once its lines are in.
    assert not any((tmp_path / "warehouse" / "_tenure_staging").glob("*"))


@pytest.mark.skipif(
    not os.environ.get("TENURE_TEST_SPARK_CLUSTER"),
    reason="set TENURE_TEST_SPARK_CLUSTER=1 to start a standalone Spark cluster (minutes)",
)
def test_spark_standalone_cluster_gives_the_same_figures(
    migrated, orders, duckdb_reference, tmp_path
):
    if java_missing():
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")
    home = new_home(migrated, tmp_path / "home")
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    with standalone_cluster(cluster) as master:
        url = spark_url(tmp_path / "warehouse", master, **CLUSTER_SETTINGS)
        spark = nightly_sequence(home, url, orders)
    assert not differences(spark["stored"], duckdb_reference["stored"])
    assert spark["backtest"].equals(duckdb_reference["backtest"])
    assert spark["opportunities"] == duckdb_reference["opportunities"]
    # Each command was an application of its own whose executor ran on the worker.
    applications = sorted((cluster / "work").glob("app-*"))
    assert len(applications) == 4, applications
    assert all(any(app.glob("*/stderr")) for app in applications)
    assert not any((tmp_path / "warehouse" / "_tenure_staging").glob("*"))
