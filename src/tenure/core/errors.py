"""Domain errors raised by services when a business rule is broken."""

from __future__ import annotations


class DomainError(Exception):
    """A write was refused because it breaks a business rule.

    ``field`` names the input at fault where there is one, so forms and the API can
    attach the message to it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class NotFound(DomainError):
    """A referenced object does not exist."""
