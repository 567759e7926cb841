"""Health rows written by the scoring run, and the selectors the pages read them with."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from tenure.accounts.models import Account
from tenure.core.errors import DomainError
from tenure.health.models import AccountHealth, HealthScorecard
from tenure.health.selectors import (
    account_health_latest,
    account_health_panel,
    account_health_trend,
    by_value_at_risk,
    what_if_contact_left,
    with_health,
)
from tenure.health.services import (
    health_scorecard_current,
    health_scorecard_publish,
    risk_model_load,
    risk_model_save,
)
from tenure.insights.health import DEFAULT_HEALTH
from tenure.insights.risk import RISK_FEATURES, ChurnDefinition, ChurnRiskModel
from tenure.scoring.selectors import account_latest_snapshot
from tests.accounts.factories import AccountFactory, PositionFactory, UserFactory
from tests.engagement.factories import InteractionFactory
from tests.scoring.test_scoring_run import features_for, monthly_for, score_frames

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


@pytest.fixture
def portfolio():
    """Two accounts with stakeholders and meetings, one without any CRM history."""
    revenue = {"K1": 800_000.0, "K2": 100_000.0, "K3": 5_000.0}
    accounts = {key: AccountFactory(external_id=key, name=f"Account {key}") for key in revenue}
    manager = UserFactory()
    for key, people in (("K1", 2), ("K2", 1)):
        positions = [
            PositionFactory(account=accounts[key], started_on=dt.date(2024, 1, 1))
            for _ in range(people)
        ]
        for days_ago in (10, 50):
            meeting = InteractionFactory(
                account=accounts[key],
                occurred_at=at(AS_OF - dt.timedelta(days=days_ago)),
                is_strategic=True,
            )
            meeting.contacts.set([p.contact for p in positions])
            meeting.team_members.set([manager])
    return revenue, accounts


def score(revenue: dict[str, float], as_of: dt.date = AS_OF):  # type: ignore[no-untyped-def]
    return score_frames(as_of=as_of, features=features_for(revenue), monthly=monthly_for(revenue))


def test_the_scoring_run_writes_one_health_row_per_account(portfolio) -> None:
    revenue, _ = portfolio
    run = score(revenue)
    rows = {h.account.external_id: h for h in AccountHealth.objects.select_related("account")}
    assert set(rows) == {"K1", "K2", "K3"}
    k1 = rows["K1"]
    assert k1.run == run
    assert k1.health_version == DEFAULT_HEALTH.version
    assert 0 <= k1.health_score <= 100
    points = [v for v in k1.health_contributions.values() if v is not None]
    assert sum(points) == pytest.approx(k1.health_score, abs=0.01)
    assert k1.health_contributions["nps"] is None  # left out, not zero
    assert k1.decision_makers_engaged == 2
    assert k1.threads == 2
    # Without the order lines there is no CLV (and so no probability alive) to score:
    # flagged, not zero.
    assert {"probability_alive", "nps"} <= set(k1.health_flags)
    assert k1.clv is None
    assert k1.risk is None
    assert run.parameters["health"]["scorecard"] == DEFAULT_HEALTH.version
    # K3 has no stakeholders and no interactions: its relationship measures are unknown.
    assert rows["K3"].engaged_contacts is None
    assert "decision_makers" in rows["K3"].health_flags


def test_rerunning_a_date_replaces_its_health_rows(portfolio) -> None:
    revenue, _ = portfolio
    score(revenue)
    score(revenue)
    assert AccountHealth.objects.count() == 3


def test_single_threaded_account_scores_lower_on_relationship(portfolio) -> None:
    revenue, _ = portfolio
    score(revenue)
    k1 = AccountHealth.objects.get(account__external_id="K1")
    k2 = AccountHealth.objects.get(account__external_id="K2")
    assert k2.health_measures["threading"] == 1
    assert k1.health_measures["threading"] == 2
    assert k2.health_contributions["threading"] < k1.health_contributions["threading"]


def test_trend_explains_the_change_and_marks_a_new_scorecard_version(portfolio) -> None:
    revenue, accounts = portfolio
    score(revenue, as_of=AS_OF - dt.timedelta(days=90))
    definition = DEFAULT_HEALTH.to_dict()
    definition["groups"][1]["weight"] = 60  # relationship counts for more
    health_scorecard_publish(definition=definition, version="health-2", note="test")
    score(revenue)
    trends = {t.days: t for t in account_health_trend(accounts["K2"].pk)}
    assert trends[30].previous is None
    ninety = trends[90]
    assert ninety.previous is not None
    assert ninety.version_changed
    assert ninety.change == pytest.approx(
        ninety.latest.health_score - ninety.previous.health_score, abs=0.01
    )
    assert ninety.movers
    assert "label" in ninety.movers[0]


def test_panel_lists_every_measure_with_its_label(portfolio) -> None:
    revenue, accounts = portfolio
    score(revenue)
    panel = account_health_panel(accounts["K1"].pk)
    assert panel is not None
    assert [m["key"] for m in panel.measures] == [m.key for m in DEFAULT_HEALTH.measures]
    threading = next(m for m in panel.measures if m["key"] == "threading")
    assert (threading["value"], threading["score"]) == (2, 60)
    assert {
        "measure": "nps",
        "label": "Latest NPS",
        "reason": "no survey answers that can be shown",
    } in panel.flags
    assert account_health_latest(accounts["K1"].pk) == panel.health


def test_accounts_are_annotated_and_ordered_by_value_at_risk_in_one_query(portfolio) -> None:
    revenue, accounts = portfolio
    run = score(revenue)
    AccountHealth.objects.filter(account=accounts["K1"]).update(risk=0.1, clv=100_000)
    AccountHealth.objects.filter(account=accounts["K2"]).update(risk=0.6, clv=50_000)
    with CaptureQueriesContext(connection) as queries:
        ordered = list(by_value_at_risk(Account.objects.all()))
    assert len(queries) == 1
    assert [a.external_id for a in ordered] == ["K2", "K1", "K3"]
    assert ordered[0].value_at_risk == pytest.approx(30_000)
    assert ordered[2].value_at_risk is None
    annotated = with_health(Account.objects.filter(pk=accounts["K1"].pk)).get()
    assert annotated.churn_risk == pytest.approx(0.1)
    assert run.pk


def test_what_if_a_decision_maker_left(portfolio) -> None:
    revenue, accounts = portfolio
    score(revenue)
    leaving = accounts["K1"].positions.first().contact
    result = what_if_contact_left(
        accounts["K1"], leaving, snapshot=account_latest_snapshot(account_id=accounts["K1"].pk)
    )
    assert result is not None
    assert result.health_after < result.health_before
    changed = {c["label"]: (c["before"], c["after"]) for c in result.changes}
    assert changed["Decision makers engaged"] == (2, 1)
    assert changed["Contacts who left"] == (0, 1)
    alone = what_if_contact_left(
        accounts["K2"],
        accounts["K2"].positions.first().contact,
        snapshot=account_latest_snapshot(account_id=accounts["K2"].pk),
    )
    assert alone.health_after < result.health_after  # nobody is left at K2


def test_scorecard_versions_are_published_never_edited() -> None:
    row, card = health_scorecard_current()
    assert row.is_active
    assert card == DEFAULT_HEALTH
    with pytest.raises(DomainError, match="never edited"):
        health_scorecard_publish(definition=DEFAULT_HEALTH.to_dict(), version=row.version)
    with pytest.raises(DomainError, match="not valid"):
        health_scorecard_publish(definition={"groups": []}, version="broken")
    health_scorecard_publish(definition=DEFAULT_HEALTH.to_dict(), version="health-9")
    assert HealthScorecard.objects.get(is_active=True).version == "health-9"


def test_a_new_scorecard_version_is_added_in_the_admin(admin_client) -> None:
    health_scorecard_current()
    form = admin_client.get("/admin/health/healthscorecard/add/")
    assert form.status_code == 200
    assert b"health-1-next" in form.content
    definition = DEFAULT_HEALTH.to_dict()
    definition["cadence"] = {"A": 4, "B": 2, "C": 1}
    response = admin_client.post(
        "/admin/health/healthscorecard/add/",
        {"version": "health-2", "definition": json.dumps(definition), "note": "more visits"},
    )
    assert response.status_code == 302
    _, active = health_scorecard_current()
    assert active.version == "health-2"
    assert active.cadence["A"] == 4
    assert admin_client.get("/admin/health/accounthealth/").status_code == 200


def test_the_partials_render_health_trend_and_what_if(portfolio) -> None:
    revenue, accounts = portfolio
    score(revenue)
    account = accounts["K1"]
    html = render_to_string("health/_health.html", {"panel": account_health_panel(account.pk)})
    assert "Health:" in html
    assert "Decision makers engaged" in html
    assert "latest nps — no survey answers that can be shown" in html
    contact = account.positions.first().contact
    what_if = what_if_contact_left(
        account, contact, snapshot=account_latest_snapshot(account_id=account.pk)
    )
    html = render_to_string("health/_what_if.html", {"what_if": what_if, "contact": contact})
    assert f"If {contact} left" in html
    assert "Contacts who left: 0 → 1" in html
    assert "Not scored yet" in render_to_string("health/_health.html", {"panel": None})


def test_a_saved_model_is_used_only_for_dates_it_may_know(settings, tmp_path) -> None:
    settings.HOME = tmp_path
    rng = np.random.default_rng(0)
    X = pl.DataFrame({name: rng.normal(size=400) for name in RISK_FEATURES})
    model = ChurnRiskModel(n_estimators=5).fit(X, (rng.random(400) < 0.3).astype(int))
    rule = ChurnDefinition()
    risk_model_save(model, definition=rule, about={"trained_as_of": "2026-06-30"})
    assert risk_model_load(as_of=dt.date(2026, 7, 10), definition=rule) is not None
    # Never for a date before the data it learnt from, nor long after; nor another rule.
    assert risk_model_load(as_of=dt.date(2026, 6, 1), definition=rule) is None
    assert risk_model_load(as_of=dt.date(2026, 12, 31), definition=rule) is None
    assert (
        risk_model_load(as_of=dt.date(2026, 7, 10), definition=ChurnDefinition(horizon_days=90))
        is None
    )
    # Re-scoring a past date trains for that date but keeps the newer model.
    older = {"trained_as_of": "2026-01-31"}
    assert risk_model_save(model, definition=rule, about=older, keep_newer=True) is None
    kept = risk_model_load(as_of=dt.date(2026, 7, 10), definition=rule)
    assert kept is not None
    assert kept[1]["trained_as_of"] == "2026-06-30"
