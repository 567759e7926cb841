"""Attribute the changes a request makes to its user."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenure.audit.context import bind_request, unbind


class AuditActorMiddleware:
    """Bind the request for the audit trail; place it after ``AuthenticationMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bind_request(request)
        try:
            return self.get_response(request)
        finally:
            # Worker threads serve many requests: never leak one request's user to the next.
            unbind(token)
