"""The accounts an order import creates: in bulk, with the same defaults as one by one."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from tenure.accounts.models import Account
from tenure.accounts.services import account_create_from_keys, account_create_many
from tenure.audit.models import AuditEvent
from tenure.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_bulk_accounts_equal_those_created_through_the_model():
    assert account_create_from_keys(rows=[("Acme GmbH", "K1", "DE"), ("K2", "K2", "")]) == 2
    account_create_many(rows=[{"name": "Acme GmbH", "external_id": "R1", "country": "DE"}])
    fast, slow = Account.objects.get(external_id="K1"), Account.objects.get(external_id="R1")
    ignored = {"id", "external_id"}
    fast_fields = {k: v for k, v in model_to_dict(fast).items() if k not in ignored}
    assert fast_fields == {k: v for k, v in model_to_dict(slow).items() if k not in ignored}
    assert fast.created_at is not None
    assert fast.updated_at is not None
    assert Account.objects.get(external_id="K2").country == ""
    assert AuditEvent.objects.filter(note="bulk create").exists()


def test_a_bad_row_is_named_and_nothing_is_created():
    rows = [("Good", "K1", "DE"), ("Bad", "K2", "Atlantis"), ("Long", "K" * 300, "")]
    with pytest.raises(DomainError) as bad_country:
        account_create_from_keys(rows=rows)
    assert bad_country.value.message.startswith("row 2: country: 'Atlantis' is not a country")
    assert not Account.objects.exists()
    with pytest.raises(DomainError) as long_key:
        account_create_from_keys(rows=[rows[0], rows[2]])
    assert long_key.value.message.startswith("row 2: external_id: ")
    assert "at most 100 characters" in long_key.value.message
    assert not Account.objects.exists()
