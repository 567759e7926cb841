"""A one-year retail order-line log shaped like the public one of issue 17 (seeded, synthetic).

Issue 17 tried Tenure on a public one-year retail transaction log (about 400,000 lines with a
customer id, 4,372 customers, about 3,700 products, no category column, December to
December). There is no network at run time and the file is not ours to ship, so this script
writes a synthetic log with the same shape, from a stated generative story:

- customers: a base already buying when the log starts (a fifth of them, first order in
  its first month) and the rest arriving evenly over the year, so many have a short history;
- orders: each customer buys at their own rate (gamma distributed across customers, shape
  0.45: heavy-tailed, many one-time buyers, a few wholesalers with hundreds of orders),
  with the shop's seasonality (an autumn peak, nothing on Saturdays);
- dropout: the long-lived majority never leaves within the year (96 %); the rest leave
  after a purchase with probability 0.35 -- near the "nobody leaves" boundary that made the
  BG/NBD fit run to ``a -> 0`` on the real log;
- order lines: a heavy-tailed number of lines per order (mean about 20), products drawn
  by Zipf-like popularity from 3,684 stock codes, each with its own unit price; quantities
  heavy-tailed; about 2 % of orders cancelled later ("C" invoices, negative quantities).

Columns as in the public file (InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice,
CustomerID, Country), so the import command is the one ``tenure import orders --help``
shows. Every figure of docs/clv.md and docs/risk.md from "the one-year retail log" is from
this file at the default seed.

Usage::

    python benchmarks/retail_year.py retail_year.csv                  # the full log
    python benchmarks/retail_year.py small.csv --customers 300        # a small one
    tenure import orders retail_year.csv --source retail --currency GBP \\
        --date-format "%m/%d/%Y %H:%M" --unknown-accounts create \\
        --map InvoiceNo=order_id,StockCode=product_id,Quantity=quantity,\\
InvoiceDate=order_date,UnitPrice=unit_price,CustomerID=account_key,Country=country
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

START = dt.date(2010, 12, 1)
END = dt.date(2011, 12, 9)
CUSTOMERS = 4372
PRODUCTS = 3684
SEED = 2011
#: Map for ``tenure import orders --map``.
COLUMN_MAP = (
    "InvoiceNo=order_id,StockCode=product_id,Quantity=quantity,InvoiceDate=order_date,"
    "UnitPrice=unit_price,CustomerID=account_key,Country=country"
)
COUNTRIES = ("United Kingdom",) * 18 + ("Germany", "France", "EIRE", "Spain", "Netherlands")


def _season(days: np.ndarray) -> np.ndarray:
    """Relative order intensity of each day: an autumn peak, Saturdays closed."""
    dates = np.datetime64(START) + days.astype("timedelta64[D]")
    month = (dates.astype("datetime64[M]").astype(int) % 12) + 1
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    level = np.array([0, 0.8, 0.7, 0.85, 0.8, 0.85, 0.85, 0.85, 0.9, 1.1, 1.25, 1.5, 1.0])
    return np.where(weekday == 5, 0.0, level[month] / 1.5)


def generate(customers: int = CUSTOMERS, *, seed: int = SEED) -> pl.DataFrame:
    """The order lines, one row each, in the public file's columns."""
    rng = np.random.default_rng(seed)
    span = (END - START).days + 1
    base = rng.random(customers) < 0.2
    first = np.where(
        base, rng.integers(0, 30, customers), rng.integers(30, span - 1, customers)
    ).astype(np.int64)
    rate = rng.gamma(0.45, 10.0 / 0.45, customers) / 365.0  # orders a day at the peak
    leaves = rng.random(customers) < 0.04
    peak = rate / 1.0  # thinning by _season (at most 1) keeps the seasonal shape

    customer_of, day_of = [np.arange(customers)], [first]
    for c in np.flatnonzero(peak > 0):
        length = span - 1 - first[c]
        count = rng.poisson(peak[c] * length)
        if count == 0:
            continue
        days = np.sort(first[c] + 1 + rng.integers(0, length, count))
        days = days[rng.random(count) < _season(days)]
        if leaves[c] and days.size:
            days = days[: rng.geometric(0.35)]  # repeat purchases made before leaving
        customer_of.append(np.full(days.size, c))
        day_of.append(days)
    order_customer = np.concatenate(customer_of)
    order_day = np.concatenate(day_of)
    orders = order_customer.size

    lines_per_order = 1 + rng.negative_binomial(0.9, 0.9 / (0.9 + 21.0), orders)
    line_order = np.repeat(np.arange(orders), lines_per_order)
    popularity = 1.0 / np.arange(1, PRODUCTS + 1) ** 0.85
    product = rng.choice(PRODUCTS, size=line_order.size, p=popularity / popularity.sum())
    price = np.round(np.exp(rng.normal(np.log(2.1), 0.9, PRODUCTS)), 2).clip(0.05)
    quantity = np.maximum(1, np.round(np.exp(rng.normal(np.log(6), 1.0, line_order.size))))

    cancelled = rng.random(orders) < 0.02
    minutes = rng.integers(8 * 60, 20 * 60, orders)
    invoice = np.char.add(
        "", (536365 + np.argsort(np.argsort(order_day, kind="stable"))).astype(str)
    )
    lines = pl.DataFrame(
        {
            "InvoiceNo": invoice[line_order],
            "StockCode": np.char.add("P", (10000 + product).astype(str)),
            "Quantity": quantity.astype(np.int64),
            "day": order_day[line_order],
            "minute": minutes[line_order],
            "UnitPrice": price[product],
            "CustomerID": (12346 + order_customer[line_order]).astype(np.int64),
            "Country": np.array(COUNTRIES)[order_customer[line_order] % len(COUNTRIES)],
        }
    )
    cancel_lines = lines.filter(pl.Series(cancelled[line_order])).with_columns(
        ("C" + pl.col("InvoiceNo")).alias("InvoiceNo"),
        -pl.col("Quantity"),
        (pl.col("day") + 3).clip(upper_bound=span - 1),
    )
    when = pl.lit(dt.datetime(START.year, START.month, START.day)) + pl.duration(
        days=pl.col("day"), minutes=pl.col("minute")
    )
    return (
        pl.concat([lines, cancel_lines])
        .with_columns(when.dt.strftime("%m/%d/%Y %H:%M").alias("InvoiceDate"), when.alias("_at"))
        .sort("_at", "InvoiceNo", maintain_order=True)
        .select(
            "InvoiceNo",
            "StockCode",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    lines = generate(args.customers, seed=args.seed)
    lines.write_csv(args.out)
    print(
        f"{args.out}: {lines.height:,} lines, {lines['CustomerID'].n_unique():,} customers, "
        f"{lines['StockCode'].n_unique():,} products, "
        f"{lines['InvoiceNo'].n_unique():,} invoices"
    )


if __name__ == "__main__":
    main()
