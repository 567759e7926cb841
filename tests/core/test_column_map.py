"""One ``--map`` parser for every import: pairs, commas, repeats, spaces and the dash."""

from __future__ import annotations

import argparse

import pytest

from tenure.core.column_map import add_map_argument, merged_column_map, parse_column_map


def test_map_pairs_keep_spaces_inside_column_names_and_read_an_empty_target_as_a_dash():
    assert parse_column_map("Customer no = external_id, Owner=-, Notes=") == {
        "Customer no": "external_id",
        "Owner": "-",
        "Notes": "-",
    }


def test_a_map_pair_without_equals_or_file_column_is_refused():
    with pytest.raises(argparse.ArgumentTypeError, match="'InvoiceNo' is not FILE_COLUMN"):
        parse_column_map("InvoiceNo")
    with pytest.raises(argparse.ArgumentTypeError, match="'=name' is not FILE_COLUMN"):
        parse_column_map("=name")


def test_repeated_map_options_merge_and_a_later_pair_wins():
    parser = argparse.ArgumentParser()
    add_map_argument(parser, example="A=b")
    options = parser.parse_args(["--map", "A=b,C=d", "--map", "Unit Price=unit_price,A=e"])
    assert merged_column_map(options.mapping) == {"A": "e", "C": "d", "Unit Price": "unit_price"}
    assert merged_column_map(parser.parse_args([]).mapping) == {}
