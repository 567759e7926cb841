"""Every CSV file Tenure writes neutralises spreadsheet formulas, through one function.

``tenure segment --csv`` wrote account names starting with ``=`` as they were, so opening
the file in Excel ran them; the feedback export already neutralised them on its own.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

import tenure
from tenure.accounts.models import Account
from tenure.core.csv_cells import csv_cell, write_frame_csv
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

SOURCE = Path(tenure.__file__).parent
#: Writers of CSV that no person opens in a spreadsheet: machine formats read back by Tenure.
NOT_FOR_SPREADSHEETS = {
    "core/csv_cells.py",  # the function itself
    "ledger/store.py",  # rows streamed into PostgreSQL's COPY
    "core/bulk_insert.py",  # the scoring run's rows streamed into PostgreSQL's COPY
    "demo/surveys.py",  # a survey file the demo feeds to the survey import
    "demo/load.py",  # the demo's ground truth for the backtests
    "health/management/commands/backtest.py",  # metrics: numbers and method names only
}
WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\.write_csv\(|\.sink_csv\(")


def test_csv_cell_neutralises_formulas_and_leaves_numbers_alone():
    assert csv_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert [csv_cell(v) for v in ("+1", "-1", "@SUM(A1)", "\t=1")] == [
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\t=1",
    ]
    assert csv_cell(Decimal("-5")) == Decimal("-5")
    assert csv_cell(-5) == -5
    assert csv_cell("Birch Foods") == "Birch Foods"


def test_frames_are_neutralised_in_text_columns_only(tmp_path):
    path = tmp_path / "out.csv"
    write_frame_csv(pl.DataFrame({"name": ["=1+1", "Birch"], "growth": [-0.5, 0.1]}), path)
    assert path.read_text().splitlines() == ["name,growth", "'=1+1,-0.5", "Birch,0.1"]


def test_every_csv_writer_goes_through_the_shared_cell_function():
    unguarded = []
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        text = path.read_text()
        if relative in NOT_FOR_SPREADSHEETS or not WRITERS.search(text):
            continue
        if "tenure.core.csv_cells" not in text:
            unguarded.append(relative)
    assert unguarded == []


@pytest.mark.django_db
def test_segment_csv_neutralises_account_names_that_are_formulas(tmp_path):
    revenue = {"K1": 800_000.0, "K2": 100_000.0}
    Account.objects.create(external_id="K1", name='=HYPERLINK("http://evil.example","Open")')
    Account.objects.create(external_id="K2", name="-Minus Ltd")
    score_frames(as_of=AS_OF, features=features_for(revenue), monthly=monthly_for(revenue))
    path = tmp_path / "segments.csv"
    call_command("segment", "--csv", str(path))
    with path.open(newline="") as handle:
        rows = {row["external_id"]: row for row in csv.DictReader(handle)}
    assert rows["K1"]["name"] == '\'=HYPERLINK("http://evil.example","Open")'
    assert rows["K2"]["name"] == "'-Minus Ltd"
    assert rows["K1"]["revenue_t12m"] == "800000.00"  # numbers stay numbers
