"""The health models moved from the scoring app with their rows (issue 19, item 1).

A scored database is migrated back to before the move and forwards again: every moved
table keeps its rows, the content types (so the permissions granted on them) follow the
models, and the append-only audit trail is read under the old label and the new.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from tenure.audit.models import AuditEvent
from tenure.audit.selectors import object_audit
from tenure.health.models import ChurnSettings
from tenure.scoring import run as scoring_run_module
from tests.accounts.factories import AccountFactory
from tests.scoring.health_ledger import every, ledger_connection, order_lines

AS_OF = dt.date(2026, 6, 30)
MOVED_TABLES = ("scoring_accounthealth", "scoring_healthscorecard", "scoring_churnsettings")
MOVED_MODELS = ("accounthealth", "healthscorecard", "churnsettings")
#: The scoring app's own tables, written by the same run: they must not move or change.
KEPT_TABLES = ("scoring_scoringrun", "scoring_accountsnapshot", "scoring_revenueseries")


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in (*MOVED_TABLES, *KEPT_TABLES):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def labels() -> set[str]:
    return {
        f"{app}.{model}"
        for app, model in ContentType.objects.filter(model__in=MOVED_MODELS).values_list(
            "app_label", "model"
        )
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_scored_database_migrates_back_before_the_move_and_forwards_with_its_rows(
    monkeypatch, settings, tmp_path
) -> None:
    settings.HOME = tmp_path
    start = dt.date(2025, 1, 1)
    for key in ("K1", "K2", "K3"):
        AccountFactory(external_id=key, name=f"Account {key}")
    lines = order_lines(
        [("K1", d, 120.0 + d.day) for d in every(9, start, AS_OF)]
        + [("K2", d, 80.0 + d.day) for d in every(21, start, AS_OF)]
        + [("K3", d, 40.0) for d in every(30, start, dt.date(2025, 12, 1))]
    )
    con = ledger_connection(lines)
    monkeypatch.setattr(scoring_run_module.store, "connect", lambda _url=None, **_options: con)
    scoring_run_module.run_scoring(as_of=AS_OF, progress=lambda _: None)
    readers = Group.objects.create(name="health readers")
    readers.permissions.add(
        Permission.objects.get(content_type__app_label="health", codename="view_accounthealth")
    )
    before = row_counts()
    assert before["scoring_accounthealth"] == 3
    assert before["scoring_healthscorecard"] == 1
    assert before["scoring_churnsettings"] == 1
    assert labels() == {f"health.{m}" for m in MOVED_MODELS}
    churn = ChurnSettings.objects.get()
    # What the trail held from before the move: the same record under the scoring label.
    AuditEvent.objects.create(
        actor="system", action="update", model="scoring.churnsettings", object_id=str(churn.pk)
    )
    assert [e.model for e in object_audit(model=ChurnSettings, object_id=churn.pk)] == [
        "scoring.churnsettings",
        "health.churnsettings",
    ]
    events = AuditEvent.objects.count()

    call_command("migrate", "health", "zero", verbosity=0)
    assert row_counts() == before
    assert labels() == {f"scoring.{m}" for m in MOVED_MODELS}

    call_command("migrate", verbosity=0)
    assert row_counts() == before
    assert labels() == {f"health.{m}" for m in MOVED_MODELS}
    # The trail is append-only: the migrations leave it as it was.
    assert AuditEvent.objects.count() == events
    assert len(object_audit(model=ChurnSettings, object_id=churn.pk)) == 2
    # The grant made before the round trip holds: it was on the content type that moved.
    assert list(readers.permissions.values_list("content_type__app_label", "codename")) == [
        ("health", "view_accounthealth")
    ]
