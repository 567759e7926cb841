from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, email_messages):  # noqa: ARG002
        raise ConnectionRefusedError("connection refused by smtp.example")
