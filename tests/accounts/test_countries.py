"""One country parser and one set of field rules for every way an account comes in.

The accounts import refused ``United States`` (two letters only) while the order import
accepted English names, and ``XX`` and ``founded_year`` 3000 passed the accounts import.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenure.accounts.countries import UnknownCountry, country_code
from tenure.accounts.imports import import_accounts
from tenure.accounts.models import Account
from tenure.accounts.services import account_create, account_update
from tenure.core.errors import DomainError
from tenure.ledger import store
from tenure.ledger.importing import import_orders
from tests.accounts.factories import AccountFactory

NOT_A_COUNTRY = "'XX' is not a country: write an ISO 3166 code (DE, DEU) or the English name"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("de", "DE"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        ("united states", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("EIRE", "IE"),
        ("Unspecified", ""),
        ("  ", ""),
        (None, ""),
    ],
)
def test_country_codes_and_english_names_read_as_the_alpha_2_code(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["XX", "Narnia", "826", "D"])
def test_unknown_countries_are_refused(text):
    with pytest.raises(UnknownCountry, match="is not a country"):
        country_code(text)


@pytest.mark.django_db
def test_accounts_import_reads_english_names_and_refuses_unknown_countries_by_row(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("external_id,name,country\nC1,Birch,United States\nC2,Cedar,XX\nC3,Oak,deu\n")
    report = import_accounts(path)
    assert [(error.line, error.field, error.reason) for error in report.errors] == [
        (3, "country", NOT_A_COUNTRY + " (Germany)")
    ]
    assert not Account.objects.exists()

    path.write_text("external_id,name,country\nC1,Birch,United States\nC3,Oak,deu\n")
    assert import_accounts(path).ok
    assert dict(Account.objects.values_list("external_id", "country")) == {"C1": "US", "C3": "DE"}


@pytest.mark.django_db
def test_accounts_import_refuses_a_founding_year_of_3000(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("external_id,name,founded_year\nC1,Birch,3000\n")
    report = import_accounts(path)
    assert [(error.line, error.field, error.reason) for error in report.errors] == [
        (2, "founded_year", "the founding year must lie between 1600 and 2200")
    ]
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_services_read_country_names_and_refuse_unknown_ones():
    account = account_create(name="Birch", country="Germany")
    assert account.country == "DE"
    with pytest.raises(DomainError, match="'XX' is not a country") as refused:
        account_update(account=account, country="XX")
    assert refused.value.field == "country"
    account.refresh_from_db()
    assert account.country == "DE"


@pytest.mark.django_db
def test_the_stored_field_refuses_an_unknown_code_as_the_admin_form_validates_it():
    account = AccountFactory.build(country="XX")
    with pytest.raises(ValidationError, match="'XX' is not a country"):
        account.full_clean(exclude=["parent"])


@pytest.mark.django_db
def test_order_import_reads_countries_with_the_one_parser_and_never_refuses_revenue(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "account_key,order_id,order_date,product_id,amount,currency,country\n"
        "C1,SO-1,2026-03-02,P1,10.00,EUR,United States\n"
        "C2,SO-2,2026-03-02,P1,10.00,EUR,XX\n"
    )
    con = store.connect(f"duckdb://{tmp_path / 'ledger.duckdb'}")
    try:
        report = import_orders(path, source="erp", con=con)
    finally:
        con.disconnect()
    # The country only names a created account's country: "XX" leaves it blank, the line counts.
    assert report.rows_imported == 2
    assert dict(Account.objects.values_list("external_id", "country")) == {"C1": "US", "C2": ""}
