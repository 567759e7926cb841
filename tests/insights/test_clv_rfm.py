"""rfm_summary on hand-built ledgers: merging, units, calibration/holdout and clear errors.

Conventions follow the CDNOW analyses (Fader, Hardie & Lee 2005), reproduced on the real
data in test_clv_cdnow.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest

from tenure.insights.clv import rfm_summary


def ledger() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account": ["a", "a", "a", "a", "b", "c", "c"],
            "ordered_on": [
                date(2024, 1, 1),
                date(2024, 1, 1),  # same day as the first: one purchase of 15
                date(2024, 1, 8),
                date(2024, 1, 22),
                date(2024, 1, 15),
                date(2024, 1, 3),
                date(2024, 2, 20),  # after the end: ignored
            ],
            "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 99.0],
        }
    )


def summarise(frame: pl.DataFrame, **kwargs: object) -> pl.DataFrame:
    settings: dict[str, object] = {
        "customer_col": "account",
        "date_col": "ordered_on",
        "value_col": "amount",
        "observation_end": date(2024, 1, 29),
    }
    settings.update(kwargs)
    return rfm_summary(frame, **settings)  # type: ignore[arg-type]


def test_same_day_purchases_merge_and_the_first_purchase_is_not_a_repeat() -> None:
    summary = summarise(ledger(), time_unit="D")

    assert summary.to_dicts() == [
        # a: purchase days 1, 8 and 22 January; repeats worth 20 and 40.
        {"account": "a", "frequency": 2, "recency": 21.0, "T": 28.0, "monetary_value": 30.0},
        {"account": "b", "frequency": 0, "recency": 0.0, "T": 14.0, "monetary_value": 0.0},
        {"account": "c", "frequency": 0, "recency": 0.0, "T": 26.0, "monetary_value": 0.0},
    ]


def test_weeks_are_days_over_seven_not_calendar_weeks() -> None:
    in_days = summarise(ledger(), time_unit="D")
    in_weeks = summarise(ledger(), time_unit="W")

    assert in_weeks["frequency"].to_list() == in_days["frequency"].to_list()
    assert in_weeks["recency"].to_list() == pytest.approx((in_days["recency"] / 7).to_list())
    assert in_weeks["T"].to_list() == pytest.approx((in_days["T"] / 7).to_list())


def test_calibration_end_splits_off_a_holdout() -> None:
    summary = summarise(ledger(), time_unit="D", calibration_end=date(2024, 1, 10))

    assert summary.to_dicts() == [
        {
            "account": "a",
            "frequency": 1,
            "recency": 7.0,
            "T": 9.0,
            "monetary_value": 20.0,
            "frequency_holdout": 1,
            "monetary_value_holdout": 40.0,
            "duration_holdout": 19.0,
        },
        # b first bought in the holdout: it cannot be scored and is left out.
        {
            "account": "c",
            "frequency": 0,
            "recency": 0.0,
            "T": 7.0,
            "monetary_value": 0.0,
            "frequency_holdout": 0,
            "monetary_value_holdout": 0.0,
            "duration_holdout": 19.0,
        },
    ]


def test_a_purchase_on_the_last_day_counts() -> None:
    frame = pl.DataFrame(
        {
            "account": ["a", "a"],
            "ordered_on": [date(2024, 1, 1), date(2024, 1, 29)],
            "amount": [1.0, 2.0],
        }
    )

    summary = summarise(frame, time_unit="D")

    assert summary.row(0, named=True)["recency"] == summary.row(0, named=True)["T"] == 28.0


def test_timestamps_count_on_their_calendar_day_and_decimals_are_accepted() -> None:
    frame = pl.DataFrame(
        {
            "account": ["a", "a", "a"],
            "ordered_on": [
                datetime(2024, 1, 1, 9, 0, tzinfo=UTC),
                datetime(2024, 1, 1, 17, 30, tzinfo=UTC),
                datetime(2024, 1, 3, 8, 0, tzinfo=UTC),
            ],
            "amount": [Decimal("1.10"), Decimal("2.20"), Decimal("3.30")],
        }
    )

    summary = summarise(frame, time_unit="D", observation_end=date(2024, 1, 5))

    assert summary.select("frequency", "recency", "T").row(0) == (1, 2.0, 4.0)
    assert summary["monetary_value"][0] == pytest.approx(3.30)


def test_without_a_value_column_there_is_no_monetary_value() -> None:
    summary = summarise(ledger(), value_col=None)

    assert summary.columns == ["account", "frequency", "recency", "T"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (ledger().drop("amount"), "missing column.*'amount'"),
        (ledger().with_columns(pl.col("ordered_on").cast(pl.String)), "must be a Date or Datetime"),
        (ledger().with_columns(pl.col("amount").cast(pl.String)), "'amount' must be numeric"),
        (
            ledger().with_columns(
                pl.when(pl.col("amount") > 30)
                .then(None)
                .otherwise(pl.col("account"))
                .alias("account")
            ),
            "'account' has 2 null",
        ),
        (ledger().with_columns(pl.lit(float("nan")).alias("amount")), "NaN or infinite"),
    ],
)
def test_invalid_ledgers_are_refused_with_the_column_named(
    frame: pl.DataFrame, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        summarise(frame)


def test_calibration_end_after_observation_end_is_refused() -> None:
    with pytest.raises(ValueError, match="calibration_end 2024-02-01 is after observation_end"):
        summarise(ledger(), calibration_end=date(2024, 2, 1))


def test_unknown_time_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="time_unit must be 'D' or 'W'"):
        summarise(ledger(), time_unit="M")


def test_rows_that_are_not_a_polars_frame_are_refused_with_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"expected a polars\.DataFrame"):
        summarise(ledger().to_dicts())  # type: ignore[arg-type]
