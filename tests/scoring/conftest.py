"""Fixtures shared by the scoring tests: a small ledger in a DuckDB file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.accounts.factories import AccountFactory


@pytest.fixture
def ledger_file(tmp_path: Path) -> Callable[[pl.DataFrame], str]:
    """Write order lines into a DuckDB ledger file and return its URL; CRM accounts for
    every key are created."""

    def make(lines: pl.DataFrame) -> str:
        path = tmp_path / "ledger.duckdb"
        with duckdb.connect(str(path)) as con:
            con.register("staged", lines.to_arrow())
            con.execute("CREATE TABLE order_lines AS SELECT * FROM staged")
        for key in sorted(set(lines["account_key"].to_list())):
            AccountFactory(external_id=key, name=f"Account {key}")
        return f"duckdb:///{path}"

    return make


def days(start: dt.date, end: dt.date, step: int) -> list[dt.date]:
    out, day = [], start
    while day <= end:
        out.append(day)
        day += dt.timedelta(days=step)
    return out
