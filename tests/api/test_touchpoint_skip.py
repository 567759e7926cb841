"""The API skips a touchpoint with the same service as the pages, reason included."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.engagement.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def test_skipping_through_the_api_keeps_the_reason(api):
    touchpoint = TouchpointFactory(scheduled_on=dt.date(2026, 12, 1))
    skipped = api.post(f"/touchpoints/{touchpoint.pk}/skip", {"reason": "Trade fair cancelled"})
    assert skipped.status_code == 200, skipped.content
    assert (skipped.json()["status"], skipped.json()["skip_reason"]) == (
        "skipped",
        "Trade fair cancelled",
    )
    again = api.post(f"/touchpoints/{touchpoint.pk}/skip", {})
    assert again.status_code in {400, 409, 422}
    assert "already skipped" in again.content.decode()
