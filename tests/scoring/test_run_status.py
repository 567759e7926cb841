"""A scoring run is *done* only once its last step (growth, seasonal preparation) is written.

A run that raises in those steps is marked failed; one killed there stays running. Neither
may pass for complete.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.scoring import run as scoring_run_module
from tenure.scoring.choices import RunStatus
from tenure.scoring.models import ScoringRun
from tests.accounts.factories import AccountFactory
from tests.scoring.health_ledger import every, ledger_connection, order_lines

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def ledger(settings, tmp_path, monkeypatch):
    settings.HOME = tmp_path
    AccountFactory(external_id="K1")
    AccountFactory(external_id="K2")
    start = dt.date(2025, 11, 1)
    lines = order_lines(
        [("K1", d, 120.0 + d.day) for d in every(9, start, AS_OF)]
        + [("K2", d, 80.0 + d.day) for d in every(21, start, AS_OF)]
    )
    con = ledger_connection(lines)
    monkeypatch.setattr(scoring_run_module.store, "connect", lambda _url=None, **_options: con)


@pytest.mark.usefixtures("ledger")
def test_a_run_is_still_running_during_its_last_step_and_done_after_it(monkeypatch):
    seen = []
    plan = scoring_run_module.seasonal_touchpoints_plan

    def watching(**kwargs):  # type: ignore[no-untyped-def]
        seen.append(ScoringRun.objects.get().status)
        return plan(**kwargs)

    monkeypatch.setattr(scoring_run_module, "seasonal_touchpoints_plan", watching)
    run = scoring_run_module.run_scoring(as_of=AS_OF, progress=lambda _: None)
    assert seen == [RunStatus.RUNNING]
    stored = ScoringRun.objects.get(pk=run.pk)
    assert stored.status == RunStatus.DONE
    assert stored.finished_at is not None


@pytest.mark.parametrize("step", ["growth_refresh", "seasonal_touchpoints_plan"])
@pytest.mark.usefixtures("ledger")
def test_a_run_that_fails_in_its_last_steps_is_not_done(monkeypatch, step):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("killed here")

    monkeypatch.setattr(scoring_run_module, step, broken)
    with pytest.raises(RuntimeError, match="killed here"):
        scoring_run_module.run_scoring(as_of=AS_OF, progress=lambda _: None)
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert run.accounts_scored == 2  # what was written stays, but not as a finished run
