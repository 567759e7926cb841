"""``tenure import_crm accounts|contacts FILE``: import a CRM export (CSV or Excel)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenure.accounts.imports import ACCOUNTS_IMPORT, CONTACTS_IMPORT

SUBCOMMANDS = {"accounts": ACCOUNTS_IMPORT, "contacts": CONTACTS_IMPORT}


class Command(BaseCommand):
    help = (
        "Import accounts (matched on external id) or contacts (matched on email) from a CSV "
        "or Excel file. Every row is checked; if one is bad, nothing is written. Re-running "
        "the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_subparsers(dest="what", required=True, metavar="{accounts,contacts}")
        for name, handler in SUBCOMMANDS.items():
            handler.add_arguments(what.add_parser(name, help=handler.help))

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["what"]].handle(self, options)
