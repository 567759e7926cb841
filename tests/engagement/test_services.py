"""Business rules for logging interactions and planning touchpoints."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from tenure.core.errors import DomainError, NotFound
from tenure.engagement import services
from tenure.engagement.models import Interaction, Touchpoint
from tests.accounts.factories import AccountFactory, ContactFactory, PositionFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def test_interaction_for_an_account_that_does_not_exist_is_refused_and_nothing_written():
    with pytest.raises(NotFound, match="account 999999 does not exist"):
        services.interaction_log(account=999999, occurred_at=WHEN, kind="call", summary="Hi")
    assert not Interaction.objects.exists()


def test_interaction_with_a_person_from_another_company_is_refused():
    account = AccountFactory()
    stranger = ContactFactory(first_name="Zed", last_name="Else")
    with pytest.raises(DomainError, match="Zed Else has no position"):
        services.interaction_log(
            account=account, occurred_at=WHEN, kind="call", summary="Hi", contacts=[stranger]
        )
    assert not Interaction.objects.exists()


def test_interaction_needs_a_timezone_and_a_summary():
    account = AccountFactory()
    with pytest.raises(DomainError, match="time zone"):
        services.interaction_log(
            account=account, occurred_at=dt.datetime(2026, 1, 1), kind="call", summary="x"
        )
    with pytest.raises(DomainError, match="what happened"):
        services.interaction_log(account=account, occurred_at=WHEN, kind="call", summary="  ")


def test_interaction_refuses_unknown_kind():
    with pytest.raises(DomainError) as error:
        services.interaction_log(
            account=AccountFactory(), occurred_at=WHEN, kind="fax", summary="x"
        )
    assert error.value.field == "kind"


def test_logging_an_interaction_fulfils_its_touchpoint():
    position = PositionFactory()
    touchpoint = services.touchpoint_plan(
        account=position.account, scheduled_on=WHEN.date(), kind="review"
    )
    interaction = services.interaction_log(
        account=position.account,
        occurred_at=WHEN,
        kind="review",
        summary="QBR",
        is_strategic=True,
        contacts=[position.contact],
        touchpoint=touchpoint,
    )
    touchpoint.refresh_from_db()
    assert (touchpoint.status, touchpoint.interaction) == ("done", interaction)
    assert list(interaction.contacts.all()) == [position.contact]
    with pytest.raises(DomainError, match="already done"):
        services.touchpoint_skip(touchpoint=touchpoint)


def test_next_step_due_date_without_a_next_step_is_refused():
    with pytest.raises(DomainError, match="a due date needs a next step"):
        services.interaction_log(
            account=AccountFactory(),
            occurred_at=WHEN,
            kind="call",
            summary="x",
            next_step_due=dt.date(2026, 4, 1),
        )


def test_bulk_log_is_all_or_nothing_naming_the_bad_row():
    position = PositionFactory()
    good = services.InteractionDraft(
        account_id=position.account_id,
        occurred_at=WHEN,
        kind="call",
        summary="ok",
        contact_ids=(position.contact_id,),
    )
    bad = services.InteractionDraft(
        account_id=position.account_id,
        occurred_at=WHEN,
        kind="call",
        summary="",
    )
    with pytest.raises(DomainError, match="row 2"):
        services.interaction_log_many(drafts=[good, bad])
    assert not Interaction.objects.exists()
    created = services.interaction_log_many(drafts=[good, good])
    assert [list(i.contacts.all()) for i in created] == [[position.contact]] * 2


def test_touchpoint_for_missing_account_is_refused():
    with pytest.raises(NotFound):
        services.touchpoint_plan(account=123456, scheduled_on=WHEN.date(), kind="review")
    assert not Touchpoint.objects.exists()


# -- no interaction after today ----------------------------------------------------------


def test_interaction_dated_after_today_is_refused_naming_the_date_field():
    account = AccountFactory()
    with pytest.raises(DomainError, match="1 Jun 2027, is after today") as refused:
        services.interaction_log(
            account=account,
            occurred_at=dt.datetime(2027, 6, 1, 10, tzinfo=dt.UTC),
            kind="meeting",
            summary="Planned visit",
            today=dt.date(2026, 12, 7),
        )
    assert refused.value.field == "occurred_at"
    assert not Interaction.objects.exists()
    services.interaction_log(
        account=account,
        occurred_at=dt.datetime(2026, 12, 7, 23, tzinfo=dt.UTC),
        kind="meeting",
        summary="Later today",
        today=dt.date(2026, 12, 7),
    )


def test_today_for_an_interaction_is_today_in_the_users_time_zone():
    account = AccountFactory()
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")  # UTC+13 in December
    # 12:00 UTC on 25 Nov is already 26 Nov 01:00 in Auckland.
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        with timezone.override(auckland):
            services.interaction_log(
                account=account,
                occurred_at=dt.datetime(2026, 11, 26, 9, tzinfo=auckland),
                kind="call",
                summary="This morning, local time",
            )
            with pytest.raises(DomainError, match="27 Nov 2026, is after today"):
                services.interaction_log(
                    account=account,
                    occurred_at=dt.datetime(2026, 11, 27, 8, tzinfo=auckland),
                    kind="call",
                    summary="Tomorrow",
                )
        with timezone.override(dt.UTC), pytest.raises(DomainError, match="after today"):
            services.interaction_log(
                account=account,
                occurred_at=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC),
                kind="call",
                summary="Tomorrow in UTC",
            )
    assert Interaction.objects.count() == 1


def test_bulk_log_refuses_a_future_row_by_number():
    account = AccountFactory()
    past = services.InteractionDraft(
        account_id=account.pk, occurred_at=WHEN, kind="call", summary="ok"
    )
    future = services.InteractionDraft(
        account_id=account.pk,
        occurred_at=dt.datetime(2027, 6, 1, 10, tzinfo=dt.UTC),
        kind="meeting",
        summary="not yet",
    )
    with pytest.raises(DomainError, match="row 2: the date of the interaction, 1 Jun 2027"):
        services.interaction_log_many(drafts=[past, future], today=dt.date(2026, 12, 7))
    assert not Interaction.objects.exists()


def test_the_admin_form_refuses_a_future_interaction_with_the_same_words():
    from django.core.exceptions import ValidationError

    from tenure.engagement.admin import InteractionAdminForm

    form = InteractionAdminForm()
    form.cleaned_data = {"occurred_at": dt.datetime(2027, 6, 1, 10, tzinfo=dt.UTC)}
    with (
        time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False),
        pytest.raises(ValidationError, match="1 Jun 2027, is after today"),
    ):
        form.clean_occurred_at()
