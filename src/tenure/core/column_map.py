"""``--map FILE_COLUMN=COLUMN,…``: how every ``tenure import`` names a file's columns.

One parser for every kind of import (orders, accounts, contacts), so one spelling works
everywhere: pairs separated by commas, the option repeatable, file columns may hold spaces,
and ``FILE_COLUMN=-`` (or ``FILE_COLUMN=``) leaves a column out.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

#: The target that leaves a file column out.
DROP = "-"


def parse_column_map(text: str) -> dict[str, str]:
    """``"Customer no=external_id, Owner=-"`` → ``{"Customer no": "external_id", "Owner": "-"}``.

    Raises
    ------
    argparse.ArgumentTypeError
        A pair without ``=`` or without a file column; argparse shows it as a usage error.
    """
    mapping: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        source, equals, target = pair.partition("=")
        if not equals or not source.strip():
            raise argparse.ArgumentTypeError(
                f"{pair!r} is not FILE_COLUMN=COLUMN (or FILE_COLUMN=- to leave it out)"
            )
        mapping[source.strip()] = target.strip() or DROP
    return mapping


def merged_column_map(parts: Iterable[dict[str, str]] | None) -> dict[str, str]:
    """The ``--map`` options given, one dictionary (a later pair wins)."""
    mapping: dict[str, str] = {}
    for part in parts or ():
        mapping.update(part)
    return mapping


def add_map_argument(parser: argparse.ArgumentParser, *, example: str) -> None:
    """Add the repeatable ``--map`` option; ``options["mapping"]`` holds its parsed parts."""
    parser.add_argument(
        "--map",
        dest="mapping",
        action="append",
        type=parse_column_map,
        default=[],
        metavar="FILE_COLUMN=COLUMN[,…]",
        help=(
            f"read a file column as a Tenure column, e.g. {example}; map it to - to leave "
            "it out (repeatable)"
        ),
    )
