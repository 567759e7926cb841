"""Who is acting: the request's user, a named process, or the command that is running.

A context variable carries it, so each request (thread) and each task has its own, and
services need no extra argument to be audited. The middleware binds the request; commands
and jobs may name themselves with ``acting_as("tenure score")``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest

#: The actor when no request and no ``acting_as`` applies and no command can be named.
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who acts: a name, and the user's id when a person does."""

    name: str
    user_id: int | None = None


# Holds the request rather than its user: the user is resolved at the moment of a change,
# so a login during the request (or an anonymous survey answer) is attributed correctly.
_current: contextvars.ContextVar[Actor | HttpRequest | None] = contextvars.ContextVar(
    "tenure_audit_actor", default=None
)


def actor_of(who: Any) -> Actor:
    """An ``Actor`` for a user, a name, or an ``Actor``."""
    if isinstance(who, Actor):
        return who
    if isinstance(who, str):
        return Actor(who)
    if getattr(who, "is_authenticated", False):
        return Actor(who.get_username(), who.pk)
    return Actor("anonymous")


@contextlib.contextmanager
def acting_as(who: Any) -> Iterator[Actor]:
    """Attribute the changes made inside the block to ``who`` (a user or a name)."""
    actor = actor_of(who)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def bind_request(request: HttpRequest) -> contextvars.Token[Actor | HttpRequest | None]:
    """Attribute changes to the request's user until ``unbind`` (see the middleware)."""
    return _current.set(request)


def unbind(token: contextvars.Token[Actor | HttpRequest | None]) -> None:
    _current.reset(token)


def current_actor() -> Actor:
    """Who is acting now."""
    value = _current.get()
    if isinstance(value, Actor):
        return value
    if value is not None:
        return actor_of(getattr(value, "user", None))
    return _process_actor()


@cache
def _process_actor() -> Actor:
    """The command this process runs (``tenure import-crm``), or ``system``.

    Read from the command line once: ``tenure X`` and ``python -m django X`` name the
    management command, which is what an auditor needs to find the cron job or the person
    at the shell.
    """
    argv = sys.argv
    if len(argv) < 2:
        return Actor(SYSTEM)
    program = os.path.basename(argv[0])
    parent = os.path.basename(os.path.dirname(argv[0]))
    if program in {"tenure", "manage.py", "django-admin"} or (
        program == "__main__.py" and parent in {"tenure", "django"}
    ):
        command = argv[1] if not argv[1].startswith("-") else ""
        return Actor(f"tenure {command}".strip())
    return Actor(SYSTEM)
