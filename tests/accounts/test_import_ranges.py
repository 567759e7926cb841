"""Imported numbers and dates are refused outside their field's range, by that range.

``employees=99999999999`` passed on SQLite (and failed on PostgreSQL's integer), a birthday
in 2999 was stored, and a huge founding year was refused citing 9223372036854775807.
"""

from __future__ import annotations

import pytest

from tenure.accounts.imports import import_accounts, import_contacts
from tenure.accounts.models import Account, Contact

pytestmark = pytest.mark.django_db

DATABASE_LIMITS = ("9223372036854775807", "2147483647", "32767")


def reasons(report) -> dict[tuple[int | None, str | None], str]:
    return {(error.line, error.field): error.reason for error in report.errors}


def test_import_rejects_employees_above_ten_million_and_huge_years_by_their_range(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "external_id,name,employees,founded_year\n"
        "C1,Typo Co,99999999999,2000\n"
        "C2,Old Co,5,99999999999999999999\n"
        "C3,Inf Co,Infinity,2000\n"
        "C4,Fine Co,10000000,1600\n"
    )
    report = import_accounts(path)
    assert reasons(report) == {
        (2, "employees"): "the number of employees must lie between 0 and 10,000,000",
        (3, "founded_year"): "the founding year must lie between 1600 and 2200",
        (4, "employees"): "'Infinity' is not a whole number",
    }
    assert not any(limit in str(report.errors) for limit in DATABASE_LIMITS)
    assert not Account.objects.exists()


def test_import_rejects_a_birthday_in_the_future_or_before_1900(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,first_name,last_name,birthday\n"
        "a@x.example,Ann,Lee,2999-01-01\n"
        "b@x.example,Bo,Ma,1850-06-01\n"
        "c@x.example,Cy,Na,1970-06-01\n"
    )
    report = import_contacts(path)
    assert reasons(report) == {
        (2, "birthday"): "2999-01-01 is not a birthday: it must lie between 1900-01-01 and today",
        (3, "birthday"): "1850-06-01 is not a birthday: it must lie between 1900-01-01 and today",
    }
    assert not Contact.objects.exists()


def test_import_rejects_a_huge_strength_by_its_range(tmp_path):
    Account.objects.create(external_id="C1", name="Birch")
    path = tmp_path / "people.csv"
    path.write_text(
        "email,first_name,last_name,account_external_id,strength\n"
        "a@x.example,Ann,Lee,C1,99999999999\n"
    )
    report = import_contacts(path)
    assert reasons(report) == {(2, "strength"): "relationship strength must be between 1 and 5"}
