"""Fixtures for survey tests: a clean rate-limit cache and a known supplier name."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _survey_settings(settings):
    settings.TENURE_SUPPLIER_NAME = "Acme Supplies"
    cache.clear()
    yield
    cache.clear()
