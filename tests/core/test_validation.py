"""Bulk validation: each row checked as Django would, foreign keys in one query per key."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.core.errors import DomainError
from tenure.core.validation import check_rows
from tenure.engagement.models import Interaction
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def interaction(account_id: int, **fields: object) -> Interaction:
    return Interaction(
        **{"account_id": account_id, "occurred_at": WHEN, "kind": "call", "summary": "Hi", **fields}
    )


def test_many_rows_cost_one_query_per_key_not_one_per_row(django_assert_max_num_queries):
    accounts = AccountFactory.create_batch(3)
    person = UserFactory()
    rows = [
        interaction(accounts[i % 3].pk, logged_by_id=person.pk if i % 2 else None)
        for i in range(300)
    ]
    # Django's own check makes 450 queries here: one per row for the account, one per row
    # that names who logged it.
    with django_assert_max_num_queries(2):
        check_rows(rows)


def test_a_key_that_points_nowhere_is_named_with_its_row_and_djangos_message():
    account = AccountFactory()
    rows = [interaction(account.pk), interaction(account.pk), interaction(999_999)]
    with pytest.raises(DomainError) as refused:
        check_rows(rows, label="interaction")
    assert refused.value.field == "account"
    assert refused.value.message == (
        "interaction 3: account instance with id 999999 is not a valid choice."
    )


def test_the_first_bad_row_is_named_whichever_field_is_wrong():
    account = AccountFactory()
    rows = [
        interaction(account.pk),
        interaction(account.pk, kind="telepathy"),
        interaction(999_999),
    ]
    with pytest.raises(DomainError) as refused:
        check_rows(rows)
    assert refused.value.message == "row 2: Value 'telepathy' is not a valid choice."


def test_a_required_key_left_empty_is_refused():
    rows = [interaction(AccountFactory().pk), Interaction(occurred_at=WHEN, kind="call")]
    with pytest.raises(DomainError) as refused:
        check_rows(rows)
    assert refused.value.message == "row 2: This field cannot be null."
    assert refused.value.field == "account"


def test_keys_given_as_text_are_read_as_numbers():
    account = AccountFactory()
    row = interaction(str(account.pk))
    check_rows([row])
    assert row.account_id == account.pk


def test_no_rows_is_nothing_to_check(django_assert_num_queries):
    with django_assert_num_queries(0):
        check_rows([])
