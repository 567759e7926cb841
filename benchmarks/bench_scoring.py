"""Benchmark ``tenure score``: segmentation, CLV, health and churn risk on a large portfolio.

Generates a seeded ledger (vectorised NumPy/Polars) of ``--lines`` order lines over three
years for ``--accounts`` accounts — Pareto-sized, a tenth joining late, a third stopping at
a random day (so there is churn to learn) — loads it into a DuckDB ledger file, bulk-inserts
the matching CRM accounts (and, for the largest tenth, two stakeholders and a few dated
interactions each), then times ``run_scoring`` twice:

- **cold**: no saved churn model, so the run trains one on rolling cut-offs;
- **warm**: the model saved by the cold run is reused, as in day-to-day runs.

Stage times come from the run's own progress messages, so they time the real code path.

Usage::

    python benchmarks/bench_scoring.py                                   # 200k accounts, 10M lines
    python benchmarks/bench_scoring.py --accounts 20000 --lines 1000000  # a quick look
    # a wide catalogue: 4,000 categories, a few bestsellers and a long tail
    python benchmarks/bench_scoring.py --accounts 5000 --lines 400000 --categories 4000 --skew 1
    # SKUs without a category column: every product its own category
    python benchmarks/bench_scoring.py --accounts 5000 --lines 400000 --categories 4000 \
        --skew 1 --product-level

After the two runs, the growth step alone runs again on the same inputs in two fresh
processes: Tenure's sparse whitespace and the dense accounts × categories grid it replaced
(``growth_step.py``; skipped beyond ``--dense-limit`` cells), with the ratio of their times
and peak memory and a check that both show the same suggestions with the same ranks.

Budget: each run under 60 s on 2 cores at 200,000 accounts and 10 million lines.
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

AS_OF = dt.date(2026, 6, 30)
DAYS = 3 * 365
BUDGET_SECONDS = 60.0


def generate(
    lines: int,
    accounts: int,
    seed: int,
    *,
    categories: int = 20,
    skew: float = 0.0,
    product_level: bool = False,
) -> pl.DataFrame:
    """Seeded order lines: Pareto-sized accounts, late joiners, a third who stop buying.

    Each line's category is drawn from ``categories`` with weight 1 / rank**``skew`` (0:
    all alike, as the first benchmark had it; 1: a few bestsellers and a long tail, as
    in a retail catalogue). ``product_level``: every product is its own category, as the
    importer stores a file without a category column.
    """
    rng = np.random.default_rng(seed)
    weight = rng.pareto(1.2, accounts) + 1.0
    start = np.where(rng.random(accounts) < 0.1, rng.integers(0, DAYS - 200, accounts), 0)
    stop = np.where(rng.random(accounts) < 0.33, rng.integers(200, DAYS + 1, accounts), DAYS + 1)
    stop = np.maximum(stop, start + 60)
    active = np.minimum(stop, DAYS + 1) - start
    per_order = np.clip(rng.poisson(1.5, lines) + 1, 1, 8)
    cumulative = np.cumsum(per_order)
    n_orders = int(np.searchsorted(cumulative, lines)) + 1
    per_order = per_order[:n_orders].copy()
    per_order[-1] -= int(cumulative[n_orders - 1] - lines)
    # Orders in proportion to size and to the time an account was buying.
    p = weight * active
    order_account = rng.choice(accounts, size=n_orders, p=p / p.sum())
    order_day = start[order_account] + (rng.random(n_orders) * active[order_account]).astype(int)
    order_day = np.minimum(order_day, DAYS)
    line_order = np.repeat(np.arange(n_orders), per_order)
    line_number = np.arange(lines) - np.repeat(np.cumsum(per_order) - per_order, per_order) + 1
    credit = rng.random(n_orders) < 0.02
    if skew:
        weights = 1.0 / np.arange(1, categories + 1) ** skew
        category = rng.choice(categories, size=lines, p=weights / weights.sum())
    else:
        category = rng.integers(0, categories, lines)
    quantity = rng.integers(1, 20, lines) * np.where(credit[line_order], -1, 1)
    cents = rng.lognormal(np.log(2500), 0.8, categories).astype(np.int64) + 50
    first_day = AS_OF - dt.timedelta(days=DAYS)
    frame = pl.DataFrame(
        {
            "account": order_account[line_order],
            "order": line_order,
            "line_number": line_number.astype(np.int32),
            "day": order_day[line_order].astype(np.int32),
            "category": category.astype(np.int32),
            "quantity": quantity,
            "cents": cents[category],
        }
    )
    amount = (pl.col("cents") * pl.col("quantity")).cast(pl.Decimal(18, 2)) / 100
    width = max(2, len(str(categories - 1)))
    product = "P" + pl.col("category").cast(pl.String).str.zfill(width)
    category_name = (
        product
        if product_level
        else "category " + pl.col("category").cast(pl.String).str.zfill(width)
    )
    return frame.select(
        ("C" + pl.col("account").cast(pl.String).str.zfill(6)).alias("account_key"),
        ("SO" + pl.col("order").cast(pl.String).str.zfill(8)).alias("order_id"),
        "line_number",
        (pl.lit(first_day) + pl.duration(days=pl.col("day"))).alias("order_date"),
        product.alias("product_id"),
        category_name.alias("product_category"),
        pl.col("quantity").cast(pl.Decimal(18, 3)),
        (pl.col("cents").cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2)).alias("unit_price"),
        amount.cast(pl.Decimal(18, 2)).alias("amount"),
        pl.lit("EUR").alias("currency"),
        pl.lit("bench").alias("source"),
    )


def build_ledger(path: Path, lines: pl.DataFrame) -> None:
    from tenure.ledger import store

    parquet = path.with_suffix(".parquet")
    lines.write_parquet(parquet)
    con = store.connect(f"duckdb://{path}")
    store.ensure_schema(con)
    columns = ", ".join(store.STAGED_COLUMNS)
    con.raw_sql(
        f"INSERT INTO order_lines ({columns}, imported_at) "
        f"SELECT {columns}, now() FROM read_parquet('{parquet}')"
    )
    con.disconnect()
    parquet.unlink()


def build_crm(accounts: int, seed: int) -> None:
    """CRM accounts for every ledger key; people and meetings for the largest tenth."""
    from django.contrib.auth import get_user_model

    from tenure.accounts.models import Account, Contact, Position
    from tenure.engagement.models import Interaction

    rng = np.random.default_rng(seed + 1)
    Account.objects.bulk_create(
        (Account(name=f"Account {i:06d}", external_id=f"C{i:06d}") for i in range(accounts)),
        batch_size=5000,
    )
    manager = get_user_model().objects.create(username="bench-manager")
    engaged = list(Account.objects.order_by("id").values_list("id", flat=True)[: accounts // 10])
    Contact.objects.bulk_create(
        (
            Contact(first_name="Pat", last_name=f"Person {a}-{k}", email=f"p{a}.{k}@x.example")
            for a in engaged
            for k in range(2)
        ),
        batch_size=5000,
    )
    contacts = list(Contact.objects.order_by("id").values_list("id", flat=True))
    Position.objects.bulk_create(
        (
            Position(
                account_id=a,
                contact_id=contacts[2 * i + k],
                buying_role="decision_maker" if k == 0 else "user",
                started_on=dt.date(2023, 1, 1),
            )
            for i, a in enumerate(engaged)
            for k in range(2)
        ),
        batch_size=5000,
    )
    days = rng.integers(0, DAYS, (len(engaged), 5))
    Interaction.objects.bulk_create(
        (
            Interaction(
                account_id=a,
                occurred_at=dt.datetime.combine(
                    AS_OF - dt.timedelta(days=int(d)), dt.time(10), tzinfo=dt.UTC
                ),
                kind="meeting",
                is_strategic=bool(d % 2),
                summary="Review",
                logged_by=manager,
            )
            for a, row in zip(engaged, days, strict=True)
            for d in row
        ),
        batch_size=5000,
    )
    through = Interaction.contacts.through
    by_account = {a: contacts[2 * i] for i, a in enumerate(engaged)}
    through.objects.bulk_create(
        (
            through(interaction_id=i, contact_id=by_account[a])
            for i, a in Interaction.objects.values_list("id", "account_id")
        ),
        batch_size=5000,
    )


def timed_run(as_of: dt.date) -> dict[str, object]:
    """Run ``run_scoring`` once; stage times from its progress messages."""
    from tenure.scoring.run import run_scoring

    marks: list[tuple[float, str]] = []
    cpu_marks: dict[float, float] = {}
    started = time.perf_counter()
    cpu = time.process_time()

    def progress(message: str) -> None:
        now = time.perf_counter()
        # CPU beside wall: on a shared machine the wall clock also counts other work.
        cpu_marks[now] = time.process_time() - cpu
        marks.append((now, message))

    run_scoring(as_of=as_of, progress=progress)
    total = time.perf_counter() - started
    cpu_marks[started + total] = time.process_time() - cpu

    def at(*prefixes: str) -> float:
        return next(t for t, m in marks if m.startswith(prefixes)) - started

    points = [
        ("ledger features (revenue, monthly)", at("Ledger features")),
        ("CLV inputs, BG/NBD + Gamma-Gamma, CRM features", at("  CLV and CRM features")),
        ("churn model (trained, or loaded)", at("  churn model", "  no churn model")),
        ("health and risk scores, drivers", at("  health and risk for")),
        ("segmentation + account snapshots written", _after(marks, started, "account snapshots")),
        ("monthly revenue series written", _after(marks, started, "monthly revenue series")),
        ("health rows written", _after(marks, started, "health rows")),
        ("growth: wallet estimates and suggestions", _after(marks, started, "growth suggestions")),
        ("seasonal profiles and preparation touchpoints", _after(marks, started, "seasonal prep")),
        ("commit", total),
    ]
    stages, stages_cpu, previous, previous_cpu = {}, {}, 0.0, 0.0
    for name, moment in points:
        stages[name] = round(moment - previous, 2)
        used = min(cpu_marks.items(), key=lambda mark: abs(mark[0] - started - moment))[1]
        stages_cpu[name] = round(used - previous_cpu, 2)
        previous, previous_cpu = moment, used
    return {
        "total_s": round(total, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "stages_s": stages,
        "stages_cpu_s": stages_cpu,
        "messages": [m.strip() for _, m in marks if "cut-off" not in m],
    }


def _after(marks: list[tuple[float, str]], started: float, text: str) -> float:
    return next(t for t, m in marks if text in m) - started


def save_growth_inputs(folder: Path, as_of: dt.date) -> int:
    """The growth step's inputs as the run builds them; returns the number of categories."""
    from tenure.growth.ledger_inputs import crm_accounts, revenue_by_account, spend_by_account
    from tenure.ledger import features, store

    lines = store.order_lines(store.connect())
    day = features.ledger_through(lines, as_of=as_of) or as_of
    spend = spend_by_account(lines, as_of=day)
    revenue_by_account(spend, crm_accounts()).write_parquet(folder / "accounts.parquet")
    spend.write_parquet(folder / "spend.parquet")
    return spend["product_category"].n_unique()


def growth_step(kind: str, folder: Path) -> dict[str, object]:
    """Run ``growth_step.py`` in its own process, so its peak memory is its own."""
    script = Path(__file__).with_name("growth_step.py")
    done = subprocess.run(
        [sys.executable, str(script), kind, str(folder)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def compare_growth(folder: Path, accounts: int, categories: int, dense_limit: int) -> dict:
    """Sparse against dense growth step on the same inputs, in the same benchmark run."""
    result: dict[str, object] = {"categories": categories, "sparse": growth_step("sparse", folder)}
    cells = accounts * categories
    if cells > dense_limit:
        result["dense"] = f"skipped: {cells:,} cells over --dense-limit {dense_limit:,}"
        return result
    dense = growth_step("dense", folder)
    result["dense"] = dense
    sparse = result["sparse"]
    assert isinstance(sparse, dict)
    result["speedup"] = round(float(dense["seconds"]) / max(float(sparse["seconds"]), 1e-9), 1)
    result["memory_ratio"] = round(
        float(dense["peak_rss_mb"]) / max(float(sparse["peak_rss_mb"]), 1.0), 1
    )
    key = ["account_id", "product_category", "rank"]
    same = (
        pl.read_parquet(folder / "shown-sparse.parquet")
        .sort(key)
        .equals(pl.read_parquet(folder / "shown-dense.parquet").sort(key))
    )
    result["same_suggestions"] = same
    return result


def print_growth(step: object) -> None:
    """The growth step alone, sparse against dense, each in its own process."""
    assert isinstance(step, dict)
    print(f"\ngrowth step alone ({step['categories']:,} categories bought in the last year):")
    for kind in ("sparse", "dense"):
        run = step[kind]
        if isinstance(run, dict):
            print(
                f"  {kind:<7}{run['seconds']:>8.2f} s {run['peak_rss_mb']:>7,} MB peak"
                f" {run['shown']:>10,} suggestions shown"
            )
        else:
            print(f"  {kind:<7}{run}")
    if "speedup" in step:
        print(
            f"  sparse is {step['speedup']}x faster and needs {step['memory_ratio']}x less"
            f" memory; same suggestions and ranks: {step['same_suggestions']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep the files here (a temp dir)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the ledger and CRM already in --workdir"
    )
    parser.add_argument("--categories", type=int, default=20, help="product categories")
    parser.add_argument(
        "--skew", type=float, default=0.0, help="category weight 1/rank**skew (0: all alike)"
    )
    parser.add_argument(
        "--product-level",
        action="store_true",
        help="no category column: every product is its own category (the importer's default)",
    )
    parser.add_argument(
        "--dense-limit",
        type=int,
        default=30_000_000,
        help="time the dense growth step only up to this many accounts × categories",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tenure-bench-scoring-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["TENURE_HOME"] = str(workdir)
    os.environ["TENURE_LEDGER_URL"] = f"duckdb://{workdir / 'ledger.duckdb'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    os.environ.setdefault("TENURE_HTTPS", "0")
    import django

    django.setup()
    from _store import migrate

    migrate(workdir)
    if not (args.reuse and (workdir / "ledger.duckdb").exists()):
        began = time.perf_counter()
        lines = generate(
            args.lines,
            args.accounts,
            args.seed,
            categories=args.categories,
            skew=args.skew,
            product_level=args.product_level,
        )
        build_ledger(workdir / "ledger.duckdb", lines)
        del lines
        build_crm(args.accounts, args.seed)
        setup = time.perf_counter() - began
        print(f"Setup ({args.lines:,} lines, ledger, CRM): {setup:.1f} s", file=sys.stderr)
    from tenure.health.services import risk_model_path

    risk_model_path().unlink(missing_ok=True)  # the cold run trains

    results = {"accounts": args.accounts, "lines": args.lines, "cores": os.cpu_count()}
    for label in ("cold", "warm"):
        results[label] = timed_run(AS_OF)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    categories = save_growth_inputs(workdir, AS_OF)
    results["growth_step"] = compare_growth(workdir, args.accounts, categories, args.dense_limit)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"tenure score on {args.accounts:,} accounts, {args.lines:,} lines")
        for label in ("cold", "warm"):
            run = results[label]
            assert isinstance(run, dict)
            print(f"\n{label} run: {run['total_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU")
            print(f"  {'stage':<50}{'wall':>9}{'CPU':>9}")
            for stage, seconds in run["stages_s"].items():
                print(f"  {stage:<50}{seconds:>7.1f} s{run['stages_cpu_s'][stage]:>7.1f} s")
        print(f"\npeak memory {results['peak_rss_mb']:,} MB")
        print_growth(results["growth_step"])
    worst = max(float(results[k]["total_s"]) for k in ("cold", "warm"))  # type: ignore[index]
    verdict = "PASS" if worst < BUDGET_SECONDS else "FAIL"
    if not args.json:
        print(f"budget: each run under {BUDGET_SECONDS:.0f} s: {verdict} (slowest {worst:.1f} s)")
    return 0 if worst < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
