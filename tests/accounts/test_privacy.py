"""Personal data: export everything about a person, erase them on request."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.accounts.models import Contact, ErasureRecord
from tenure.accounts.privacy import contact_erase, contact_export
from tenure.audit.models import AuditEvent
from tenure.core.errors import DomainError
from tenure.engagement.models import Interaction, Touchpoint
from tenure.feedback.models import Answer, InvitationToken, Response
from tests.accounts.factories import AccountFactory, ContactFactory, PositionFactory, UserFactory
from tests.feedback.factories import open_campaign, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    """A person at two accounts, in one interaction, with a touchpoint and survey answers."""
    contact = ContactFactory(
        first_name="Ines", last_name="Moreau", phone="+33 1 23", birthday=dt.date(1980, 5, 4)
    )
    first = PositionFactory(contact=contact, title="Buyer").account
    PositionFactory(contact=contact, account=AccountFactory(), title="Head of Category")
    interaction = Interaction.objects.create(
        account=first, occurred_at=timezone.now(), kind="meeting", summary="Quarterly review"
    )
    interaction.contacts.add(contact, PositionFactory(account=first).contact)
    Touchpoint.objects.create(
        account=first, scheduled_on=dt.date.today(), kind="meeting", contact=contact
    )
    campaign = open_campaign(account=first)
    respond(
        campaign,
        contact=contact,
        account=first,
        score=9,
        consent=True,
        nps_why="Ines likes the delivery times",
        better="Call me on my mobile",
    )
    respond(campaign, score=4)  # someone else at the account
    return contact


def test_export_holds_the_person_positions_interactions_and_their_answers(person):
    data = contact_export(contact=person)
    json.dumps(data)  # serialisable as it is
    assert data["person"]["email"] == person.email
    assert data["person"]["birthday"] == "1980-05-04"
    assert {p["title"] for p in data["positions"]} == {"Buyer", "Head of Category"}
    assert [i["summary"] for i in data["interactions"]] == ["Quarterly review"]
    assert len(data["touchpoints"]) == 1
    (survey,) = data["surveys"]
    answers = {a["text"] or a["score"] for a in survey["answers"]}
    assert {9, "Ines likes the delivery times", "Call me on my mobile"} <= answers
    assert any(e["model"] == "accounts.contact" for e in data["audit_events"])


def test_an_export_leaves_out_anonymous_answers_and_is_recorded_in_the_audit_trail(client, person):
    # The same person answers another campaign anonymously.
    account = person.positions.first().account
    respond(
        open_campaign(account=account, name="Autumn survey"),
        contact=person,
        account=account,
        score=3,
        consent=False,
        nps_why="Secretly unhappy",
    )
    director = UserFactory(username="dora")
    role_assign(user=director, role="director")
    client.force_login(director)
    assert (
        client.get(f"/accounts/contacts/{person.pk}/export/").status_code == 405
    )  # GET never writes
    assert not AuditEvent.objects.filter(action="export").exists()

    download = client.post(f"/accounts/contacts/{person.pk}/export/")

    data = download.json()
    text = json.dumps(data)
    assert "Secretly unhappy" not in text
    assert "Autumn survey" in text
    autumn = next(s for s in data["surveys"] if s["campaign"] == "Autumn survey")
    assert set(autumn) == {"campaign", "account", "sent_at"}  # no answers, no day
    named = next(s for s in data["surveys"] if s["campaign"] != "Autumn survey")
    assert {a["score"] for a in named["answers"]} >= {9}
    (event,) = AuditEvent.objects.filter(action="export")
    assert (event.actor, event.actor_id) == ("dora", director.pk)
    assert (event.model, event.object_id) == ("accounts.contact", str(person.pk))
    assert "Moreau" not in event.object_repr


def test_campaigns_and_invitations_cannot_be_deleted_in_the_admin(client, person):
    from tenure.feedback.models import Campaign, Invitation

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    invitation = Invitation.objects.filter(contact=person).first()
    for url in (
        f"/admin/feedback/invitation/{invitation.pk}/delete/",
        f"/admin/feedback/campaign/{invitation.campaign_id}/delete/",
    ):
        page = client.get(url)
        assert page.status_code == 403
        assert "Response" not in page.content.decode()
        assert "Answers to" not in page.content.decode()
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert Campaign.objects.filter(pk=invitation.campaign_id).exists()


def test_erase_blanks_the_person_and_keeps_interactions_and_scores(person, user):
    interaction = Interaction.objects.get()
    scores_before = sorted(
        Answer.objects.filter(score__isnull=False).values_list("score", flat=True)
    )
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    record = contact_erase(contact=person, by=user, reason="Asked by email on 3 March")

    person.refresh_from_db()
    assert person.full_name == f"Erased person #{person.pk}"
    assert (person.email, person.phone, person.birthday) == (None, "", None)
    assert Interaction.objects.filter(pk=interaction.pk).exists()
    assert interaction.contacts.count() == 1
    assert person not in interaction.contacts.all()
    assert Touchpoint.objects.get().contact is None
    # Scores still count; the person's free text is gone, and so is their consent to be named.
    assert (
        sorted(Answer.objects.filter(score__isnull=False).values_list("score", flat=True))
        == scores_before
    )
    assert not Answer.objects.filter(response__invitation__contact=person).exclude(text="")
    assert not Response.objects.filter(invitation__contact=person, consent_to_share=True)
    assert not InvitationToken.objects.filter(invitation__contact=person)

    assert record.contact_id == person.pk
    assert record.erased_by == user
    assert record.counts["interactions_unlinked"] == 1
    assert record.counts["touchpoints_detached"] == 1
    assert record.counts["answers_text_deleted"] == 2  # both texts were text-only answers
    assert record.counts["responses_anonymised"] == 1
    assert "Moreau" not in json.dumps(record.counts)
    assert "Moreau" not in record.reason
    # The erasure's own audit events carry no erased value.
    erasure_events = AuditEvent.objects.filter(id__gt=last_event)
    assert erasure_events.filter(note__contains=f"contact {person.pk} erased").exists()
    for event in erasure_events:
        assert "Moreau" not in json.dumps([event.before, event.after, event.note])


def test_erasing_a_person_writes_their_name_into_no_audit_event(person, user):
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    contact_erase(contact=person, by=user, reason="Asked by email on 3 March")

    events = list(AuditEvent.objects.filter(id__gt=last_event))
    # The unlinking from the interaction is recorded, under the blanked name.
    unlinked = [e for e in events if "interactions" in e.after]
    assert [e.object_repr for e in unlinked] == [f"Erased person #{person.pk}"]
    for event in events:
        written = json.dumps([event.object_repr, event.before, event.after, event.note])
        assert "Ines" not in written
        assert "Moreau" not in written


def test_erase_refuses_without_a_reason(person, user):
    with pytest.raises(DomainError, match="say why this person is erased"):
        contact_erase(contact=person, by=user, reason="  ")
    person.refresh_from_db()
    assert person.last_name == "Moreau"
    assert not ErasureRecord.objects.exists()


def test_command_exports_and_erases_with_a_reason_only(person, tmp_path):
    out = tmp_path / "ines.json"
    call_command("contact", "export", str(person.pk), "--out", str(out), stdout=io.StringIO())
    assert json.loads(out.read_text())["person"]["last_name"] == "Moreau"
    with pytest.raises(CommandError, match="reason"):
        call_command("contact", "erase", str(person.pk), "--yes")
    call_command(
        "contact", "erase", str(person.pk), "--reason", "request", "--yes", stdout=io.StringIO()
    )
    assert Contact.objects.get(pk=person.pk).email is None


def _client_as(client, role):
    user = UserFactory()
    role_assign(user=user, role=role)
    client.force_login(user)
    return client


def test_a_key_account_manager_cannot_export_or_erase(client, person):
    client = _client_as(client, "kam")
    assert client.post(f"/accounts/contacts/{person.pk}/export/").status_code == 403
    assert client.get(f"/accounts/contacts/{person.pk}/erase/").status_code == 403
    response = client.post(f"/accounts/contacts/{person.pk}/erase/", {"reason": "x"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.last_name == "Moreau"
    page = client.get(f"/accounts/contacts/{person.pk}/").content.decode()
    assert "Moreau" in page
    assert "Erase this person" not in page


def test_an_admin_exports_and_erases_through_the_pages(client, person):
    client = _client_as(client, "admin")
    assert "Erase this person" in client.get(f"/accounts/contacts/{person.pk}/").content.decode()
    download = client.post(f"/accounts/contacts/{person.pk}/export/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert download.json()["person"]["last_name"] == "Moreau"
    assert client.post(f"/accounts/contacts/{person.pk}/erase/", {"reason": ""}).status_code == 400
    response = client.post(f"/accounts/contacts/{person.pk}/erase/", {"reason": "GDPR request"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Erased person"
    assert ErasureRecord.objects.get().reason == "GDPR request"
