"""``tenure backup``: one archive with the CRM store, the ledger and the secret key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup (CRM store, ledger, secret key, uploads) to one tar.gz "
        "archive with a manifest of checksums. Safe while Tenure is serving."
    )
    # The backup reads what is there; a configuration warning must not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            metavar="DIR",
            help="folder for the archive (default: $TENURE_HOME/backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        try:
            archive = backup_create(out_dir=options["out"], progress=self._progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = archive.stat().st_size / 1e6
        self.stdout.write(self.style.SUCCESS(f"Backup written: {archive} ({size:.1f} MB)"))

    def _progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {message}")
