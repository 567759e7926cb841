"""CLV and probability alive are shown with their 90 % intervals and the fit's note.

Issue 17, items 1 and 2: wherever an account's CLV or probability alive is shown (the
account page's health partial, the API's account representation), its bootstrap interval is
shown beside it, and a run that fell back to the regularised fit says so.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from tenure.access.choices import Role
from tenure.health.clv_note import clv_fit_note
from tenure.health.models import AccountHealth
from tenure.health.selectors import account_health_panel
from tests.accounts.factories import AccountFactory
from tests.api.conftest import client_for, make_user
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames
from tests.web.test_track_record import FALLBACK, IDENTIFIED

pytestmark = pytest.mark.django_db

REVENUE = {"K1": 500_000.0, "K2": 90_000.0}


def scored(clv_fit: dict) -> AccountHealth:
    """A scoring run whose K1 row carries CLV, probability alive and their intervals."""
    for key in REVENUE:
        AccountFactory(external_id=key, name=f"Account {key}")
    run = score_frames(as_of=AS_OF, features=features_for(REVENUE), monthly=monthly_for(REVENUE))
    run.clv_fit = clv_fit
    run.currency = "EUR"
    run.save(update_fields=["clv_fit", "currency"])
    row = AccountHealth.objects.get(run=run, account__external_id="K1")
    AccountHealth.objects.filter(pk=row.pk).update(
        clv=Decimal("12300"),
        clv_low=Decimal("9800"),
        clv_high=Decimal("15100"),
        clv_months=12,
        probability_alive=0.83,
        probability_alive_low=0.78,
        probability_alive_high=0.87,
    )
    row.refresh_from_db()
    return row


def partial(row: AccountHealth) -> str:
    panel = account_health_panel(row.account_id)
    return render_to_string(
        "health/_health.html", {"panel": panel, "reporting_currency": row.run.currency}
    )


def test_the_account_page_shows_clv_and_probability_alive_with_their_intervals() -> None:
    row = scored(IDENTIFIED)

    html = partial(row)

    assert "12,300 EUR</strong>" in html
    assert "(90 %: 9,800–15,100 EUR)" in html
    assert "Still buying (probability): <strong>83 %</strong>" in html
    assert "(90 %: 78 %–87 %)" in html
    assert "regularised" not in html


def test_the_account_page_says_when_the_clv_fit_fell_back() -> None:
    row = scored(FALLBACK)

    html = partial(row)

    assert (
        "Lifetime value and probability of still buying: estimated with a regularised fit "
        "(BG/NBD MAP (normal priors, sd 1 on log-parameters)): the data do not identify dropout"
    ) in html
    assert "a at the no-dropout boundary (0.0034)" in html


def test_the_api_account_carries_the_intervals_and_the_note() -> None:
    row = scored(FALLBACK)

    body = client_for(make_user(Role.DIRECTOR)).get(f"/accounts/{row.account_id}").json()

    value = body["lifetime_value"]
    assert value["clv"] == "12300.00"
    assert (value["clv_low"], value["clv_high"]) == ("9800.00", "15100.00")
    assert (value["p_alive"], value["p_alive_low"], value["p_alive_high"]) == (0.83, 0.78, 0.87)
    assert value["currency"] == "EUR"
    assert value["fallback"] is True
    assert value["note"].startswith("estimated with a regularised fit (BG/NBD MAP")


def test_the_api_account_has_no_lifetime_value_before_its_first_run() -> None:
    row = scored(IDENTIFIED)
    other = AccountHealth.objects.get(run=row.run, account__external_id="K2")
    other.delete()

    body = client_for(make_user(Role.DIRECTOR)).get(f"/accounts/{other.account_id}").json()

    assert body["lifetime_value"] is None
    identified = client_for(make_user(Role.DIRECTOR)).get(f"/accounts/{row.account_id}").json()
    assert identified["lifetime_value"]["note"] is None
    assert identified["lifetime_value"]["identified"] is True


def test_clv_fit_note_names_the_fallback_or_the_unidentified_fit() -> None:
    assert clv_fit_note(None) is None
    assert clv_fit_note({}) is None
    assert clv_fit_note({"error": "no repeat buyers"}) is None
    assert clv_fit_note(IDENTIFIED) is None
    flat = clv_fit_note({**IDENTIFIED, "identified": False, "reasons": ["flat likelihood"]})
    assert flat == "estimated with a Pareto/NBD fit the data do not identify (flat likelihood)"
    other = clv_fit_note(
        {**FALLBACK, "tried": {"BG/NBD": {"identified": False, "reasons": ["too few buyers"]}}}
    )
    assert other is not None
    assert "the data do not identify the maximum-likelihood models (BG/NBD: too few" in other


def test_the_portfolio_shows_the_clv_interval_of_accounts_at_risk(client) -> None:
    row = scored(FALLBACK)
    AccountHealth.objects.filter(pk=row.pk).update(risk=0.5)
    client.force_login(make_user(Role.DIRECTOR))

    page = client.get("/portfolio/").content.decode()

    assert "12,300 EUR <span" in page
    assert "(90 %: 9,800–15,100 EUR)" in page
