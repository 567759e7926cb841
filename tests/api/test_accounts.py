"""Accounts through the API: filters, sorting, pages, writes through the services,
consistent error bodies, and fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenure.accounts.models import Account
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.planning.factories import MilestoneFactory


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.fixture
def portfolio(db):  # noqa: ARG001
    manager = UserFactory(username="kim")
    alpha = AccountFactory(name="Alpha", tier="A", is_key_account=True, external_id="E-1")
    TeamMembershipFactory(account=alpha, user=manager)
    beta = AccountFactory(name="Beta", tier="B", status="prospect")
    gamma = AccountFactory(name="Gamma", tier="C", status="churned")
    MilestoneFactory(account=beta)
    return manager, alpha, beta, gamma


def test_accounts_filter_by_tier_key_status_manager_and_search(api, portfolio):
    manager, *_ = portfolio
    assert _names(api.get("/accounts")) == ["Alpha", "Beta", "Gamma"]
    assert _names(api.get("/accounts", tier="B")) == ["Beta"]
    assert _names(api.get("/accounts", key="true")) == ["Alpha"]
    assert _names(api.get("/accounts", status="churned")) == ["Gamma"]
    assert _names(api.get("/accounts", manager=manager.pk)) == ["Alpha"]
    assert _names(api.get("/accounts", search="amm")) == ["Gamma"]
    assert _names(api.get("/accounts", search="E-1")) == ["Alpha"]


@pytest.mark.usefixtures("portfolio")
def test_accounts_sort(api):
    assert _names(api.get("/accounts", sort="-name")) == ["Gamma", "Beta", "Alpha"]
    assert _names(api.get("/accounts", sort="-tier")) == ["Gamma", "Beta", "Alpha"]
    assert api.get("/accounts", sort="revenue").status_code == 422


@pytest.mark.usefixtures("portfolio")
def test_accounts_list_carries_manager_and_open_issues(api):
    items = {item["name"]: item for item in api.get("/accounts").json()["items"]}
    assert items["Alpha"]["manager_name"] == "kim"
    assert items["Beta"]["has_open_issue"] is True
    assert items["Alpha"]["has_open_issue"] is False


@pytest.mark.usefixtures("db")
def test_pages_carry_the_total(api):
    AccountFactory.create_batch(7)
    first = api.get("/accounts", page_size=3).json()
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (7, 3, 1, 3)
    last = api.get("/accounts", page_size=3, page=3).json()
    assert len(last["items"]) == 1
    assert api.get("/accounts", page_size=3, page=9).json()["items"] == []
    assert api.get("/accounts", page_size=101).status_code == 422


def _queries(api, path: str, **params) -> int:
    api.get(path, **params)  # the token's last use is written once a minute, not here
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path, **params).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("rows", [2, 12])
def test_the_accounts_list_takes_a_fixed_number_of_queries(api, rows):
    for account in AccountFactory.create_batch(rows):
        TeamMembershipFactory(account=account)
        MilestoneFactory(account=account)
    # token + role, count, the page's ids (sorted on the bare rows), the page annotated
    assert _queries(api, "/accounts") == 4
    assert api.get("/accounts").json()["total"] == rows  # and they are all listed


@pytest.mark.usefixtures("db")
def test_create_goes_through_the_service_and_returns_the_account(api):
    parent = AccountFactory(name="Group")
    response = api.post(
        "/accounts",
        {"name": " Newco ", "external_id": " N-1 ", "country": "fr", "parent_id": parent.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["external_id"], body["country"]) == ("Newco", "N-1", "FR")
    assert body["parent_id"] == parent.pk
    assert body["can_edit"] is True
    assert Account.objects.filter(pk=body["id"]).exists()


@pytest.mark.usefixtures("db")
def test_update_changes_only_the_fields_sent(api):
    account = AccountFactory(name="Oldco", industry="Steel", region="North")
    response = api.patch(f"/accounts/{account.pk}", {"industry": "Retail"})
    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.name, account.industry, account.region) == ("Oldco", "Retail", "North")


@pytest.mark.usefixtures("db")
def test_a_broken_rule_is_a_400_naming_the_field(api):
    AccountFactory(external_id="TAKEN")
    response = api.post("/accounts", {"name": "Dup", "external_id": "TAKEN"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "external id TAKEN already belongs to " + Account.objects.get().name,
            "field": "external_id",
        }
    }


@pytest.mark.usefixtures("db")
def test_an_account_cannot_join_its_own_subsidiary(api):
    group = AccountFactory()
    child = AccountFactory(parent=group)
    response = api.patch(f"/accounts/{group.pk}", {"parent_id": child.pk})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "parent"
    group.refresh_from_db()
    assert group.parent_id is None


@pytest.mark.usefixtures("db")
def test_an_unknown_id_is_a_404_body(api):
    response = api.get("/accounts/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.usefixtures("db")
def test_an_invalid_body_is_a_422_in_the_same_shape(api):
    response = api.post("/accounts", {"name": "", "founded_year": 1200, "colour": "red"})
    assert response.status_code == 422
    assert not Account.objects.exists()
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] in {"name", "founded_year", "colour"}
    assert all(field in error["message"] for field in ("name", "founded_year", "colour"))


@pytest.mark.usefixtures("db")
def test_country_names_are_read_as_codes_and_unknown_countries_refused(api):
    # The one country parser (tenure.accounts.countries), as in the imports.
    created = api.post("/accounts", {"name": "Birch", "country": "United States"})
    assert created.status_code == 201
    assert Account.objects.get().country == "US"

    refused = api.post("/accounts", {"name": "Cedar", "country": "XX"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "country"
    assert "'XX' is not a country" in refused.json()["error"]["message"]
    assert Account.objects.count() == 1


@pytest.mark.usefixtures("db")
def test_nul_characters_are_refused_before_the_database(api):
    response = api.post("/accounts", {"name": "Bad\x00name"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"
    assert not Account.objects.exists()


@pytest.mark.usefixtures("db")
def test_dates_outside_the_supported_range_are_refused(api):
    account = AccountFactory()
    response = api.post(
        f"/accounts/{account.pk}/milestones",
        {"kind": "defect", "title": "x", "occurred_on": dt.date(9999, 12, 31).isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "occurred_on"
    assert not account.milestones.exists()
