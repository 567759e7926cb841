"""``tenure serve``: serve the web app (``--production`` for a real server)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Serve Tenure on 127.0.0.1:8000: a single-process server for one team or a demo, "
        "or with --production, gunicorn workers behind a TLS proxy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--production",
            action="store_true",
            help="serve with gunicorn (workers, threads, static files collected and served "
            "by WhiteNoise); refuses TENURE_DEBUG and unapplied migrations",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            metavar="N",
            help="with --production: worker processes (2; about one per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            metavar="N",
            help="with --production: threads per worker (4)",
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            help="with --production: log every request to standard output",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        if not options["production"]:
            self.stdout.write(f"Serving Tenure on http://{address}/ — press Ctrl-C to stop.")
            call_command("runserver", address, use_reloader=False, skip_checks=False)
            return
        from tenure.core import serving

        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        server = serving.ServerOptions(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            access_log=options["access_log"],
        )
        try:
            serving.prepare()
        except serving.NotReadyToServe as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Serving Tenure (production) on http://{server.bind}/ with {server.workers} "
            f"workers × {server.threads} threads — SIGTERM or Ctrl-C stops it."
        )
        self.stdout.flush()
        serving.run(server)
