"""Export and erasure reach other apps' rows only through the hooks those apps register."""

from __future__ import annotations

import pytest

from tenure.accounts.models import Contact, ErasureRecord
from tenure.accounts.privacy import (
    PERSONAL_DATA_HOOKS,
    PersonalDataHook,
    contact_erase,
    contact_export,
)
from tests.accounts.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_engagement_and_feedback_register_their_part_when_the_apps_load():
    assert list(PERSONAL_DATA_HOOKS) == ["engagement", "feedback"]


def test_every_app_relating_to_contacts_registers_a_hook():
    """A model in another app that points at a person is exported and erased only through
    its app's hook: without one, an erasure would leave the person's rows there untouched."""
    unhooked = {
        f"{relation.related_model._meta.label_lower}.{relation.field.name}"
        for relation in Contact._meta.related_objects
        if relation.related_model._meta.app_label != "accounts"
        and relation.related_model._meta.app_label not in PERSONAL_DATA_HOOKS
    }
    assert unhooked == set()


def test_a_registered_hook_adds_its_section_to_the_export_and_its_counts_to_the_erasure(
    monkeypatch,
):
    seen: list[int] = []
    probe = PersonalDataHook(
        app="probe",
        export=lambda contact: {"probe": {"contact": contact.pk}},
        erase=lambda contact: seen.append(contact.pk) or {"probe_rows_cleared": 2},
    )
    monkeypatch.setitem(PERSONAL_DATA_HOOKS, "probe", probe)
    contact = ContactFactory(first_name="Ines")

    assert contact_export(contact=contact)["probe"] == {"contact": contact.pk}
    record = contact_erase(contact=contact, by=UserFactory(), reason="asked by email")
    assert seen == [contact.pk]
    assert record.counts["probe_rows_cleared"] == 2
    assert record.counts["interactions_unlinked"] == 0  # engagement's hook ran too


def test_a_failing_hook_leaves_nothing_half_erased(monkeypatch):
    def refuse(contact: Contact) -> dict[str, int]:
        raise RuntimeError(f"cannot erase {contact.pk} here")

    monkeypatch.setitem(
        PERSONAL_DATA_HOOKS,
        "probe",
        PersonalDataHook(app="probe", export=lambda _contact: {}, erase=refuse),
    )
    contact = ContactFactory(first_name="Ines", last_name="Moreau")
    with pytest.raises(RuntimeError, match="cannot erase"):
        contact_erase(contact=contact, by=UserFactory(), reason="asked by email")
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Ines", "Moreau")
    assert not ErasureRecord.objects.filter(contact_id=contact.pk).exists()
