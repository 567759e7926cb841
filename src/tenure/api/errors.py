"""One error body for every failure: ``{"error": {"code", "message", "field"}}``.

=============================  ======  ==================
raised                         status  ``code``
=============================  ======  ==================
``DomainError`` (a rule)        400    ``invalid``
bad token / no credentials      401    ``unauthenticated``
``AccessDenied``, CSRF          403    ``forbidden``
``NotFound``, hidden objects    404    ``not_found``
``IntegrityError`` (a race)     409    ``conflict``
request not matching schema     422    ``validation_error``
too many failed attempts        429    ``throttled``
=============================  ======  ==================
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tenure.accounts.permissions import AccessDenied
from tenure.core.errors import DomainError, NotFound

CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "throttled",
}


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    """The body of every error response."""

    error: ErrorDetail


class TooManyAttempts(HttpError):
    """Too many failed attempts from this address: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, f"too many failed attempts: try again in {retry_after} s")
        self.retry_after = retry_after


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """The ``response=`` entries documenting an operation's error statuses."""
    return dict.fromkeys(codes, ErrorOut)


#: Errors any authenticated read may answer with.
READ_ERRORS = error_responses(401, 404, 422, 429)
#: Errors any write may answer with.
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, message: str, field: str | None = None
) -> HttpResponse:
    body = {"error": {"code": CODES.get(status, "error"), "message": message, "field": field}}
    return api.create_response(request, body, status=status)


def _validation_field(location: Any) -> str | None:
    parts = [str(part) for part in location or ()]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source = parts.pop(0)
        # Body fields are nested under the handler's parameter name ("payload").
        if source == "body" and len(parts) > 1:
            parts.pop(0)
    return ".".join(parts) or None


def _validation_error(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = list(exc.errors or [])
    first = errors[0] if errors else {}
    field = _validation_field(first.get("loc"))
    messages = []
    for error in errors:
        where = _validation_field(error.get("loc"))
        text = str(error.get("msg", "invalid value"))
        messages.append(f"{where}: {text}" if where else text)
    return error_response(api, request, 422, "; ".join(messages) or "invalid request", field)


_E = TypeVar("_E", bound=Exception)


def _on(
    api: NinjaAPI, exc_class: type[_E], handler: Callable[[HttpRequest, _E], HttpResponse]
) -> None:
    # ninja annotates the handler's argument as ``_E | type[_E]``, but ``NinjaAPI.on_exception``
    # always passes the raised instance.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def install_error_handlers(api: NinjaAPI) -> None:
    """Map Tenure's and Django's exceptions to the error body on ``api``."""

    def handle(exc_class: type[Exception], status: int, *, field: bool = False) -> None:
        def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
            message = getattr(exc, "message", None) or str(exc) or CODES[status]
            return error_response(
                api, request, status, message, getattr(exc, "field", None) if field else None
            )

        _on(api, exc_class, handler)

    handle(DomainError, 400, field=True)
    handle(AccessDenied, 403, field=True)
    handle(NotFound, 404, field=True)
    handle(PermissionDenied, 403)
    handle(Http404, 404)
    handle(ObjectDoesNotExist, 404)

    def integrity(request: HttpRequest, _exc: Exception) -> HttpResponse:
        # Services check rules before writing; this is a concurrent write that won.
        return error_response(api, request, 409, "the data changed meanwhile: try again")

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        response = error_response(api, request, exc.status_code, str(exc))
        if isinstance(exc, TooManyAttempts):
            response["Retry-After"] = str(exc.retry_after)
        return response

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = str(exc) if str(exc) != "Unauthorized" else "log in or send a valid API token"
        response = error_response(api, request, 401, message)
        response["WWW-Authenticate"] = 'Bearer realm="tenure"'
        return response

    _on(api, IntegrityError, integrity)
    _on(api, HttpError, http_error)
    _on(api, AuthenticationError, unauthenticated)
    _on(api, ValidationError, lambda request, exc: _validation_error(api, request, exc))
