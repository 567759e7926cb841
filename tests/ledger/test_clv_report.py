"""``tenure clv --report``: the CLV holdout check on CDNOW, from a file and from the ledger.

CDNOW (Fader, Hardie & Lee 2005): calibration weeks 1-39 (1997-01-01 to 1997-09-30), holdout
weeks 40-78 (to 1998-06-30). The report must beat the naive "calibration rate continues"
baseline on every metric (issue 17).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from django.core.management import CommandError, call_command

from tenure.ledger.clv_report import clv_report, write_tracking_plots
from tenure.ledger.management.commands import clv as clv_command

from ..insights.test_clv_cdnow import cdnow

CALIBRATION_END = dt.date(1997, 9, 30)
HOLDOUT_END = dt.date(1998, 6, 30)


def cdnow_lines() -> pl.DataFrame:
    fields = np.array(cdnow("CDNOW_sample.txt").read_text().split()).reshape(-1, 5)
    return pl.DataFrame(
        {
            "account_key": fields[:, 1],
            "order_id": [f"{i}" for i in range(fields.shape[0])],
            "order_date": pl.Series(fields[:, 2]).str.to_date("%Y%m%d"),
            "product_id": "cd",
            "amount": fields[:, 4].astype(np.float64),
        }
    )


def test_cdnow_report_beats_the_naive_baseline_on_every_metric(tmp_path: Path) -> None:
    days = clv_command._purchase_days(cdnow_lines())

    report = clv_report(days, calibration_end=CALIBRATION_END, observation_end=HOLDOUT_END)

    assert report.calibration_end == CALIBRATION_END
    assert report.fit.diagnostics.identified
    assert report.model.actual == 1882  # repeat purchase days in weeks 40-78
    assert report.beats_naive == {"mae": True, "rmse": True, "msle": True, "bias": True}
    assert report.fit.name in {"BG/NBD", "Pareto/NBD"}
    # The tracking frame covers the 78 weeks and adds up to the holdout actuals.
    tracking = report.tracking
    assert tracking.height == 78
    assert tracking.filter(pl.col("holdout"))["actual"].sum() == 1882
    paths = write_tracking_plots(report, tmp_path)
    assert [p.name for p in paths] == ["clv_tracking_weekly.png", "clv_tracking_cumulative.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_default_split_of_cdnow_is_the_published_one() -> None:
    report = clv_report(clv_command._purchase_days(cdnow_lines()))

    assert (report.calibration_end, report.observation_end) == (CALIBRATION_END, HOLDOUT_END)


def test_split_outside_the_data_is_refused() -> None:
    with pytest.raises(ValueError, match="calibration must end"):
        clv_report(clv_command._purchase_days(cdnow_lines()), calibration_end=dt.date(1999, 1, 1))


@pytest.mark.django_db
def test_command_reads_an_order_line_file_and_prints_json(tmp_path: Path, capsys) -> None:
    path = tmp_path / "cdnow.csv"
    cdnow_lines().write_csv(path)

    call_command(
        clv_command.Command(),
        "--report",
        "--json",
        "--file",
        str(path),
        "--currency",
        "USD",
        "--plots",
        str(tmp_path / "plots"),
    )

    out = capsys.readouterr().out
    report = json.loads(out[: out.rindex("}") + 1])
    assert report["holdout"]["model_beats_naive"] == {
        "mae": True,
        "rmse": True,
        "msle": True,
        "bias": True,
    }
    assert report["fit"]["identified"] is True
    assert set(report["fit"]["standard_errors"]) == set(report["fit"]["params"])
    assert (tmp_path / "plots" / "clv_tracking_cumulative.png").is_file()


@pytest.mark.slow
@pytest.mark.django_db
def test_command_reads_the_installation_ledger(settings, tmp_path: Path, capsys) -> None:
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    path = tmp_path / "cdnow.csv"
    cdnow_lines().write_csv(path)
    importer = importlib.import_module("tenure.ledger.management.commands.import")
    call_command(importer.Command(), "orders", str(path), "--currency", "USD")
    capsys.readouterr()

    call_command(clv_command.Command(), "--report", "--calibration-end", "1997-09-30")

    out = capsys.readouterr().out
    assert "identified: yes" in out
    assert "actual total                1882.0000" in out


def test_command_refuses_a_file_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("account_key,order_id,order_date,product_id,amount\nA,1,not a date,p,3\n")

    with pytest.raises(CommandError, match="line 2"):
        call_command(clv_command.Command(), "--report", "--file", str(path), "--currency", "EUR")
