"""``tenure contact export|erase ID``: a person's data on request, or their erasure."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.accounts.models import Contact
from tenure.accounts.privacy import contact_erase, contact_export
from tenure.audit.context import acting_as
from tenure.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Export everything about a contact as JSON, or erase a contact on request "
        "(anonymise them; their interactions and survey scores stay)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,erase}")
        export = actions.add_parser("export", help="write the contact's data as JSON")
        export.add_argument("id", help="the contact's id")
        export.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
        erase = actions.add_parser("erase", help="anonymise the contact")
        erase.add_argument("id", help="the contact's id")
        erase.add_argument("--reason", default="", help="why (required; kept in the record)")
        erase.add_argument("--by", metavar="USERNAME", help="who asked (for the record)")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        contact = _find(options["id"])
        if options["action"] == "export":
            with acting_as("tenure contact export"):
                data = contact_export(contact=contact)
            text = json.dumps(data, indent=2, ensure_ascii=False)
            if options["out"]:
                with open(options["out"], "w", encoding="utf-8") as out:
                    out.write(text + "\n")
                self.stdout.write(f"Wrote the data of contact {contact.pk} to {options['out']}.")
            else:
                self.stdout.write(text)
            return
        reason = options["reason"].strip()
        if not reason:
            raise CommandError("say why with --reason: the erasure record keeps it")
        by = None
        if options["by"]:
            try:
                by = get_user_model().objects.get_by_natural_key(options["by"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"no user named {options['by']!r}") from error
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("not on a terminal: pass --yes to erase without asking")
            answer = input(f"Erase {contact} (contact {contact.pk})? This cannot be undone [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("nothing was erased")
        try:
            with acting_as(by or "tenure contact"):
                record = contact_erase(contact=contact, by=by, reason=reason)
        except DomainError as error:
            raise CommandError(error.message) from error
        changed = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in record.counts.items())
        self.stdout.write(f"Contact {contact.pk} erased ({changed}).")


def _find(value: str) -> Contact:
    try:
        if not value.isdigit():
            raise Contact.DoesNotExist
        return Contact.objects.get(pk=value)
    except Contact.DoesNotExist as error:
        raise CommandError(f"no contact with id {value}") from error
