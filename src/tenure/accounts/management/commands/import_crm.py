"""``tenure import_crm accounts|contacts FILE``: the old name of ``tenure import``.

Kept as an alias so scripts written against it still run: it says it is deprecated and
runs the very handlers ``tenure import accounts|contacts`` runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenure.accounts.imports import ACCOUNTS_IMPORT, CONTACTS_IMPORT

SUBCOMMANDS = {"accounts": ACCOUNTS_IMPORT, "contacts": CONTACTS_IMPORT}
DEPRECATION = (
    "`tenure import_crm` is deprecated and will be removed: use `tenure import {what}` "
    "(same options)."
)


class Command(BaseCommand):
    help = "Deprecated: use `tenure import accounts|contacts FILE` (same options)."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_subparsers(dest="what", required=True, metavar="{accounts,contacts}")
        for name, handler in SUBCOMMANDS.items():
            handler.add_arguments(what.add_parser(name, help=handler.help))

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.write(DEPRECATION.format(what=options["what"]))
        SUBCOMMANDS[options["what"]].handle(self, options)
