"""Merging duplicate accounts and contacts: nothing attached is lost, refusals change nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tenure.accounts.merge import (
    account_merge,
    contact_merge,
    external_id_frame,
    external_id_map,
)
from tenure.accounts.models import Account, AccountAlias, Contact, MergeRecord, Position
from tenure.core.errors import DomainError
from tenure.engagement.models import Interaction, Touchpoint
from tenure.feedback.models import Invitation
from tenure.planning.models import AccountPlan, Milestone, Objective
from tenure.scoring.models import AccountSnapshot, QualificationRating, RevenueSeries, ScoringRun
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import InteractionFactory, TouchpointFactory
from tests.feedback.factories import make_campaign
from tests.planning.factories import AccountPlanFactory, MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def furnish(account, *, people=2):
    """Attach one of everything (and ``people`` positions) to ``account``."""
    positions = [PositionFactory(account=account) for _ in range(people)]
    interaction = InteractionFactory(account=account)
    interaction.contacts.set([p.contact for p in positions])
    TouchpointFactory(account=account, contact=positions[0].contact)
    ObjectiveFactory(plan=AccountPlanFactory(account=account))
    MilestoneFactory(account=account)
    AccountFactory(parent=account)
    return positions


def attached(account):
    return {
        "positions": account.positions.count(),
        "team": account.team.count(),
        "interactions": account.interactions.count(),
        "touchpoints": account.touchpoints.count(),
        "plans": account.plans.count(),
        "milestones": account.milestones.count(),
        "subsidiaries": account.subsidiaries.count(),
    }


def everything():
    models = (Account, Contact, Position, Interaction, Touchpoint, AccountPlan, Objective)
    return {model.__name__: model.objects.count() for model in (*models, Milestone)}


def test_account_merge_moves_every_attached_object(user):
    keep = AccountFactory(name="Birch Foods", external_id="C1")
    duplicates = [AccountFactory(name="Birch Food", external_id="C7"), AccountFactory()]
    for account in (keep, *duplicates):
        furnish(account)
        TeamMembershipFactory(account=account, role="sales")
    before = [attached(a) for a in (keep, *duplicates)]
    objectives = Objective.objects.count()

    record = account_merge(keep=keep, duplicates=duplicates, by=user, reason="same VAT number")

    assert attached(keep) == {name: sum(b[name] for b in before) for name in before[0]}
    assert Objective.objects.filter(plan__account=keep).count() == objectives
    assert not Account.objects.filter(pk__in=[d.pk for d in duplicates]).exists()
    assert Interaction.objects.get(pk=keep.interactions.first().pk).contacts.count() == 2
    assert (record.kind, record.kept_id, record.kept_name) == ("account", keep.pk, "Birch Foods")
    assert record.merged_ids == [d.pk for d in duplicates]
    assert record.snapshots[0]["name"] == "Birch Food"
    assert record.snapshots[0]["external_id"] == "C7"
    assert (record.merged_by, record.reason) == (user, "same VAT number")
    assert record.details["moved"]["engagement.interaction"] == 2


def test_a_person_at_both_keeps_the_stronger_position_completed_from_the_other():
    keep, duplicate = AccountFactory(), AccountFactory()
    ann = ContactFactory()
    PositionFactory(contact=ann, account=keep, strength=2, title="", department="Buying")
    PositionFactory(
        contact=ann,
        account=duplicate,
        strength=4,
        title="CFO",
        department="Finance",
        started_on=dt.date(2019, 1, 1),
    )
    PositionFactory(contact=ann, account=duplicate, left_on=dt.date(2018, 1, 1))
    record = account_merge(keep=keep, duplicates=[duplicate], by=None, reason="")
    current = Position.objects.get(contact=ann, left_on__isnull=True)
    assert (current.account, current.strength, current.title) == (keep, 4, "CFO")
    assert (current.department, current.started_on) == ("Finance", dt.date(2019, 1, 1))
    assert Position.objects.filter(contact=ann, account=keep).count() == 2  # plus the closed one
    assert record.details["positions_combined"][0]["removed"]["department"] == "Buying"


def test_keep_keeps_its_manager_and_the_other_one_is_recorded():
    keep = TeamMembershipFactory(user__username="ann").account
    duplicate = TeamMembershipFactory(user__username="bob").account
    record = account_merge(keep=keep, duplicates=[duplicate], by=None, reason="")
    assert [m.user.username for m in keep.team.all()] == ["ann"]
    assert record.details["team_not_carried_over"][0]["username"] == "bob"


def test_keep_without_a_manager_takes_the_duplicates():
    keep, duplicate = AccountFactory(), TeamMembershipFactory(user__username="bob").account
    account_merge(keep=keep, duplicates=[duplicate], by=None, reason="")
    assert [(m.user.username, m.role) for m in keep.team.all()] == [("bob", "kam")]


def test_blank_fields_are_filled_and_key_status_kept_since_the_earliest_date():
    group = AccountFactory()
    keep = AccountFactory(external_id=None, industry="", website="", is_seasonal=False)
    first = AccountFactory(
        external_id="C7",
        industry="Food",
        parent=group,
        is_seasonal=True,
        is_key_account=True,
        key_account_since=dt.date(2021, 3, 1),
    )
    second = AccountFactory(
        external_id="C8",
        industry="Drinks",
        website="https://b.example",
        is_key_account=True,
        key_account_since=dt.date(2019, 3, 1),
    )
    record = account_merge(keep=keep, duplicates=[first, second], by=None, reason="")
    keep.refresh_from_db()
    assert (keep.external_id, keep.industry, keep.website) == ("C7", "Food", "https://b.example")
    assert keep.parent == group
    assert keep.is_seasonal
    assert (keep.is_key_account, keep.key_account_since) == (True, dt.date(2019, 3, 1))
    assert record.details["aliases"] == ["C8"]


def test_old_external_ids_lead_to_the_kept_account():
    keep = AccountFactory(external_id="C1")
    account_merge(keep=keep, duplicates=[AccountFactory(external_id="C7")], by=None, reason="")
    later = AccountFactory(external_id="C9")
    account_merge(keep=keep, duplicates=[later], by=None, reason="")
    assert sorted(keep.aliases.values_list("external_id", flat=True)) == ["C7", "C9"]
    assert {k: v for k, v in external_id_map().items() if k in {"C1", "C7", "C9"}} == {
        "C1": keep.pk,
        "C7": keep.pk,
        "C9": keep.pk,
    }
    frame = external_id_frame()
    assert frame.columns == ["external_id", "account_id"]
    assert frame.height == 3


def test_aliases_of_a_merged_account_follow_it_into_the_next_merge():
    middle = AccountFactory(external_id="C2")
    account_merge(keep=middle, duplicates=[AccountFactory(external_id="C3")], by=None, reason="")
    top = AccountFactory(external_id="C1")
    account_merge(keep=top, duplicates=[middle], by=None, reason="")
    assert dict(AccountAlias.objects.values_list("external_id", "account")) == {
        "C2": top.pk,
        "C3": top.pk,
    }


@pytest.mark.parametrize("case", ["itself", "subsidiary", "grandchild", "none"])
def test_a_refused_merge_changes_nothing(case):
    group = AccountFactory(name="Group")
    furnish(group)
    child = AccountFactory(name="Child", parent=group)
    grandchild = AccountFactory(parent=child)
    keep, duplicates, why = {
        "itself": (group, [group], "cannot merge Group into itself"),
        "subsidiary": (
            child,
            [group],
            "Child is a subsidiary of Group: an account cannot be merged into its own subsidiary",
        ),
        "grandchild": (grandchild, [AccountFactory(), group], "is a subsidiary of Group"),
        "none": (group, [], "choose at least one duplicate"),
    }[case]
    before = everything()
    with pytest.raises(DomainError) as refused:
        account_merge(keep=keep, duplicates=duplicates, by=None, reason="")
    assert everything() == before
    assert not MergeRecord.objects.exists()
    assert why in refused.value.message


def test_a_subsidiary_can_be_merged_into_its_group():
    group = AccountFactory()
    child = AccountFactory(parent=group)
    grandchild = AccountFactory(parent=child)
    account_merge(keep=group, duplicates=[child], by=None, reason="")
    grandchild.refresh_from_db()
    assert grandchild.parent == group
    group.refresh_from_db()
    assert group.parent is None


def test_models_declaring_drop_lose_the_duplicates_rows(monkeypatch):
    monkeypatch.setattr(Milestone, "merge_policy", "drop", raising=False)
    keep, duplicate = AccountFactory(), AccountFactory()
    MilestoneFactory(account=keep)
    MilestoneFactory(account=duplicate)
    record = account_merge(keep=keep, duplicates=[duplicate], by=None, reason="")
    assert Milestone.objects.count() == 1
    assert record.details["dropped"] == {"planning.milestone": 1}


def test_scored_accounts_merge_and_the_next_run_rescores_the_kept_one():
    keep, duplicate = AccountFactory(), AccountFactory()
    run = ScoringRun.objects.create(as_of=dt.date(2026, 6, 30))
    for account in (keep, duplicate):
        AccountSnapshot.objects.create(run=run, account=account, as_of=run.as_of)
        RevenueSeries.objects.create(
            account=account, as_of=run.as_of, first_month=dt.date(2026, 1, 1), values=[1.0]
        )
        QualificationRating.objects.create(account=account, criterion="strategic_value", score=2)
    QualificationRating.objects.create(account=duplicate, criterion="geography_fit", score=5)
    QualificationRating.objects.filter(account=keep).update(score=4)

    record = account_merge(keep=keep, duplicates=[duplicate], by=None, reason="")

    assert list(AccountSnapshot.objects.values_list("account", flat=True)) == [keep.pk]
    assert list(RevenueSeries.objects.values_list("account", flat=True)) == [keep.pk]
    assert dict(keep.ratings.values_list("criterion", "score")) == {
        "strategic_value": 4,
        "geography_fit": 5,
    }
    assert record.details["dropped"] == {
        "scoring.accountsnapshot": 1,
        "scoring.revenueseries": 1,
        "scoring.qualificationrating": 1,
    }


def test_a_merge_that_would_break_another_apps_rule_is_refused_whole():
    account = AccountFactory()
    keep, duplicate = ContactFactory(), ContactFactory()
    campaign = make_campaign(account=account)
    for contact in (keep, duplicate):
        Invitation.objects.create(campaign=campaign, contact=contact, account=account)
    PositionFactory(contact=duplicate, account=account)
    before = everything()
    with pytest.raises(DomainError, match="invitations of the duplicates cannot move"):
        contact_merge(keep=keep, duplicates=[duplicate], by=None, reason="")
    assert everything() == before
    assert Invitation.objects.count() == 2
    assert Contact.objects.get(pk=duplicate.pk).positions.count() == 1


def test_contact_merge_moves_positions_meetings_and_touchpoints():
    account, other = AccountFactory(), AccountFactory()
    keep = ContactFactory(email="ann@birch.example", phone="")
    duplicate = ContactFactory(email="ann.lee@birch.example", phone="+49 1")
    PositionFactory(contact=keep, account=account, strength=2)
    PositionFactory(contact=duplicate, account=account, strength=5, title="CEO")
    PositionFactory(contact=duplicate, account=other)
    both, only_duplicate = InteractionFactory(account=account), InteractionFactory(account=account)
    both.contacts.set([keep, duplicate])
    only_duplicate.contacts.set([duplicate])
    TouchpointFactory(account=account, contact=duplicate)

    record = contact_merge(keep=keep, duplicates=[duplicate], by=None, reason="two emails")

    keep.refresh_from_db()
    assert (keep.email, keep.phone) == ("ann@birch.example", "+49 1")
    assert sorted(keep.positions.values_list("account_id", "strength")) == [
        (account.pk, 5),
        (other.pk, 3),
    ]
    assert list(both.contacts.all()) == [keep]
    assert list(only_duplicate.contacts.all()) == [keep]
    assert Touchpoint.objects.get().contact == keep
    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    assert record.details["moved"]["engagement.interaction.contacts"] == 1
    assert record.snapshots[0]["email"] == "ann.lee@birch.example"


def test_contact_merge_into_itself_is_refused():
    ann = ContactFactory()
    with pytest.raises(DomainError, match="into itself"):
        contact_merge(keep=ann, duplicates=[ann], by=None, reason="")


# --- Command line -----------------------------------------------------------------------------


def test_merge_command_by_external_id_with_dry_run_first():
    keep, duplicate = AccountFactory(external_id="C1"), AccountFactory(external_id="C7")
    furnish(duplicate)
    before = everything()
    out = StringIO()
    call_command("merge", "accounts", "C1", "C7", "--external-ids", "--dry-run", stdout=out)
    assert "Dry run: nothing was changed." in out.getvalue()
    assert everything() == before
    UserFactory(username="ann")
    call_command("merge", "accounts", str(keep.pk), str(duplicate.pk), "--by", "ann", stdout=out)
    assert MergeRecord.objects.get().merged_by.username == "ann"
    assert keep.positions.count() == 2


def test_merge_command_reports_refusals_and_unknown_ids():
    ann, bob = ContactFactory(email="ann@x.example"), ContactFactory(email="bob@x.example")
    with pytest.raises(CommandError, match="into itself"):
        call_command("merge", "contacts", str(ann.pk), str(ann.pk))
    with pytest.raises(CommandError, match=r"no contact with email nobody@x\.example"):
        call_command("merge", "contacts", "ann@x.example", "nobody@x.example", "--emails")
    call_command(
        "merge", "contacts", "ANN@x.example", "bob@x.example", "--emails", stdout=StringIO()
    )
    assert list(Contact.objects.all()) == [ann]
    assert bob.pk != ann.pk


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_merge_accounts_asks_which_to_keep_then_merges(admin_client):
    keep = AccountFactory(name="Birch Foods")
    duplicate = AccountFactory(name="Birch Food")
    furnish(duplicate)
    url = reverse("admin:accounts_account_changelist")
    selection = {"action": "merge_accounts", "_selected_action": [keep.pk, duplicate.pk]}

    page = admin_client.post(url, selection)
    assert page.status_code == 200
    assert page.templates[0].name == "admin/accounts/merge_confirmation.html"
    assert "Birch Food" in page.content.decode()
    assert "Reason" in page.content.decode()
    assert Account.objects.filter(pk=duplicate.pk).exists()

    page = admin_client.post(url, {**selection, "post": "yes", "keep": keep.pk, "reason": ""})
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()

    done = admin_client.post(
        url, {**selection, "post": "yes", "keep": keep.pk, "reason": "dup"}, follow=True
    )
    assert "Merged 1 account(s) into Birch Foods." in done.content.decode()
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert keep.positions.count() == 2
    record = MergeRecord.objects.get()
    detail = admin_client.get(reverse("admin:accounts_mergerecord_change", args=[record.pk]))
    assert detail.status_code == 200
    assert "Birch Food" in detail.content.decode()


def test_admin_refused_merge_shows_why_and_changes_nothing(admin_client):
    group = AccountFactory(name="Group")
    child = AccountFactory(name="Child", parent=group)
    url = reverse("admin:accounts_account_changelist")
    response = admin_client.post(
        url,
        {
            "action": "merge_accounts",
            "_selected_action": [group.pk, child.pk],
            "post": "yes",
            "keep": child.pk,
            "reason": "oops",
        },
        follow=True,
    )
    assert "Nothing was merged: Child is a subsidiary of Group" in response.content.decode()
    assert Account.objects.count() == 2


def test_admin_merge_contacts(admin_client):
    keep, duplicate = ContactFactory(last_name="Lee"), ContactFactory(last_name="Lee")
    PositionFactory(contact=duplicate)
    url = reverse("admin:accounts_contact_changelist")
    selection = {"action": "merge_contacts", "_selected_action": [keep.pk, duplicate.pk]}
    assert admin_client.post(url, selection).status_code == 200
    admin_client.post(url, {**selection, "post": "yes", "keep": keep.pk, "reason": "same"})
    assert list(Contact.objects.all()) == [keep]
    assert keep.positions.count() == 1


def test_admin_needs_two_selected(admin_client):
    account = AccountFactory()
    url = reverse("admin:accounts_account_changelist")
    response = admin_client.post(
        url, {"action": "merge_accounts", "_selected_action": [account.pk]}, follow=True
    )
    assert "Select at least two accounts to merge." in response.content.decode()
