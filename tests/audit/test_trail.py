"""The trail names the person behind a web request, and nobody can rewrite it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from tenure.audit.history import history_entries
from tenure.audit.models import AuditEvent, AuditTrailIsAppendOnly
from tenure.audit.selectors import account_audit, object_audit
from tenure.engagement.models import Interaction, Touchpoint
from tenure.engagement.services import touchpoint_skip
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.engagement.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def test_a_web_request_records_the_logged_in_user(audited_client, account, user):
    TeamMembershipFactory(account=account, user=user)  # a manager changes their own accounts
    audited_client.force_login(user)
    response = audited_client.post(
        reverse("engagement:log", args=[account.pk]),
        {
            "kind": "call",
            "occurred_at": "2026-03-02T10:30",
            "summary": "Price talk",
            "sentiment": 0,
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get(summary="Price talk")
    created = object_audit(model=Interaction, object_id=interaction.pk).get(action="create")
    assert (created.actor, created.actor_id) == (user.username, user.pk)
    assert created.account_id == account.pk
    assert created.object_repr == f"Call with {account.name} on 2026-03-02"
    assert created.after["summary"] == "Price talk"
    assert created.after["occurred_at"].startswith("2026-03-02T10:30:00")


def test_a_record_whose_text_needs_a_query_is_named_by_its_kind_and_id(account):
    touchpoint = Touchpoint.objects.get(pk=TouchpointFactory(account=account).pk)
    touchpoint_skip(touchpoint=touchpoint)
    assert object_audit(model=Touchpoint, object_id=touchpoint.pk).first().object_repr == (
        f"touchpoint {touchpoint.pk}"
    )


@pytest.mark.usefixtures("user")
def test_the_history_partial_shows_who_changed_what_in_words(account):
    touchpoint = TouchpointFactory(account=account, title="QBR")
    touchpoint_skip(touchpoint=touchpoint)
    events = list(account_audit(account_id=account.pk))
    html = render_to_string(
        "audit/_history.html", {"entries": history_entries(events), "page": None}
    )
    assert "History" in html
    assert "Tenure changed the status of the touchpoint" in html
    assert "from Planned to Skipped" in html
    empty = render_to_string("audit/_history.html", {"entries": [], "page": None})
    assert "No recorded changes yet." in empty


@pytest.fixture
def event(account):
    TouchpointFactory(account=account, scheduled_on=dt.date(2026, 4, 1))
    return AuditEvent.objects.filter(model="engagement.touchpoint").get()


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_shows_events_but_cannot_add_change_or_delete_them(superuser_client, event):
    changelist = reverse("admin:audit_auditevent_changelist")
    assert superuser_client.get(changelist).status_code == 200
    assert superuser_client.get(changelist, {"action": "create"}).status_code == 200
    page = superuser_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b"deletelink" not in page.content
    assert superuser_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change = superuser_client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"actor": "someone else"}
    )
    assert change.status_code == 403
    delete = superuser_client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    bulk = superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in {200, 302}
    event.refresh_from_db()
    assert event.actor == "system"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_there_is_no_permission_to_grant_for_changing_events():
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_auditevent"}


def test_the_model_refuses_to_change_or_delete_events(event):
    event.actor = "someone else"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(actor="someone else")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_to_update_events(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor = 'someone else'")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).actor == "system"


@pytest.mark.django_db
def test_bulk_imports_leave_one_summary_event_per_kind_of_change():
    from tenure.accounts.upserts import account_upsert_many
    from tenure.audit.models import AuditEvent

    account_upsert_many(
        rows=[{"external_id": "B1", "name": "One"}, {"external_id": "B2", "name": "Two"}]
    )
    account_upsert_many(rows=[{"external_id": "B1", "name": "One renamed"}])
    events = AuditEvent.objects.filter(model="accounts.account", note="import").order_by("pk")
    assert [(e.action, e.count) for e in events] == [("bulk_create", 2), ("bulk_update", 1)]
