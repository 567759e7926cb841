"""``tenure serve``: serve the web app."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Tenure on 127.0.0.1:8000 (a single-process server for one team or a demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: object, **options: object) -> None:
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Serving Tenure on http://{address}/ — press Ctrl-C to stop.")
        call_command("runserver", address, use_reloader=False, skip_checks=False)
