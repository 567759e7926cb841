"""Every change to CRM data records who, when, what, and the changed fields before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tenure.audit.context import acting_as
from tenure.audit.models import AuditEvent
from tenure.audit.recording import AUDITED_APPS, audited_models
from tenure.audit.selectors import account_audit, object_audit
from tenure.audit.services import audit_record_bulk
from tenure.core.errors import DomainError
from tenure.engagement.models import Interaction, Touchpoint
from tenure.engagement.services import interaction_log, touchpoint_plan, touchpoint_skip
from tenure.planning.services import goal_add, goal_record_progress
from tests.accounts.factories import ContactFactory, PositionFactory
from tests.engagement.factories import TouchpointFactory
from tests.planning.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


def test_service_change_records_who_before_and_after(account, user):
    with acting_as(user):
        touchpoint = touchpoint_plan(
            account=account, scheduled_on=dt.date(2026, 4, 1), kind="review", title="QBR"
        )
        touchpoint_skip(touchpoint=touchpoint)

    created, skipped = object_audit(model=Touchpoint, object_id=touchpoint.pk).order_by("id")
    assert (created.action, created.actor, created.actor_id) == ("create", user.username, user.pk)
    assert created.account_id == account.pk
    assert created.model == "engagement.touchpoint"
    assert created.after["scheduled_on"] == "2026-04-01"
    assert created.after["title"] == "QBR"
    assert created.before == {}
    # Only what changed, and the record's timestamps are the event's business, not a change.
    assert skipped.action == "update"
    assert skipped.before == {"status": "planned"}
    assert skipped.after == {"status": "skipped"}


def test_decimals_and_dates_are_serialised_and_indirect_records_find_their_account(account):
    objective = ObjectiveFactory(plan__account=account)
    goal = goal_add(
        objective=objective,
        kpi="Share of wallet",
        baseline=Decimal("12.50"),
        target=Decimal("20.00"),
        due_on=dt.date(2026, 3, 1),
    )
    goal_record_progress(goal=goal, current=Decimal("15.25"))

    events = list(object_audit(model=type(goal), object_id=goal.pk).order_by("id"))
    assert events[0].after["baseline"] == "12.50"
    assert events[0].after["due_on"] == "2026-03-01"
    assert events[1].before == {"current": None}
    assert events[1].after == {"current": "15.25"}
    assert {e.account_id for e in events} == {account.pk}


def test_changes_outside_a_request_are_the_systems_and_a_name_can_be_given(account):
    touchpoint = TouchpointFactory(account=account)
    with acting_as("tenure score"):
        touchpoint_skip(touchpoint=touchpoint)
    created, skipped = object_audit(model=Touchpoint, object_id=touchpoint.pk).order_by("id")
    assert (created.actor, created.actor_id) == ("system", None)
    assert (skipped.actor, skipped.actor_id) == ("tenure score", None)


def test_saving_without_a_change_records_nothing(account):
    touchpoint = TouchpointFactory(account=account)
    Touchpoint.objects.get(pk=touchpoint.pk).save()
    assert object_audit(model=Touchpoint, object_id=touchpoint.pk).count() == 1


def test_save_with_update_fields_records_only_the_fields_written(account):
    touchpoint = Touchpoint.objects.get(pk=TouchpointFactory(account=account, title="A").pk)
    touchpoint.title, touchpoint.kind = "B", "meeting"
    touchpoint.save(update_fields=["title"])
    touchpoint.save(update_fields=["kind"])
    events = list(object_audit(model=Touchpoint, object_id=touchpoint.pk).order_by("id"))[1:]
    assert [(e.before, e.after) for e in events] == [
        ({"title": "A"}, {"title": "B"}),
        ({"kind": "review"}, {"kind": "meeting"}),
    ]


def test_a_record_built_with_a_key_is_compared_with_the_stored_row(account):
    touchpoint = TouchpointFactory(account=account, title="Stored")
    rebuilt = Touchpoint(
        pk=touchpoint.pk,
        account=account,
        scheduled_on=touchpoint.scheduled_on,
        kind=touchpoint.kind,
        title="Rebuilt",
        created_at=touchpoint.created_at,
    )
    rebuilt.save()
    update = object_audit(model=Touchpoint, object_id=touchpoint.pk).first()
    assert (update.before, update.after) == ({"title": "Stored"}, {"title": "Rebuilt"})


def test_delete_records_the_last_values(account):
    touchpoint = TouchpointFactory(account=account, title="Gone")
    pk = touchpoint.pk
    touchpoint.delete()
    deleted = object_audit(model=Touchpoint, object_id=pk).first()
    assert deleted.action == "delete"
    assert deleted.before["title"] == "Gone"
    assert deleted.after == {}
    assert deleted.account_id == account.pk


def test_people_added_to_an_interaction_are_recorded(account, user):
    contact = ContactFactory()
    PositionFactory(contact=contact, account=account)
    with acting_as(user):
        interaction = interaction_log(
            account=account, occurred_at=WHEN, kind="call", summary="Call", contacts=[contact]
        )
    added = object_audit(model=Interaction, object_id=interaction.pk).filter(action="update").get()
    assert added.after == {"contacts": {"added": [contact.pk]}}
    assert added.changes()[0].shown == f"added {contact.pk}"


def test_a_rolled_back_change_leaves_no_event(account):
    def plan_then_change_my_mind() -> None:
        with transaction.atomic():
            touchpoint_plan(account=account, scheduled_on=dt.date(2026, 4, 1), kind="review")
            raise DomainError("changed my mind")

    with pytest.raises(DomainError, match="changed my mind"):
        plan_then_change_my_mind()
    assert not AuditEvent.objects.filter(model="engagement.touchpoint").exists()
    # The same change kept is recorded: the silence above is the rollback's.
    touchpoint_plan(account=account, scheduled_on=dt.date(2026, 4, 1), kind="review")
    assert AuditEvent.objects.filter(model="engagement.touchpoint").count() == 1


def test_the_overhead_of_a_save_is_one_insert(account):
    touchpoint = Touchpoint.objects.get(pk=TouchpointFactory(account=account).pk)
    touchpoint.title = "Changed"
    with CaptureQueriesContext(connection) as update:
        touchpoint.save()
    with CaptureQueriesContext(connection) as create:
        Touchpoint.objects.create(account=account, scheduled_on=dt.date(2026, 5, 1), kind="review")
    for captured, statement in ((update, "UPDATE"), (create, "INSERT")):
        sql = [q["sql"].lstrip().split()[0].upper() for q in captured.captured_queries]
        audit = [q["sql"] for q in captured.captured_queries if "audit_auditevent" in q["sql"]]
        assert sql == [statement, "INSERT"], captured.captured_queries
        assert len(audit) == 1
        assert audit[0].lstrip().upper().startswith("INSERT")


@pytest.mark.usefixtures("account")
def test_bulk_writes_are_summarised_by_one_event(user):
    event = audit_record_bulk(
        model=Interaction, action="create", count=250, by=user, note="import of calls.csv"
    )
    assert event is not None
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.count, stored.actor) == ("bulk_create", 250, user.username)
    assert stored.object_repr == "250 interactions"
    assert stored.note == "import of calls.csv"
    assert audit_record_bulk(model=Interaction, action="update", count=0) is None
    with pytest.raises(DomainError, match="action must be one of"):
        audit_record_bulk(model=Interaction, action="merge", count=1)


def test_scoring_snapshots_and_survey_answers_are_not_audited():
    labels = {model._meta.label_lower for model in audited_models()}
    assert {"accounts.account", "engagement.interaction", "planning.goal"} <= labels
    assert {"scoring.keylistdecision", "scoring.qualificationrating"} <= labels
    assert {"scoring.scoringsettings", "feedback.campaign"} <= labels
    assert not labels & {
        "scoring.accountsnapshot",
        "scoring.revenueseries",
        "scoring.portfoliosnapshot",
        "scoring.scoringrun",
        "feedback.answer",
        "feedback.response",
        "feedback.invitationtoken",
        "audit.auditevent",
    }


def test_every_app_with_models_is_audited_but_the_trail_itself():
    """A new app must join ``AUDITED_APPS``: left out, its changes would go unrecorded."""
    with_models = {
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("tenure.") and list(config.get_models())
    }
    assert with_models - set(AUDITED_APPS) == {"audit"}


def test_account_audit_lists_the_accounts_changes_newest_first(account, other_account):
    first = TouchpointFactory(account=account, title="First")
    TouchpointFactory(account=other_account)
    touchpoint_skip(touchpoint=first)
    events = list(account_audit(account_id=account.pk, limit=10))
    assert [e.action for e in events] == ["update", "create", "create"]  # the account's own too
    assert all(e.account_id == account.pk for e in events)
    assert len(account_audit(account_id=account.pk, limit=1)) == 1
