"""The interactive API reference (Swagger UI), served from vendored files, never a CDN.

django-ninja's own renderer falls back to a CDN when ``ninja`` is not an installed app;
this one always renders ``api/docs.html`` with Swagger UI from ``api/static/api/vendor``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

#: The vendored Swagger UI (npm package ``swagger-ui-dist``), its version in the folder name.
SWAGGER_UI = "api/vendor/swagger-ui-5.35.0"


class LocalSwagger(DocsBase):
    """Swagger UI from this server's static files."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings: dict[str, Any] = {
            "layout": "BaseLayout",
            "deepLinking": True,
            # The default validator badge would send the schema to an outside service.
            "validatorUrl": None,
            **(settings or {}),
        }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            # "</" cannot close the script element the settings sit in.
            "swagger_settings": json.dumps(settings).replace("</", "<\\/"),
            "swagger_js": f"{SWAGGER_UI}/swagger-ui-bundle.js",
            "swagger_css": f"{SWAGGER_UI}/swagger-ui.css",
        }
        return render(request, "api/docs.html", context)
