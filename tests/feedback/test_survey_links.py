"""Survey links lead to TENURE_BASE_URL, whoever sends them and from wherever."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from tenure.feedback.models import InvitationToken
from tests.accounts.factories import AccountFactory, PositionFactory, UserFactory
from tests.feedback.factories import NOW, make_campaign

pytestmark = pytest.mark.django_db


def _campaign():
    account = AccountFactory(name="Cedar Retail")
    PositionFactory(account=account)
    return make_campaign(account=account)


def test_survey_links_sent_from_the_web_use_the_base_url_not_the_browsers_host(client, settings):
    settings.ALLOWED_HOSTS = ["kam.example.com", "tenure.internal"]
    settings.TENURE_BASE_URL = "https://kam.example.com"
    campaign = _campaign()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        f"/feedback/campaigns/{campaign.pk}/send/", HTTP_HOST="tenure.internal", follow=True
    )
    assert "Sent 1 invitation(s)" in response.content.decode()
    body = mail.outbox[0].body
    assert "https://kam.example.com/feedback/s/" in body
    assert "tenure.internal" not in body


def test_web_reminders_use_the_base_url_too(client, settings):
    settings.ALLOWED_HOSTS = ["kam.example.com", "tenure.internal"]
    settings.TENURE_BASE_URL = "https://kam.example.com/"
    campaign = _campaign()
    client.force_login(UserFactory(is_staff=True))
    with time_machine.travel(NOW - dt.timedelta(days=8), tick=False):
        client.post(f"/feedback/campaigns/{campaign.pk}/send/", HTTP_HOST="tenure.internal")
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            f"/feedback/campaigns/{campaign.pk}/remind/", HTTP_HOST="tenure.internal", follow=True
        )
    assert "Sent 1 reminder(s)" in response.content.decode()
    assert [m.body.count("https://kam.example.com/feedback/s/") for m in mail.outbox] == [1, 1]
    assert all("tenure.internal" not in m.body for m in mail.outbox)


def test_sending_from_the_web_is_refused_while_the_base_url_is_not_set_on_a_server(
    client, settings
):
    settings.ALLOWED_HOSTS = ["kam.example.com"]
    settings.TENURE_BASE_URL = "http://127.0.0.1:8000"
    campaign = _campaign()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        f"/feedback/campaigns/{campaign.pk}/send/", HTTP_HOST="kam.example.com", follow=True
    )
    page = response.content.decode()
    assert "TENURE_BASE_URL is http://127.0.0.1:8000" in page
    assert "set TENURE_BASE_URL to Tenure&#x27;s public address" in page
    assert mail.outbox == []
    assert not InvitationToken.objects.exists()


def test_the_send_command_refuses_a_loopback_base_url_on_a_server_unless_given_one(settings):
    settings.ALLOWED_HOSTS = ["kam.example.com"]
    settings.TENURE_BASE_URL = "http://localhost:8000"
    campaign = _campaign()
    with pytest.raises(CommandError, match="TENURE_BASE_URL is http://localhost:8000"):
        call_command("survey", "send", str(campaign.pk))
    assert mail.outbox == []
    call_command("survey", "send", str(campaign.pk), "--base-url", "https://kam.example.com")
    assert "https://kam.example.com/feedback/s/" in mail.outbox[0].body
