"""``tenure merge accounts|contacts KEEP DUPLICATE…``: fold duplicates into the one to keep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tenure.accounts.merge import account_merge, contact_merge, merge_summary
from tenure.accounts.models import Account, Contact, MergeRecord
from tenure.core.errors import DomainError


class _DryRun(Exception):
    """Raised to roll a dry run back."""


class Command(BaseCommand):
    help = (
        "Merge duplicates into the account or contact to keep: everything attached to them "
        "moves over, they are deleted, and a merge record keeps what they were."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{accounts,contacts}")
        accounts = kinds.add_parser("accounts", help="merge duplicate accounts")
        contacts = kinds.add_parser("contacts", help="merge duplicate contacts")
        for sub, noun in ((accounts, "account"), (contacts, "contact")):
            sub.add_argument("keep", help=f"id of the {noun} to keep")
            sub.add_argument("duplicates", nargs="+", help=f"ids of the duplicate {noun}s")
            sub.add_argument("--reason", default="", help="why (kept in the merge record)")
            sub.add_argument("--by", metavar="USERNAME", help="who is merging (for the record)")
            sub.add_argument("--dry-run", action="store_true", help="show what would happen")
        accounts.add_argument(
            "--external-ids", action="store_true", help="the ids given are external ids"
        )
        contacts.add_argument("--emails", action="store_true", help="the ids given are emails")

    def handle(self, *args: Any, **options: Any) -> None:
        by = None
        if options["by"]:
            try:
                by = get_user_model().objects.get_by_natural_key(options["by"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"no user named {options['by']!r}") from error
        model: type[Account] | type[Contact]
        merge: Callable[..., MergeRecord]
        if options["kind"] == "accounts":
            lookup = "external_id" if options["external_ids"] else "pk"
            model, merge = Account, account_merge
        else:
            lookup = "email__iexact" if options["emails"] else "pk"
            model, merge = Contact, contact_merge
        keep = _find(model, lookup, options["keep"])
        duplicates = [_find(model, lookup, value) for value in options["duplicates"]]
        try:
            with transaction.atomic():
                record = merge(keep=keep, duplicates=duplicates, by=by, reason=options["reason"])
                lines = merge_summary(record)
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            lines.append("Dry run: nothing was changed.")
        except DomainError as error:
            raise CommandError(error.message) from error
        for line in lines:
            self.stdout.write(line)


def _find(model: type[Account] | type[Contact], lookup: str, value: str) -> Any:
    try:
        if lookup == "pk" and not value.isdigit():
            raise model.DoesNotExist
        return model._default_manager.get(**{lookup: value})
    except model.DoesNotExist as error:
        noun = model._meta.verbose_name
        raise CommandError(f"no {noun} with {lookup.split('__')[0]} {value}") from error
