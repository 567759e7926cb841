"""Run the nightly commands as separate `tenure` processes against one ledger URL, and
read back what they stored, so that two ledgers can be compared figure by figure."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import polars as pl

from tests.core.conftest import tenure_env

AS_OF = dt.date(2025, 6, 30)
#: 19 months of orders: enough for one backtest fold (a horizon to learn from and one to
#: test on) and a year before the opportunities' hidden year, few enough training cut-offs
#: that Spark's per-query overhead stays within a test's time.
HISTORY_DAYS = 580

#: Tiny data on a small JVM: planning and code generation cost more than they save. Each
#: command starts a JVM that loads Spark's classes: not verifying the bytecode of Spark's own
#: jars and evaluating expressions without generating code took the import and the scoring
#: run from 49.4 to 42.4 CPU-seconds (measured on 2026-12-08, 2 cores).
SPARK_TEST_SETTINGS = {
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.driver.extraJavaOptions": (
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
        "-XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote"
    ),
}

#: (table, columns): the stored figures `tenure score` writes, keyed by account.
STORED = {
    "scoring_accountsnapshot": (
        "first_order_date, last_order_date, orders, revenue_total, revenue_t12m, "
        "revenue_prev12m, growth, product_breadth, avg_order_value, median_interval_days, "
        "returns_share, days_since_last_order, tier, revenue_rank, revenue_share, "
        "cumulative_share, qualification_score, keylist_action"
    ),
    "scoring_accounthealth": (
        "health_score, health_contributions, risk, risk_drivers, revenue_90d, "
        "revenue_90d_prior_year, clv, probability_alive, expected_orders, expected_order_value"
    ),
    "scoring_revenueseries": 'first_month, "values"',
    "growth_walletestimate": "revenue_t12m, potential, share_of_wallet, categories",
}


def order_file(folder: Path, *, accounts: int = 60) -> Path:
    """The demo's order lines for a small portfolio, cut to `HISTORY_DAYS`."""
    from tenure.demo.orders import build_order_lines
    from tenure.demo.world import DemoConfig, build_world

    world = build_world(DemoConfig(accounts=accounts, seed=7, as_of=AS_OF, months=24))
    lines = build_order_lines(world)
    lines = lines.filter(pl.col("order_date") > AS_OF - dt.timedelta(days=HISTORY_DAYS))
    path = folder / "order_lines.parquet"
    lines.write_parquet(path)
    return path


def spark_url(warehouse: Path, master: str, **extra: str) -> str:
    settings = {"spark.master": master, **SPARK_TEST_SETTINGS, **extra}
    return f"pyspark://{warehouse}?{urlencode(settings)}"


def tenure(home: Path, ledger_url: str, *args: str, timeout: float = 900) -> str:
    """Run ``tenure ARGS`` in a process of its own; its output, or a failure showing it."""
    env = tenure_env(home, TENURE_LEDGER_URL=ledger_url, PYSPARK_PYTHON=sys.executable)
    result = subprocess.run(
        [sys.executable, "-m", "tenure", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"tenure {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    )
    return result.stdout


def new_home(migrated: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copyfile(migrated, folder / "tenure.sqlite3")
    return folder


def nightly_sequence(home: Path, ledger_url: str, orders: Path) -> dict[str, object]:
    """`tenure import orders`, `score`, `backtest`, `opportunities --backtest`: each a new
    process. Returns what each printed or stored that must not depend on the ledger."""
    tenure(home, ledger_url, "import", "orders", str(orders), "--source", "demo-erp")
    tenure(home, ledger_url, "score", "--as-of", AS_OF.isoformat())
    reports = home / "reports"
    tenure(
        home,
        ledger_url,
        "backtest",
        "--as-of",
        AS_OF.isoformat(),
        "--folds",
        "1",
        "--cutoffs",
        "2",
        "--out",
        str(reports),
    )
    opportunities = tenure(
        home, ledger_url, "opportunities", "--backtest", "--as-of", AS_OF.isoformat()
    )
    return {
        "stored": stored_figures(home / "tenure.sqlite3"),
        "backtest": pl.read_csv(reports / "backtest.csv"),
        "opportunities": opportunities,
    }


def _comparable(value: object) -> object:
    """Floats to 9 places, JSON text as the objects it holds (key order aside)."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, str) and value[:1] in {"{", "["}:
        try:
            return _comparable(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def differences(got: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> list[str]:
    """Where two sets of stored figures differ: table, account, column, both values."""
    found = []
    for table, rows in expected.items():
        names = ["account", *(c.strip() for c in STORED.get(table, "").split(",") if c)]
        if len(got[table]) != len(rows):
            found.append(f"{table}: {len(got[table])} rows, expected {len(rows)}")
        for mine, theirs in zip(got[table], rows, strict=False):
            found += [
                f"{table} {theirs[0]} {name}: {a!r} != {b!r}"
                for name, a, b in zip(names, mine, theirs, strict=False)
                if a != b
            ]
    return found


def stored_figures(database: Path) -> dict[str, list[tuple]]:
    """Each table's figures per account (by external id), sorted; floats to 9 places."""
    with sqlite3.connect(database) as connection:
        figures = {}
        for table, columns in STORED.items():
            selected = ", ".join(f"t.{column.strip()}" for column in columns.split(","))
            rows = connection.execute(
                f"SELECT a.external_id, {selected} FROM {table} t "
                "JOIN accounts_account a ON a.id = t.account_id ORDER BY a.external_id"
            ).fetchall()
            figures[table] = [tuple(_comparable(value) for value in row) for row in rows]
        run = connection.execute(
            "SELECT as_of, ledger_through, currency, status FROM scoring_scoringrun"
        ).fetchall()
        figures["scoring_scoringrun"] = run
    return figures
