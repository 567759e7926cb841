"""``tenure import WHAT FILE``: bring data in from CSV, Parquet or Excel files.

Each kind of data is a subcommand with a handler in ``SUBCOMMANDS``. A handler has a
``help`` line, ``add_arguments(parser)`` for its own options and
``handle(command, options)`` that does the work and raises ``CommandError`` on failure.
To add one, write the handler in the app that owns the data (as ``tenure.accounts.imports``
does for accounts and contacts) and register it here by name.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandParser

from tenure.accounts.imports import ACCOUNTS_IMPORT, CONTACTS_IMPORT
from tenure.ledger.imports import OrdersImport
from tenure.ledger.rates_import import RatesImport


class ImportHandler(Protocol):
    """What a ``tenure import`` subcommand provides."""

    @property
    def help(self) -> str: ...

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None: ...


SUBCOMMANDS: dict[str, ImportHandler] = {
    "orders": OrdersImport(),
    "accounts": ACCOUNTS_IMPORT,
    "contacts": CONTACTS_IMPORT,
    "rates": RatesImport(),
}


class Command(BaseCommand):
    help = "Import data from CSV, Parquet or Excel files: " + ", ".join(SUBCOMMANDS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(
            dest="subcommand", metavar="WHAT", required=True, title="what to import"
        )
        for name, handler in SUBCOMMANDS.items():
            handler.add_arguments(subparsers.add_parser(name, help=handler.help))

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["subcommand"]].handle(self, options)
