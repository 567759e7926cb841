"""Survey figures and answers through the API keep the third-party principle: names only
with consent (and never for roles without personal data), groups only when large enough."""

from __future__ import annotations

import pytest

from tenure.access.choices import Role
from tests.api.conftest import client_for, make_user
from tests.feedback.factories import open_campaign, respond


@pytest.fixture
def campaign(db):  # noqa: ARG001
    return open_campaign()


def _figures(client, campaign):
    response = client.get("/surveys/figures", account=campaign.account_id)
    assert response.status_code == 200, response.content
    return response.json()


def _answers(client, campaign):
    response = client.get("/surveys/responses", account=campaign.account_id)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_two_anonymous_answers_are_too_few_to_show(api, campaign):
    first = respond(campaign, score=10, better="Faster invoices")
    second = respond(campaign, score=2, better="Answer the phone")
    figures = _figures(api, campaign)
    assert figures["min_group"] == 3
    assert figures["portfolio"]["n"] == 2
    assert figures["portfolio"]["hidden"] is True
    assert figures["portfolio"]["score"] is None
    assert [row["hidden"] for row in figures["by_account"]] == [True]
    assert _answers(api, campaign) == []
    text = str(figures)
    for response in (first, second):
        assert response.invitation.contact.last_name not in text


def test_three_anonymous_answers_show_without_names_or_days(api, campaign):
    people = [respond(campaign, score=s, better=f"idea {s}") for s in (10, 9, 3)]
    figures = _figures(api, campaign)
    assert figures["portfolio"]["hidden"] is False
    assert figures["portfolio"]["score"] == pytest.approx(100 * (2 - 1) / 3)
    answers = _answers(api, campaign)
    assert len(answers) == 3
    assert {a["respondent"] for a in answers} == {None}
    assert all(" Q" in a["answered"] for a in answers)  # the quarter, not the day
    page = str(answers)
    for response in people:
        assert response.invitation.contact.last_name not in page


def test_a_consenting_respondent_is_named_except_to_analysts(api, campaign):
    named = respond(campaign, score=9, consent=True, better="More visits")
    contact = named.invitation.contact
    answers = _answers(api, campaign)
    assert [a["respondent"] for a in answers] == [contact.full_name]
    assert answers[0]["answers"]["better"] == "More visits"
    analyst = client_for(make_user(Role.ANALYST))
    assert [a["respondent"] for a in _answers(analyst, campaign)] == [None]


def test_a_named_answer_does_not_unlock_anonymous_ones(api, campaign):
    respond(campaign, score=9, consent=True)
    hidden = respond(campaign, score=1, better="Secret complaint")
    figures = _figures(api, campaign)
    assert figures["portfolio"]["hidden"] is True
    answers = _answers(api, campaign)
    assert len(answers) == 1
    assert "Secret complaint" not in str(answers)
    assert hidden.invitation.contact.last_name not in str(answers)


def test_a_restricted_manager_reads_only_their_accounts_answers(campaign, settings):
    settings.TENURE_KAM_SEES_ALL = False
    manager = client_for(make_user(Role.KEY_ACCOUNT_MANAGER))
    assert manager.get("/surveys/figures", account=campaign.account_id).status_code == 404
    assert manager.get("/surveys/responses", manager=9999).status_code == 403
    assert manager.get("/surveys/figures").json()["portfolio"]["n"] == 0


def test_windows_a_day_apart_cannot_be_differenced_to_recover_a_days_answers(campaign):
    """Four anonymous answers on 1–4 Oct 2026: [1–3 Oct] and [1–4 Oct] would differ by the
    answer of 4 Oct. Windows snap to whole quarters, so both read the same Q4 figures."""
    import datetime as dt

    for day, score in zip((1, 2, 3, 4), (10, 9, 9, 0), strict=True):
        respond(campaign, score=score, at=dt.datetime(2026, 10, day, 12, tzinfo=dt.UTC))
    analyst = client_for(make_user(Role.ANALYST))
    reads = []
    for until in ("2026-10-03", "2026-10-04"):
        figures = analyst.get("/surveys/figures", since="2026-10-01", until=until).json()
        responses = analyst.get("/surveys/responses", since="2026-10-01", until=until).json()
        reads.append((figures, responses))
    (first, first_rows), (second, second_rows) = reads
    assert (first["since"], first["until"]) == ("2026-10-01", "2026-12-31")
    assert first["portfolio"] == second["portfolio"]
    assert first["portfolio"]["n"] == 4
    assert first["portfolio"]["detractors"] == 1
    assert first["by_account"] == second["by_account"]
    assert first_rows == second_rows
    # A window inside one day reads the whole quarter too.
    one_day = analyst.get("/surveys/figures", since="2026-10-04", until="2026-10-04").json()
    assert one_day["portfolio"] == first["portfolio"]
