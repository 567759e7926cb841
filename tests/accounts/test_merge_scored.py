"""Merging two accounts after ``tenure score``: every per-account, per-day derived row
(health and risk, snapshots, revenue series, wallet, growth suggestions, seasonal
preparation, alert tasks) has a merge policy, so the merge works and the kept account's
figures stay as they were."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models

from tenure.accounts.merge import MERGE_POLICIES, account_merge
from tenure.accounts.models import Account, Contact, MergeRecord
from tenure.alerts.models import Task
from tenure.demo.load import load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.engagement.models import SeasonalPreparation
from tenure.growth.models import Opportunity, WalletEstimate
from tenure.health.models import AccountHealth
from tenure.ledger.importing import import_orders
from tenure.scoring.models import AccountSnapshot, RevenueSeries
from tenure.scoring.run import run_scoring
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 10, 31)

#: What a scoring run writes per account, and the rows the merge must cope with.
DERIVED = {
    "health": AccountHealth,
    "snapshot": AccountSnapshot,
    "series": RevenueSeries,
    "wallet": WalletEstimate,
    "opportunity": Opportunity,
    "seasonal": SeasonalPreparation,
}

#: Rebuilt by the next run: the kept account's stay exactly as they were.
DROPPED = {"health", "snapshot", "series", "wallet"}


def _figures(account_id: int) -> dict[str, list[tuple]]:
    """Every derived row of the account, as plain values (ids and timestamps left out)."""
    out = {}
    for name, model in DERIVED.items():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname not in {"created_at", "updated_at", "run_id"}
        ]
        rows = model._base_manager.filter(account_id=account_id).values_list(*fields)
        out[name] = sorted(map(repr, rows))
    return out


@pytest.fixture
def scored(tmp_path, settings):
    """A small demo portfolio, imported and scored as ``tenure demo`` would (60 accounts:
    the fewest that give two with health, risk, wallet, suggestions and seasonal rows)."""
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    world = build_world(DemoConfig(accounts=60, seed=7, as_of=AS_OF))
    result = load_world(world, home=tmp_path, progress=lambda _: None)
    import_orders(result.order_lines_path, source="demo-erp", unknown_accounts="reject")
    run_scoring(as_of=AS_OF, progress=lambda _: None)
    return world


def _pair_with_everything() -> tuple[Account, Account]:
    """Two scored accounts that both have a row in every derived table."""
    having = None
    for model in DERIVED.values():
        ids = set(model._base_manager.values_list("account_id", flat=True))
        having = ids if having is None else having & ids
    having &= set(AccountHealth.objects.exclude(risk=None).values_list("account_id", flat=True))
    keep_id, duplicate_id = sorted(having)[:2]
    return Account.objects.get(pk=keep_id), Account.objects.get(pk=duplicate_id)


@pytest.mark.slow
@pytest.mark.usefixtures("scored")
def test_two_scored_accounts_merge_and_the_kept_one_keeps_its_figures():
    keep, duplicate = _pair_with_everything()
    before = _figures(keep.pk)
    UserFactory(username="boss")
    out = StringIO()
    call_command(
        "merge", "accounts", str(keep.pk), str(duplicate.pk), "--by", "boss",
        "--reason", "dup", stdout=out,
    )  # fmt: skip
    assert f"into {keep.name}" in out.getvalue()
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    after = _figures(keep.pk)
    for name in DROPPED:
        assert after[name] == before[name], name
    # A decision on the duplicate (an offered category, a planned preparation) is carried
    # over where the kept account has none of its own; the kept account's rows stay.
    for name in set(DERIVED) - DROPPED:
        assert set(before[name]) <= set(after[name]), name
    # Nothing derived is left pointing at the deleted account.
    assert all(not rows for rows in _figures(duplicate.pk).values())
    assert MergeRecord.objects.get().merged_ids == [duplicate.pk]
    # The next run rebuilds the kept account's figures over both accounts' order lines.
    run_scoring(as_of=AS_OF, progress=lambda _: None)
    assert AccountHealth.objects.filter(account=keep, as_of=AS_OF).count() == 1


def test_every_per_account_unique_row_has_a_merge_policy():
    """A model with a uniqueness that includes the account would make merges fail on the
    first collision, unless it says how its rows follow a merge."""
    missing = []
    for relation in Account._meta.related_objects:
        related = relation.related_model
        if relation.many_to_many or related in {Account, Contact}:
            continue
        name = relation.field.name
        unique = [
            c.fields
            for c in related._meta.constraints
            if isinstance(c, models.UniqueConstraint) and name in c.fields and len(c.fields) > 1
        ]
        label = related._meta.label_lower
        has_policy = hasattr(related, "merge_policy") or label in MERGE_POLICIES
        if unique and not has_policy and label not in _HANDLED_BY_HAND:
            missing.append(f"{label} {unique}")
    assert not missing, missing


#: Rows the merge folds with their own rules (accounts.merge) or that people write and
#: must be reconciled by a person (a refused merge says which).
_HANDLED_BY_HAND = {"accounts.position", "accounts.teammembership", "planning.review"}


def test_an_open_task_for_the_same_cause_on_both_keeps_the_kept_accounts():
    keep, duplicate = AccountFactory(), AccountFactory()
    for account in (keep, duplicate):
        for cause in ("shared", f"own-{account.pk}"):
            Task.objects.create(
                account=account,
                rule="overdue_action",
                cause_key=cause,
                title="Plan action overdue",
                evidence="Due 2026-10-15, not done.",
                due_on=AS_OF,
                raised_on=AS_OF,
                checked_on=AS_OF,
            )
    kept_shared = Task.objects.get(account=keep, cause_key="shared")
    record = account_merge(keep=keep, duplicates=[duplicate], by=None, reason="dup")
    causes = sorted(Task.objects.filter(account=keep).values_list("cause_key", flat=True))
    assert causes == sorted(["shared", f"own-{keep.pk}", f"own-{duplicate.pk}"])
    assert Task.objects.get(account=keep, cause_key="shared") == kept_shared
    assert record.details["dropped"] == {"alerts.task": 1}
