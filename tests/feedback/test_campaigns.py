"""Campaigns: who is invited, the contact budget, hashed tokens, emails, reminders, closing."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from tenure.access.choices import Role
from tenure.access.services import role_assign
from tenure.core.errors import DomainError
from tenure.feedback import selectors, services
from tenure.feedback.choices import CampaignStatus, CampaignTarget
from tenure.feedback.models import Campaign, Invitation, InvitationToken
from tenure.feedback.selectors import ContactBudget, contact_budget_allows
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.feedback.factories import (
    NOW,
    invite,
    make_campaign,
    make_template,
    open_campaign,
    respond,
)

pytestmark = pytest.mark.django_db

BASE = "https://tenure.example"
LINK = re.compile(r"https://tenure\.example/feedback/s/([A-Za-z0-9_-]+)/")
# A unique constraint broken: PostgreSQL names the constraint, SQLite its columns.
ONE_INVITATION_PER_CONTACT = (
    r"invitation_one_per_contact_campaign"
    r"|feedback_invitation\.campaign_id, feedback_invitation\.contact_id$"
)


def _links(message) -> list[str]:
    return LINK.findall(message.body)


def test_send_invites_each_active_contact_with_an_email_and_reports_the_rest():
    account = AccountFactory(name="Birch Foods")
    ina = PositionFactory(account=account, contact__first_name="Ina").contact
    no_email = PositionFactory(account=account, contact__email=None).contact
    gone = PositionFactory(account=account, left_on=dt.date(2025, 1, 1)).contact
    campaign = make_campaign(account=account)

    report = services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)

    assert [i.contact for i in report.sent] == [ina]
    assert [(s.contact, s.reason) for s in report.skipped] == [(no_email, "no email address")]
    assert not Invitation.objects.filter(contact=gone).exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.sent_at == NOW
    assert campaign.skipped == [
        {"contact": no_email.pk, "account": account.pk, "reason": "no email address"}
    ]
    assert mail.outbox[0].to == [ina.email]


def test_the_token_is_random_and_stored_only_as_its_sha256():
    position = PositionFactory()
    campaign = make_campaign(account=position.account)
    services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    [raw] = _links(mail.outbox[0])

    assert len(raw) >= 43  # 32 random bytes in base64: 256 bits
    stored = InvitationToken.objects.get()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_hash FROM feedback_invitationtoken")
        assert raw not in str(cursor.fetchall())


def test_the_email_names_the_supplier_and_never_the_manager():
    membership = TeamMembershipFactory(user__first_name="Morgan", user__last_name="Keeper")
    PositionFactory(account=membership.account)
    campaign = make_campaign(account=membership.account)
    services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    message = mail.outbox[0]
    assert "Acme Supplies" in message.subject
    assert "Acme Supplies" in message.body
    for private in ("Morgan", "Keeper", membership.user.username):
        assert private not in message.body
        assert private not in message.subject


def test_sending_again_invites_newcomers_only():
    position = PositionFactory()
    campaign = make_campaign(account=position.account)
    services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    newcomer = PositionFactory(account=position.account).contact
    report = services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    assert [i.contact for i in report.sent] == [newcomer]
    assert Invitation.objects.filter(campaign=campaign).count() == 2
    assert len(mail.outbox) == 2


def test_a_person_at_two_targeted_accounts_is_asked_once():
    contact = ContactFactory()
    for name in ("Alder", "Birch"):
        PositionFactory(contact=contact, account=AccountFactory(name=name, tier="A"))
    campaign = make_campaign(target=CampaignTarget.TIER, tier="A")
    report = services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    assert [(i.contact, i.account.name) for i in report.sent] == [(contact, "Alder")]


def test_tier_and_key_account_targets_leave_out_churned_accounts():
    live = PositionFactory(account__tier="B", account__is_key_account=True).contact
    PositionFactory(account__tier="B", account__is_key_account=True, account__status="churned")
    PositionFactory(account__tier="A")
    for fields in ({"target": CampaignTarget.TIER, "tier": "B"}, {"target": "key_accounts"}):
        campaign = make_campaign(**fields)
        assert [c for c, _ in selectors.campaign_targets(campaign=campaign)] == [live]


def test_contact_budget_skips_people_surveyed_recently_with_the_reason():
    position = PositionFactory()
    earlier = open_campaign(account=position.account, now=NOW - dt.timedelta(days=30))
    Invitation.objects.create(
        campaign=earlier,
        contact=position.contact,
        account=position.account,
        sent_at=NOW - dt.timedelta(days=30),
    )
    campaign = make_campaign(account=position.account)
    report = services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    assert report.sent == []
    [skip] = report.skipped
    assert "fewer than 90 days ago" in skip.reason


def _history(*days_ago: int) -> list[dt.date]:
    return [NOW.date() - dt.timedelta(days=d) for d in days_ago]


def test_budget_interval_boundary_and_cap():
    contact = ContactFactory.build(pk=1)
    budget = ContactBudget(min_interval_days=90, max_per_period=2, period_days=365)
    today = NOW.date()
    assert contact_budget_allows(
        contact=contact, on_date=today, budget=budget, history=_history(90)
    )
    refused = contact_budget_allows(
        contact=contact, on_date=today, budget=budget, history=_history(89)
    )
    assert not refused
    assert "fewer than 90 days" in refused.reason
    capped = contact_budget_allows(
        contact=contact, on_date=today, budget=budget, history=_history(300, 200)
    )
    assert not capped
    assert "2 times in the last 365 days" in capped.reason
    assert contact_budget_allows(
        contact=contact, on_date=today, budget=budget, history=_history(400, 200)
    )


def test_budget_reads_the_history_itself_when_not_given():
    position = PositionFactory()
    campaign = open_campaign(account=position.account)
    Invitation.objects.create(
        campaign=campaign, contact=position.contact, account=position.account, sent_at=NOW
    )
    assert not contact_budget_allows(
        contact=position.contact, on_date=NOW.date() + dt.timedelta(days=10)
    )
    assert contact_budget_allows(contact=ContactFactory(), on_date=NOW.date())


def test_campaign_create_refuses_past_close_missing_account_and_inactive_template():
    template = make_template()
    with pytest.raises(DomainError, match="future"):
        make_campaign(template=template, closes_at=NOW - dt.timedelta(days=1))
    with pytest.raises(DomainError, match="choose the account"):
        services.campaign_create(
            name="x",
            template=template,
            target=CampaignTarget.ACCOUNT,
            closes_at=NOW + dt.timedelta(days=9),
        )
    template.is_active = False
    template.save()
    with pytest.raises(DomainError, match="not active"):
        make_campaign(template=template)


def test_closed_campaigns_cannot_be_sent():
    campaign = make_campaign()
    services.campaign_close(campaign=campaign, now=NOW)
    with pytest.raises(DomainError, match="closed"):
        services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)


def _sent_campaign(people: int = 3, **fields) -> Campaign:
    account = AccountFactory()
    for _ in range(people):
        PositionFactory(account=account)
    campaign = make_campaign(account=account, **fields)
    services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    mail.outbox.clear()
    return campaign


def test_reminders_go_to_non_responders_only_at_most_n_times_and_not_too_soon():
    campaign = _sent_campaign(
        people=3, max_reminders=2, reminder_interval_days=7, closes_at=NOW + dt.timedelta(days=60)
    )
    answered = campaign.invitations.first()
    services.write_response(
        invitation=answered,
        answers={campaign.version.questions.get(key="nps"): 9},
        consent=False,
        at=NOW,
    )
    too_soon = services.campaign_remind(campaign=campaign, base_url=BASE, now=NOW)
    assert too_soon.sent == []

    week = dt.timedelta(days=7)
    first = services.campaign_remind(campaign=campaign, base_url=BASE, now=NOW + week)
    second = services.campaign_remind(campaign=campaign, base_url=BASE, now=NOW + 2 * week)
    third = services.campaign_remind(campaign=campaign, base_url=BASE, now=NOW + 3 * week)

    assert len(first.sent) == len(second.sent) == 2
    assert third.sent == []
    assert answered.contact.email not in {m.to[0] for m in mail.outbox}
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    assert set(campaign.invitations.values_list("reminders_sent", flat=True)) == {0, 2}


def test_a_reminder_carries_a_new_link_and_the_first_link_still_works(client):
    account = AccountFactory()
    PositionFactory(account=account)
    campaign = make_campaign(account=account, now=NOW, closes_at=NOW + dt.timedelta(days=30))
    services.campaign_send(campaign=campaign, base_url=BASE, now=NOW - dt.timedelta(days=8))
    services.campaign_remind(campaign=campaign, base_url=BASE, now=NOW)
    first, reminder = (_links(m)[0] for m in mail.outbox)
    assert first != reminder
    for raw in (first, reminder):
        response = client.get(f"/feedback/s/{raw}/")
        assert response.status_code == 200
        assert "How likely are you to recommend us?" in response.content.decode()


def test_no_reminders_after_the_campaign_closes():
    campaign = _sent_campaign(people=1)
    services.campaign_close(campaign=campaign, now=NOW)
    campaign.refresh_from_db()
    later = NOW + dt.timedelta(days=8)
    assert services.campaign_remind(campaign=campaign, base_url=BASE, now=later).sent == []
    assert not [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert set(campaign.invitations.values_list("reminders_sent", flat=True)) == {0}


def test_send_and_remind_commands(capsys, settings):
    settings.TENURE_BASE_URL = BASE
    account = AccountFactory()
    PositionFactory(account=account)
    PositionFactory(account=account, contact__email=None, contact__last_name="Nomail")
    campaign = make_campaign(account=account)
    call_command("survey", "send", str(campaign.pk))
    out = capsys.readouterr().out
    assert "1 invitation(s) sent, 1 skipped" in out
    assert "Nomail" in out
    assert "no email" in out
    assert _links(mail.outbox[0])
    call_command("survey", "remind")
    assert "0 reminder(s) sent" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no campaign has id 999999"):
        call_command("survey", "send", "999999")


def test_close_command_and_closed_links():
    campaign = open_campaign()
    respond(campaign, score=9)
    call_command("survey", "close", str(campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.closed_at is not None
    with pytest.raises(CommandError, match="already closed"):
        call_command("survey", "close", str(campaign.pk))


def test_a_failed_email_leaves_no_token_and_is_retried_on_the_next_send(monkeypatch):
    position = PositionFactory()
    campaign = make_campaign(account=position.account)

    def broken(_self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    report = services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    assert report.sent == []
    assert "mail server down" in report.failed[0][1]
    assert not InvitationToken.objects.exists()
    monkeypatch.undo()
    retry = services.campaign_send(campaign=campaign, base_url=BASE, now=NOW)
    assert len(retry.sent) == 1
    assert InvitationToken.objects.count() == 1


def test_a_director_without_the_staff_flag_creates_and_sends_a_campaign(client):
    account = AccountFactory(name="Cedar Retail")
    PositionFactory(account=account)
    director = UserFactory(is_staff=False)
    role_assign(user=director, role=Role.DIRECTOR)
    client.force_login(director)
    assert "Survey campaigns" in client.get("/feedback/").content.decode()
    template = make_template()
    response = client.post(
        "/feedback/campaigns/new/",
        {
            "name": "Cedar check-in",
            "template": template.pk,
            "target": "account",
            "account": account.pk,
            "tier": "",
            "closes_on": (NOW + dt.timedelta(days=14)).date().isoformat(),
            "min_interval_days": 90,
            "max_per_period": 2,
            "max_reminders": 2,
            "reminder_interval_days": 7,
        },
    )
    campaign = Campaign.objects.get(name="Cedar check-in")
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/campaigns/{campaign.pk}/"
    response = client.post(f"/feedback/campaigns/{campaign.pk}/send/", follow=True)
    assert "Sent 1 invitation(s); skipped 0." in response.content.decode()
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8000/feedback/s/" in mail.outbox[0].body


@pytest.mark.parametrize("role", [Role.ANALYST, Role.KEY_ACCOUNT_MANAGER])
def test_the_staff_flag_does_not_open_campaign_pages_to_other_roles(client, role):
    campaign = make_campaign(account=PositionFactory().account)
    user = UserFactory(is_staff=True)
    role_assign(user=user, role=role)
    client.force_login(user)
    assert client.get("/feedback/campaigns/").status_code == 403
    assert client.get("/feedback/campaigns/new/").status_code == 403
    assert client.post(f"/feedback/campaigns/{campaign.pk}/send/").status_code == 403
    assert not mail.outbox
    assert not campaign.invitations.exists()
    assert "Survey campaigns" not in client.get("/feedback/").content.decode()


def test_database_refuses_a_tier_campaign_without_a_tier_and_a_raw_token():
    campaign = make_campaign()
    with (
        pytest.raises(IntegrityError, match="campaign_target_matches_account_or_tier"),
        transaction.atomic(),
    ):
        Campaign.objects.filter(pk=campaign.pk).update(target=CampaignTarget.TIER, account=None)
    invitation, _ = invite(open_campaign())
    with (
        pytest.raises(IntegrityError, match="invitation_token_is_sha256_hex"),
        transaction.atomic(),
    ):
        InvitationToken.objects.create(
            invitation=invitation, token_hash="raw-token", purpose="invitation"
        )
    with pytest.raises(IntegrityError, match=ONE_INVITATION_PER_CONTACT), transaction.atomic():
        Invitation.objects.create(
            campaign=invitation.campaign, contact=invitation.contact, account=invitation.account
        )
