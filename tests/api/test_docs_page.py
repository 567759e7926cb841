"""The interactive API reference is served from this server: no CDN, no outside URL."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client


def test_the_docs_page_loads_swagger_ui_from_local_static_files(director):
    client = Client()
    client.force_login(director)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", html)
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    assets = re.findall(r"(?:src|href)=\"/static/([^\"]+)\"", html)
    assert len(assets) == 3
    for asset in assets:
        assert finders.find(asset), asset
    assert '"url": "/api/v1/openapi.json"' in html
