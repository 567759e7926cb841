"""The REST API instance, mounted at ``/api/v1/`` (see docs/api.md).

Every operation authenticates itself (token or session, ``tenure.api.auth``), so the
operations are exempt from ``LoginRequiredMiddleware``: a script gets a 401 body rather
than a redirect to the log-in page. The interactive reference (``/api/v1/docs``) is a
page and needs a web log-in; the schema (``/api/v1/openapi.json``) needs a token or a
session like the data.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI

from tenure.api import (
    accounts,
    alerts,
    contacts,
    engagement,
    feedback,
    growth,
    planning,
    portfolio,
    scores,
)
from tenure.api.auth import api_auth
from tenure.api.docs import LocalSwagger
from tenure.api.errors import error_response, install_error_handlers

DESCRIPTION = """Tenure's REST API: accounts, stakeholders, interactions, plans, scores, tasks,
surveys and portfolio figures. Authenticate with a personal token
(`Authorization: Bearer <token>`, made on *My API tokens*) or a logged-in session (with
the `X-CSRFToken` header for changes). See docs/api.md."""


class TenureAPI(NinjaAPI):
    """NinjaAPI whose views do their own authentication instead of the log-in redirect."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if not isinstance(pattern, URLPattern):
                continue
            if pattern.name == "openapi-view":
                continue  # the docs page: a web page, logged in through the site
            if pattern.name == "openapi-json":
                pattern.callback = self._authenticated(pattern.callback)
            pattern.callback.login_required = False  # type: ignore[attr-defined]
        return urls

    def _authenticated(self, view: Any) -> Any:
        """Serve ``view`` only to a request that a token or a session authenticates."""
        checks = api_auth()

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            for check in checks:
                try:
                    user = check(request)
                except Exception as exc:
                    return self.on_exception(request, exc)
                if user:
                    request.auth = user  # type: ignore[attr-defined]
                    return view(request, *args, **kwargs)
            response = error_response(self, request, 401, "log in or send a valid API token")
            response["WWW-Authenticate"] = 'Bearer realm="tenure"'
            return response

        return wrapper


api = TenureAPI(
    title="Tenure API",
    version="1",
    description=DESCRIPTION,
    auth=api_auth(),
    docs=LocalSwagger(),
    urls_namespace="api",
)
install_error_handlers(api)
for module in (
    accounts,
    contacts,
    engagement,
    planning,
    scores,
    portfolio,
    feedback,
    growth,
    alerts,
):
    api.add_router("/", module.router)
