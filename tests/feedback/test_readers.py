"""Who reads survey answers: names only for readers with personal data, accounts only those
the reader sees — on every page, export and API response (``feedback.audience``)."""

from __future__ import annotations

import csv
import io

import pytest

from tenure.access.services import role_assign
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.feedback.factories import open_campaign, respond

pytestmark = pytest.mark.django_db


def _user(role: str):
    user = UserFactory()
    role_assign(user=user, role=role)
    return user


def _csv(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/feedback/answers.csv{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _answer(account, first: str, last: str, comment: str, consent: bool = True):
    contact = ContactFactory(first_name=first, last_name=last)
    respond(
        open_campaign(account=account, name=f"Survey of {account.name}"),
        contact=contact,
        account=account,
        score=9,
        consent=consent,
        nps_why=comment,
    )


def test_an_analyst_reads_named_answers_without_the_names_everywhere(client):
    account = AccountFactory(name="Birch Foods")
    _answer(account, "Olga", "Zwicky", "Great partner")
    client.force_login(_user("analyst"))
    pages = {
        "figures": client.get("/feedback/").content.decode(),
        "account figures": client.get(f"/feedback/?account={account.pk}").content.decode(),
        "account page": client.get(account.get_absolute_url() + "?tab=feedback").content.decode(),
        "brief": client.get(f"/accounts/{account.pk}/brief/").content.decode(),
        "csv": client.get("/feedback/answers.csv").content.decode(),
        "api": client.get("/api/v1/surveys/responses").content.decode(),
    }
    for where, page in pages.items():
        assert "Olga" not in page, where
        assert "Zwicky" not in page, where
    # The answers themselves are still shown one by one: the respondent agreed to that.
    assert "Great partner" in pages["figures"]
    assert "Great partner" in pages["account page"]
    (row,) = _csv(client)
    assert row["respondent"] == ""
    assert row["nps"] == "9"


def test_a_director_reads_the_names_respondents_agreed_to_share(client):
    account = AccountFactory(name="Birch Foods")
    _answer(account, "Olga", "Zwicky", "Great partner")
    client.force_login(_user("director"))
    assert "Olga Zwicky" in client.get("/feedback/").content.decode()
    assert (
        "Olga Zwicky" in client.get(account.get_absolute_url() + "?tab=feedback").content.decode()
    )
    assert [r["respondent"] for r in _csv(client)] == ["Olga Zwicky"]


def test_with_kam_sees_all_off_a_manager_reads_only_their_own_accounts_answers(client, settings):
    settings.TENURE_KAM_SEES_ALL = False
    mine = TeamMembershipFactory(account=AccountFactory(name="Birch Foods"))
    manager, birch = mine.user, mine.account
    theirs = TeamMembershipFactory(account=AccountFactory(name="Cedar Works"))
    _answer(birch, "Olga", "Zwicky", "Birch is well served")
    _answer(theirs.account, "Carl", "Cedar", "Cedar is unhappy")
    client.force_login(manager)

    page = client.get("/feedback/").content.decode()
    assert "Birch is well served" in page
    assert "Cedar is unhappy" not in page
    assert "Cedar Works" not in page
    assert [r["account"] for r in _csv(client)] == ["Birch Foods"]
    # The response rate counts the manager's accounts only.
    api = client.get("/api/v1/surveys/figures").json()
    assert api["response_rate"]["invited"] == 1
    assert api["portfolio"]["n"] == 1
    # Another team's account is "not found", another manager's accounts "forbidden".
    assert client.get(f"/feedback/?account={theirs.account.pk}").status_code == 404
    assert client.get(f"/feedback/answers.csv?account={theirs.account.pk}").status_code == 404
    assert client.get(f"/feedback/?manager={theirs.user.pk}").status_code == 403
    assert client.get(f"/api/v1/surveys/responses?account={theirs.account.pk}").status_code == 404
