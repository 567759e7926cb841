"""Benchmark the revenue ledger: import and features over millions of order lines.

Generates a seeded ledger (NumPy/Polars, vectorised) as Parquet, then runs each stage in a
child process of its own so that each stage's peak memory (``ru_maxrss``, which counts the
native memory of Polars, DuckDB and Arrow that ``tracemalloc`` cannot see) is its own:

- ``import``: Parquet → DuckDB ledger through ``import_orders`` (validation, CRM accounts
  created for every account, the insert);
- ``import-csv`` (with ``--csv``): the same lines from CSV into a fresh ledger;
- ``reimport``: the Parquet file again (every line already imported: the idempotency check);
- ``features``: ``account_features`` over the whole ledger on DuckDB, plus the monthly and
  category series;
- ``pandas``: the same features with a plain pandas groupby implementation, checked against
  DuckDB's;
- ``postgres`` (with ``--postgres`` or ``--postgres-url``): the Parquet import and the
  features again with PostgreSQL as the ledger (the CRM store stays SQLite), in a schema
  of its own that is dropped afterwards.

Usage::

    python benchmarks/bench_ledger.py                                   # 1M lines, 20k accounts
    python benchmarks/bench_ledger.py --lines 10000000 --accounts 200000 --csv --postgres

Budgets (2 cores): features over 10M lines < 10 s, peak memory of each stage < 3 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

AS_OF = dt.date(2024, 12, 31)
THROWAWAY_POSTGRES = Path(__file__).resolve().parent.parent / "scripts" / "throwaway_postgres.py"
FEATURE_BUDGET_SECONDS = 10.0
MEMORY_BUDGET_MB = 3 * 1024


def generate(lines: int, accounts: int, seed: int) -> pl.DataFrame:
    """Seeded order lines over three years: Pareto-sized accounts, credit notes, 20 categories."""
    rng = np.random.default_rng(seed)
    per_order = np.clip(rng.poisson(1.5, lines) + 1, 1, 8)
    cumulative = np.cumsum(per_order)
    n_orders = int(np.searchsorted(cumulative, lines)) + 1
    per_order = per_order[:n_orders].copy()
    per_order[-1] -= int(cumulative[n_orders - 1] - lines)
    line_order = np.repeat(np.arange(n_orders), per_order)
    line_number = np.arange(lines) - np.repeat(np.cumsum(per_order) - per_order, per_order) + 1
    weight = rng.pareto(1.2, accounts) + 1.0
    order_account = rng.choice(accounts, size=n_orders, p=weight / weight.sum())
    order_day = rng.integers(0, 3 * 365 + 1, n_orders)
    credit = rng.random(n_orders) < 0.03
    category = rng.integers(0, 20, lines)
    product = rng.integers(0, 50, lines)
    quantity = rng.integers(1, 20, lines) * np.where(credit[line_order], -1, 1)
    cents = rng.lognormal(np.log(2500), 0.8, (20, 50)).astype(np.int64) + 50
    frame = pl.DataFrame(
        {
            "account": order_account[line_order],
            "order": line_order,
            "credit": credit[line_order],
            "line_number": line_number.astype(np.int32),
            "day": order_day[line_order].astype(np.int32),
            "category": category.astype(np.int32),
            "product": product.astype(np.int32),
            "quantity": quantity,
            "cents": cents[category, product],
        }
    )
    return frame.select(
        ("C" + pl.col("account").cast(pl.String).str.zfill(6)).alias("account_key"),
        (
            pl.when(pl.col("credit")).then(pl.lit("CN")).otherwise(pl.lit("SO"))
            + pl.col("order").cast(pl.String).str.zfill(8)
        ).alias("order_id"),
        "line_number",
        (pl.lit(dt.date(2022, 1, 1)) + pl.duration(days=pl.col("day"))).alias("order_date"),
        (
            "P"
            + pl.col("category").cast(pl.String).str.zfill(2)
            + "-"
            + pl.col("product").cast(pl.String).str.zfill(3)
        ).alias("product_id"),
        ("category " + pl.col("category").cast(pl.String).str.zfill(2)).alias("product_category"),
        "quantity",
        (pl.col("cents").cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2)).alias("unit_price"),
        pl.lit("EUR").alias("currency"),
    )


def pandas_features(path: Path, as_of: dt.date):
    """The ledger's account features with plain pandas, from the same definitions."""
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(
        path, columns=["account_key", "order_id", "order_date", "product_category", "amount"]
    )
    table = table.set_column(4, "amount", pc.cast(table["amount"], "float64"))
    lines = table.to_pandas(date_as_object=False)
    lines = lines[lines.order_date <= pd.Timestamp(as_of)]
    t12m_start = pd.Timestamp(as_of - dt.timedelta(days=365))
    prev_start = pd.Timestamp(as_of - dt.timedelta(days=730))
    in_t12m = lines.order_date > t12m_start
    in_prev = (lines.order_date > prev_start) & ~in_t12m
    amount, account = lines.amount, lines.account_key
    sold = amount.where(in_t12m & (amount > 0), 0.0)
    out = pd.DataFrame(
        {
            "revenue_total": amount.groupby(account).sum(),
            "revenue_t12m": amount.where(in_t12m, 0.0).groupby(account).sum(),
            "revenue_prev12m": amount.where(in_prev, 0.0).groupby(account).sum(),
            "sold": sold.groupby(account).sum(),
            "returned": (-amount).where(in_t12m & (amount < 0), 0.0).groupby(account).sum(),
        }
    )
    bought = lines[in_t12m & (amount > 0)]
    out["product_breadth"] = bought.groupby("account_key").product_category.nunique()
    orders = lines.groupby(["account_key", "order_id"], as_index=False).agg(
        order_date=("order_date", "min"), order_amount=("amount", "sum")
    )
    purchases = orders[orders.order_amount > 0]
    by_account = purchases.groupby("account_key")
    out["first_order_date"] = by_account.order_date.min()
    out["last_order_date"] = by_account.order_date.max()
    out["orders"] = by_account.size()
    t12m_orders = purchases[purchases.order_date > t12m_start].groupby("account_key").size()
    days = purchases[["account_key", "order_date"]].drop_duplicates()
    days = days.sort_values(["account_key", "order_date"])
    gaps = days.groupby("account_key").order_date.diff().dt.days
    out["median_interval_days"] = gaps.groupby(days.account_key).median()
    prev = out.revenue_prev12m
    out["growth"] = (out.revenue_t12m / prev - 1).where(prev > 0)
    out["avg_order_value"] = out.revenue_t12m / t12m_orders.reindex(out.index)
    out["returns_share"] = (out.returned / out.sold).where(out.sold > 0)
    out["days_since_last_order"] = (pd.Timestamp(as_of) - out.last_order_date).dt.days
    out["orders"] = out.orders.fillna(0)
    out["product_breadth"] = out.product_breadth.fillna(0)
    return out.drop(columns=["sold", "returned"]).reset_index(names="account_key")


def _django(home: Path) -> None:
    os.environ.update(
        TENURE_HOME=str(home), TENURE_HTTPS="0", DJANGO_SETTINGS_MODULE="tenure.settings"
    )
    os.environ.pop("TENURE_DATABASE_URL", None)
    import django
    from _store import migrate

    django.setup()
    migrate(home)


def _import(source: Path, home: Path, ledger_url: str | None = None) -> dict[str, object]:
    _django(home)
    from tenure.ledger import store
    from tenure.ledger.importing import import_orders

    con = store.connect(ledger_url or f"duckdb://{home / 'ledger.duckdb'}")
    started, cpu = time.perf_counter(), time.process_time()
    report = import_orders(
        source,
        source="bench",
        con=con,
        progress=lambda message: print(f"  {message}", file=sys.stderr),
    )
    # `tenure import` disconnects when done, and DuckDB checkpoints then: part of the import.
    closing = time.perf_counter()
    con.disconnect()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "disconnect_seconds": round(time.perf_counter() - closing, 2),
        "stages": report.seconds,
        "stages_cpu": report.cpu_seconds,
        "imported": report.rows_imported,
        "already": report.rows_already_imported,
        "accounts_created": report.accounts_created,
    }


def _profile_operators(path: Path, top: int = 6) -> list[dict[str, object]]:
    """The slowest operators of a DuckDB JSON profile, with what they group and aggregate."""
    operators: list[dict[str, object]] = []

    def walk(node: dict) -> None:
        if "operator_type" in node:
            info = node.get("extra_info") or {}
            detail = {k: info[k] for k in ("Groups", "Aggregates", "Table") if k in info}
            operators.append(
                {
                    "operator": node["operator_type"],
                    "seconds": round(float(node.get("operator_timing", 0.0)), 3),
                    "rows": node.get("operator_cardinality"),
                    **detail,
                }
            )
        for child in node.get("children", []):
            walk(child)

    walk(json.loads(path.read_text()))
    return sorted(operators, key=lambda op: -float(op["seconds"]))[:top]  # type: ignore[arg-type]


def _features(
    workdir: Path, ledger_url: str | None = None, *, profile: bool = False
) -> dict[str, object]:
    import ibis

    from tenure.ledger import store
    from tenure.ledger.features import account_features, category_spend, monthly_revenue, to_polars

    con = store.connect(ledger_url or f"duckdb://{workdir / 'home' / 'ledger.duckdb'}")
    # Ibis imports pandas on its first result (1-4 s without byte-compiled files): a cost of
    # the process, paid by `tenure score` before it reads the ledger, not of the query.
    con.execute(ibis.memtable({"x": [1]}).count())
    lines = store.order_lines(con)
    started, cpu = time.perf_counter(), time.process_time()
    features = to_polars(account_features(lines, as_of=AS_OF))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if ledger_url is None:
        features.write_parquet(workdir / "features.parquet")
    started = time.perf_counter()
    monthly = to_polars(monthly_revenue(lines, as_of=AS_OF, months=36))
    categories = to_polars(category_spend(lines, as_of=AS_OF))
    series = time.perf_counter() - started
    result: dict[str, object] = {
        "seconds": seconds,
        "cpu_seconds": round(cpu, 2),
        "accounts": features.height,
        "series_seconds": series,
        "series_rows": monthly.height + categories.height,
    }
    if con.name == "duckdb":
        threads = con.con.sql("SELECT current_setting('threads')").fetchone()
        result["duckdb_threads"] = int(threads[0]) if threads else None
    if profile and con.name == "duckdb":
        # Once more, untimed, with DuckDB's profiler on: where the query spends its time,
        # operator by operator (thread time summed over DuckDB's threads).
        path = workdir / "features-profile.json"
        raw = con.con
        raw.execute("SET enable_profiling = 'json'")
        raw.execute(f"SET profiling_output = '{path}'")
        raw.sql(ibis.to_sql(account_features(lines, as_of=AS_OF), dialect="duckdb")).fetchall()
        raw.execute("SET enable_profiling = 'no_output'")
        result["profile_cpu_seconds"] = round(json.loads(path.read_text())["cpu_time"], 2)
        result["profile"] = _profile_operators(path)
    return result


def _postgres(workdir: Path, url: str) -> dict[str, object]:
    """Import the lines into a PostgreSQL ledger (a schema of its own), then the features."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import ibis

    schema = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    admin = ibis.connect(url)
    admin.raw_sql(f"CREATE SCHEMA {schema}").close()
    parts = urlsplit(url)
    ledger_url = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/{schema}"))
    try:
        results = {}
        for stage in ("import", "features"):
            command = [sys.executable, __file__, "--stage", f"pg-{stage}", "--workdir"]
            command += [str(workdir), "--ledger-url", ledger_url]
            done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
            results[stage] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        admin.raw_sql(f"DROP SCHEMA {schema} CASCADE").close()
        admin.disconnect()
    return {
        "seconds": results["import"]["seconds"],
        "import": results["import"],
        "features": results["features"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results.values()),
    }


def _pandas(workdir: Path) -> dict[str, object]:
    from tenure.ledger import store

    _django(workdir / "pandas-home")
    con = store.connect(f"duckdb://{workdir / 'home' / 'ledger.duckdb'}")
    # The ledger's own lines, so both sides see the same amounts.
    con.to_parquet(store.order_lines(con), workdir / "ledger.parquet")
    con.disconnect()
    started, cpu = time.perf_counter(), time.process_time()
    result = pandas_features(workdir / "ledger.parquet", AS_OF)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    ibis_frame = pl.read_parquet(workdir / "features.parquet").sort("account_key")
    pandas_frame = pl.from_pandas(result).sort("account_key")
    worst = {
        column: float(
            (ibis_frame[column].cast(pl.Float64) - pandas_frame[column].cast(pl.Float64))
            .abs()
            .max()
            or 0.0
        )
        for column in ("revenue_total", "revenue_t12m", "growth", "median_interval_days")
    }
    return {"seconds": seconds, "cpu_seconds": round(cpu, 2), "max_abs_difference": worst}


def run_stage(stage: str, workdir: Path, args: argparse.Namespace) -> dict[str, object]:
    if stage == "generate":
        started = time.perf_counter()
        frame = generate(args.lines, args.accounts, args.seed)
        frame.write_parquet(workdir / "lines.parquet")
        if args.csv:
            frame.write_csv(workdir / "lines.csv")
        result: dict[str, object] = {"seconds": time.perf_counter() - started}
    elif stage == "import":
        result = _import(workdir / "lines.parquet", workdir / "home")
    elif stage == "import-csv":
        result = _import(workdir / "lines.csv", workdir / "csv-home")
    elif stage == "reimport":
        result = _import(workdir / "lines.parquet", workdir / "home")
    elif stage == "features":
        result = _features(workdir, profile=args.profile)
    elif stage == "pg-import":
        result = _import(workdir / "lines.parquet", workdir / "pg-home", args.ledger_url)
    elif stage == "pg-features":
        result = _features(workdir, args.ledger_url)
    elif stage == "postgres":
        result = _postgres(workdir, args.ledger_url or os.environ["TENURE_DATABASE_URL"])
    elif stage == "pandas":
        result = _pandas(workdir)
    else:
        raise SystemExit(f"unknown stage {stage}")
    # The PostgreSQL stage reports the peak of its own child processes.
    result.setdefault("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--csv", action="store_true", help="also time the import from CSV")
    parser.add_argument("--workdir", type=Path, help="keep the files here (a temp dir)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also import into and compute features on a throwaway PostgreSQL ledger "
        "(scripts/throwaway_postgres.py)",
    )
    parser.add_argument("--postgres-url", help="… on this PostgreSQL server instead")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the features query once more with DuckDB's profiler and print its slowest "
        "operators (the JSON profile is kept as features-profile.json in the workdir)",
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--ledger-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.workdir, args)))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        stages = ["generate", "import", *(["import-csv"] if args.csv else []), "reimport"]
        stages += ["features", "pandas"]
        if args.postgres or args.postgres_url:
            stages.append("postgres")
        print(
            f"{args.lines:,} order lines, {args.accounts:,} accounts, seed {args.seed}, "
            f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
        )
        results: dict[str, dict[str, object]] = {}
        for stage in stages:
            command = [sys.executable, __file__, "--stage", stage, "--workdir", str(workdir)]
            command += ["--lines", str(args.lines), "--accounts", str(args.accounts)]
            command += ["--seed", str(args.seed), *(["--csv"] if args.csv else [])]
            command += ["--profile"] if args.profile else []
            if stage == "postgres" and args.postgres_url:
                command += ["--ledger-url", args.postgres_url]
            elif stage == "postgres":
                command = [sys.executable, str(THROWAWAY_POSTGRES), "--", *command]
            done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
            # The last JSON line: the PostgreSQL wrapper prints lines of its own after it.
            printed = done.stdout.strip().splitlines()
            results[stage] = json.loads(next(x for x in reversed(printed) if x.startswith("{")))
            details = {k: v for k, v in results[stage].items() if k not in {"seconds", "profile"}}
            print(f"  {stage:<10} {results[stage]['seconds']:8.2f} s  {details}")
            for operator in results[stage].get("profile", []):  # type: ignore[union-attr]
                print(f"    {operator}")
        ibis_seconds = float(results["features"]["seconds"])  # type: ignore[arg-type]
        pandas_seconds = float(results["pandas"]["seconds"])  # type: ignore[arg-type]
        peak = max(float(r["peak_rss_mb"]) for r in results.values())  # type: ignore[arg-type]
        threads = results["features"].get("duckdb_threads")
        ibis_cpu = float(results["features"]["cpu_seconds"])  # type: ignore[arg-type]
        pandas_cpu = float(results["pandas"]["cpu_seconds"])  # type: ignore[arg-type]
        print(
            f"features on DuckDB via Ibis ({threads} DuckDB threads): {ibis_seconds:.2f} s "
            f"(CPU {ibis_cpu:.2f} s); pandas groupby: {pandas_seconds:.2f} s (CPU "
            f"{pandas_cpu:.2f} s); pandas / Ibis = {pandas_seconds / ibis_seconds:.1f}× wall, "
            f"{pandas_cpu / max(ibis_cpu, 1e-9):.1f}× CPU"
        )
        if "postgres" in results:
            pg = results["postgres"]
            pg_import, pg_features = pg["import"], pg["features"]  # type: ignore[index]
            print(
                f"PostgreSQL ledger: import {pg_import['seconds']:.2f} s "  # type: ignore[index]
                f"(DuckDB {results['import']['seconds']:.2f} s), features "
                f"{pg_features['seconds']:.2f} s (DuckDB {ibis_seconds:.2f} s)"  # type: ignore[index]
            )
        ok_time = ibis_seconds < FEATURE_BUDGET_SECONDS
        ok_memory = peak < MEMORY_BUDGET_MB
        print(
            f"budget: features < {FEATURE_BUDGET_SECONDS:.0f} s: {'PASS' if ok_time else 'FAIL'}; "
            f"peak memory {peak:,.0f} MB < {MEMORY_BUDGET_MB:,} MB: "
            f"{'PASS' if ok_memory else 'FAIL'}"
        )
    return 0 if ok_time and ok_memory else 1


if __name__ == "__main__":
    sys.exit(main())
