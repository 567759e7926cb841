"""``tenure restore BACKUP``: bring an installation back from a ``tenure backup`` archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into TENURE_HOME and the database of TENURE_DATABASE_URL. "
        "Checks the archive's checksums and migrations first; refuses a non-empty target "
        "without --force. Stop `tenure serve` before restoring."
    )
    # The target may be empty or from another version: Django's checks would query it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, metavar="BACKUP", help="a tenure-backup-….tar.gz")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace an existing database, ledger and uploads",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        archive: Path = options["backup"]
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            restored = backup_restore(
                archive=archive, force=options["force"], progress=self._progress
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in restored.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        made = restored.manifest["created_at"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {made}: {restored.tables} tables, {restored.rows:,} "
                "rows, row counts match the manifest"
                + ("; migrated to this version" if restored.migrated else "")
                + "."
            )
        )

    def _progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {message}")
