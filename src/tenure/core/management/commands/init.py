"""``tenure init``: make a data folder ready to use."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create TENURE_HOME, migrate the CRM store and create an administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin", default="admin", help="administrator's username")
        parser.add_argument(
            "--password",
            help="administrator's password (default: generated and printed once)",
        )

    def handle(self, *args: object, **options: str) -> None:
        home = settings.HOME
        home.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data folder: {home}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("CRM store migrated.")
        user_model = get_user_model()
        username = options["admin"]
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"Administrator {username!r} already exists; password unchanged.")
            return
        password = options["password"] or secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Administrator created: {username} / {password}"))
        if not options["password"]:
            self.stdout.write("Write the password down: it is not shown again.")
