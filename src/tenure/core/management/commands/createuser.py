"""``tenure createuser``: add a person who uses Tenure."""

from __future__ import annotations

import getpass
import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = "Add a user. Without --password, asks for one (or generates one when not a terminal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password")
        parser.add_argument("--staff", action="store_true", help="may use the admin site")
        parser.add_argument("--superuser", action="store_true", help="all permissions")

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        user_model = get_user_model()
        username = str(options["username"]).strip()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        user = user_model(
            username=username,
            email=str(options["email"]),
            first_name=str(options["first_name"]),
            last_name=str(options["last_name"]),
            is_staff=bool(options["staff"] or options["superuser"]),
            is_superuser=bool(options["superuser"]),
        )
        password = options["password"]
        generated = False
        if password is None:
            if sys.stdin.isatty():
                password = getpass.getpass(f"Password for {username}: ")
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            validate_password(str(password), user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        user.set_password(str(password))
        user.full_clean()
        user.save()
        shown = f" / {password}" if generated else ""
        self.stdout.write(self.style.SUCCESS(f"User created: {username}{shown}"))
