"""Importing accounts and contacts from CSV and Excel: checked, all or nothing, idempotent."""

from __future__ import annotations

import argparse
import datetime as dt
import zipfile
from decimal import Decimal
from io import StringIO
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from tenure.accounts import upserts
from tenure.accounts.imports import (
    add_accounts_arguments,
    handle_accounts,
    import_accounts,
    import_contacts,
)
from tenure.accounts.models import Account, AccountAlias, Contact, Position
from tests.accounts.factories import AccountFactory, ContactFactory, PositionFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = """\
external_id,name,industry,country,employees,founded_year,potential_annual_spend,is_seasonal,parent_external_id,preferred_channels,status
C1,Birch Foods,Food,de,250,1971,125000.50,yes,,email;Phone,active
C2,Birch Foods UK,Food,gb,40.0,,,no,C1,,
C3,Cedar Retail,Retail,fr,,,,TRUE,,,prospect
"""


def write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_accounts_creates_rows_with_typed_fields(tmp_path):
    report = import_accounts(write(tmp_path, ACCOUNTS))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    birch = Account.objects.get(external_id="C1")
    assert birch.country == "DE"
    assert birch.employees == 250
    assert birch.founded_year == 1971
    assert birch.potential_annual_spend == Decimal("125000.50")
    assert birch.is_seasonal
    assert birch.preferred_channels == ["email", "phone"]
    assert Account.objects.get(external_id="C2").parent == birch
    assert Account.objects.get(external_id="C3").status == "prospect"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = write(tmp_path, ACCOUNTS)
    import_accounts(path)
    stamps = dict(Account.objects.values_list("external_id", "updated_at"))
    report = import_accounts(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert dict(Account.objects.values_list("external_id", "updated_at")) == stamps


def test_reimport_updates_changed_fields_and_leaves_absent_columns_alone(tmp_path):
    AccountFactory(external_id="C1", name="Birch", industry="Food", region="Bavaria")
    report = import_accounts(write(tmp_path, "external_id,name,industry\nC1,Birch,Drinks\n"))
    assert (report.created, report.updated) == (0, 1)
    birch = Account.objects.get(external_id="C1")
    assert (birch.industry, birch.region) == ("Drinks", "Bavaria")


def test_bad_rows_are_reported_by_line_and_field_and_nothing_is_written(tmp_path):
    text = (
        "external_id,name,employees,is_seasonal,founded_year,potential_annual_spend\n"
        "C1,Good,10,no,1990,5\n"
        "C2,Bad count,many,no,,\n"
        "\n"
        "C3,Bad flag,1,perhaps,,\n"
        "C4,Too old,1,no,1200,\n"
        "C5,Negative,1,no,,-5\n"
        ",No id,1,no,,\n"
    )
    report = import_accounts(write(tmp_path, text))
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "employees"),
        (5, "is_seasonal"),
        (6, "founded_year"),
        (7, "potential_annual_spend"),
        (8, "external_id"),
    ]
    assert "'many' is not a whole number" in report.errors[0].reason
    assert report.errors[2].reason == "the founding year must lie between 1600 and 2200"
    assert str(report.errors[0]) == "line 3, employees: 'many' is not a whole number"
    assert Account.objects.count() == 0
    assert report.summary() == "file.csv: 5 problem(s); nothing was written."


def test_unknown_and_missing_columns_are_named_on_the_header_line(tmp_path):
    report = import_accounts(write(tmp_path, "external_id,colour,Owner\nC1,red,ann\n"))
    reasons = [(e.line, e.reason) for e in report.errors]
    assert reasons[0][0] == 1
    assert reasons[0][1].startswith("unknown column(s): colour, Owner.")
    assert reasons[1] == (1, "missing required column(s): name")


def test_mapping_renames_and_drops_columns_and_headers_ignore_case(tmp_path):
    text = "Customer No,Company,Owner,Is Seasonal\n10023,Birch,ann,yes\n"
    report = import_accounts(
        write(tmp_path, text),
        mapping={"customer no": "external_id", "Company": "name", "Owner": "-"},
    )
    assert report.ok, report.errors
    assert Account.objects.get(external_id="10023").is_seasonal
    report = import_accounts(write(tmp_path, text), mapping={"Nope": "name"})
    assert report.errors[0] == report.errors[0].__class__(
        1, "Nope", "--map names a column the file does not have"
    )


def test_parent_is_found_in_the_file_in_any_order_or_in_the_database(tmp_path):
    AccountFactory(external_id="G1", name="Group")
    text = "external_id,name,parent_external_id\nS2,Grandchild,S1\nS1,Child,G0\nG0,Top,G1\n"
    assert import_accounts(write(tmp_path, text)).ok
    chain = Account.objects.get(external_id="S2")
    assert [chain.parent.external_id, chain.parent.parent.external_id] == ["S1", "G0"]
    assert chain.parent.parent.parent.external_id == "G1"


def test_parent_cycles_unknown_and_own_parents_are_refused(tmp_path):
    AccountFactory(external_id="A", name="A", parent=AccountFactory(external_id="B", name="B"))
    text = "external_id,name,parent_external_id\nB,B,A\nX,X,X\nY,Y,NOPE\n"
    report = import_accounts(write(tmp_path, text))
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (2, "parent_external_id", "an account cannot belong to one of its own subsidiaries"),
        (3, "parent_external_id", "an account cannot be its own parent"),
        (4, "parent_external_id", "no account has external id NOPE, in this import or in Tenure"),
    ]
    stored = set(Account.objects.values_list("external_id", "parent__external_id"))
    assert stored == {("A", "B"), ("B", None)}


def test_an_external_id_twice_in_one_file_is_refused(tmp_path):
    report = import_accounts(write(tmp_path, "external_id,name\nC1,A\nC1,B\n"))
    assert [(e.line, e.reason) for e in report.errors] == [(3, "C1 is on an earlier row too")]
    assert not Account.objects.exists()


def test_dry_run_checks_and_counts_but_writes_nothing(tmp_path):
    report = import_accounts(write(tmp_path, ACCOUNTS), dry_run=True)
    assert report.ok
    assert report.created == 3
    assert report.summary().endswith("(dry run: nothing was written).")
    assert Account.objects.count() == 0


def test_rows_of_a_merged_account_are_skipped_not_brought_back(tmp_path):
    kept = AccountFactory(external_id="C1", name="Birch")
    AccountAlias.objects.create(account=kept, external_id="OLD7")
    report = import_accounts(write(tmp_path, "external_id,name\nOLD7,Birch (old)\n"))
    assert (report.created, report.skipped) == (0, 1)
    assert str(report.notes[0]) == "line 2, external_id: OLD7 was merged into Birch; row skipped"
    assert Account.objects.count() == 1


def test_semicolon_separated_csv_with_byte_order_mark(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffexternal_id;name;employees\nC1;Birch, Inc.;12\n".encode())
    assert import_accounts(path).ok
    assert Account.objects.get(external_id="C1").name == "Birch, Inc."


def test_progress_is_reported(tmp_path):
    rows = "".join(f"C{i},Account {i}\n" for i in range(2500))
    calls = []
    import_accounts(
        write(tmp_path, "external_id,name\n" + rows), progress=lambda *a: calls.append(a)
    )
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_import_uses_bulk_queries_not_one_per_row(tmp_path, django_assert_max_num_queries):
    rows = "".join(f"C{i},Account {i},Food,{i % 7},C0\n" for i in range(1, 2001))
    path = write(
        tmp_path, "external_id,name,industry,employees,parent_external_id\nC0,Top,,,\n" + rows
    )
    with django_assert_max_num_queries(200):
        report = import_accounts(path)
    assert report.created == 2001
    path.write_text(path.read_text().replace(",Food,", ",Drinks,"))
    with django_assert_max_num_queries(100):
        assert import_accounts(path).updated == 2000


def write_xlsx(path, rows):
    """A minimal .xlsx (inline strings, numbers, booleans): no writer library needed."""

    def cell(ref, value):
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    body = "".join(
        f'<row r="{r}">'
        + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row) if v is not None)
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" '
        f'Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{office}"><sheets>'
        '<sheet name="Accounts" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" '
        f'Type="{office}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{body}</sheetData>'
        "</worksheet>",
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return path


def test_excel_numbers_and_booleans_read_as_ids_counts_and_flags(tmp_path):
    pytest.importorskip("fastexcel")
    header = ["external_id", "name", "employees", "is_seasonal", "potential_annual_spend"]
    path = write_xlsx(
        tmp_path / "accounts.xlsx",
        [header, [10023, "Birch", 250, True, 1234.5], [None] * 5, ["C2", "Cedar", 3.0, "no", None]],
    )
    report = import_accounts(path)
    assert report.ok, report.errors
    birch = Account.objects.get(external_id="10023")
    assert (birch.employees, birch.is_seasonal) == (250, True)
    assert birch.potential_annual_spend == Decimal("1234.5")
    bad = write_xlsx(tmp_path / "bad.xlsx", [header, ["C3", "Oak", 2.5, "no", None]])
    assert [(e.line, e.field) for e in import_accounts(bad).errors] == [(2, "employees")]


# --- Contacts -------------------------------------------------------------------------------

CONTACTS = """\
email,first_name,last_name,account_external_id,title,buying_role,strength,started_on,left_on
Ann@Birch.example,Ann,Lee,C1,Head of Purchasing,Decision maker,5,2020-01-01,
ann@birch.example,Ann,Lee,C2,Board member,influencer,3,2018-05-01,2023-12-31
bo@birch.example,Bo,Berg,C1,,,,,
cy@birch.example,Cy,Chen,,,,,,
"""


@pytest.fixture
def birch(db):  # noqa: ARG001
    return AccountFactory(external_id="C1", name="Birch"), AccountFactory(external_id="C2")


def test_import_contacts_creates_people_and_their_positions(tmp_path, birch):
    report = import_contacts(write(tmp_path, CONTACTS))
    assert report.ok, report.errors
    assert (report.created, report.positions_created) == (3, 3)
    ann = Contact.objects.get(email="ann@birch.example")
    current, former = ann.positions.get(left_on=None), ann.positions.get(left_on__isnull=False)
    assert (current.account, current.buying_role, current.strength) == (
        birch[0],
        "decision_maker",
        5,
    )
    assert former.left_on == dt.date(2023, 12, 31)
    assert former.account == birch[1]
    assert Position.objects.get(contact__email="bo@birch.example").strength == 3


@pytest.mark.usefixtures("birch")
def test_importing_contacts_twice_changes_nothing(tmp_path):
    path = write(tmp_path, CONTACTS)
    import_contacts(path)
    report = import_contacts(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (report.positions_created, report.positions_updated) == (0, 0)
    assert Position.objects.count() == 3


def test_contacts_match_on_email_whatever_the_case_and_a_left_on_closes_the_position(
    tmp_path, birch
):
    position = PositionFactory(
        contact=ContactFactory(email="ann@birch.example", first_name="Ann", last_name="Lee"),
        account=birch[0],
    )
    text = (
        "email,first_name,last_name,account_external_id,left_on\n"
        "ANN@birch.example,Ann,Lee-Berg,C1,2026-06-30\n"
    )
    report = import_contacts(write(tmp_path, text))
    assert (report.updated, report.positions_updated, report.positions_created) == (1, 1, 0)
    position.refresh_from_db()
    assert position.left_on == dt.date(2026, 6, 30)
    assert position.contact.last_name == "Lee-Berg"
    assert import_contacts(write(tmp_path, text)).positions_unchanged == 1


@pytest.mark.usefixtures("birch")
def test_contact_rows_are_checked_like_the_services(tmp_path):
    text = (
        "email,first_name,last_name,account_external_id,strength,started_on,left_on,seniority\n"
        "ann@x.example,Ann,Lee,C1,9,,,\n"
        "bo@x.example,Bo,Berg,C1,3,2024-05-01,2024-01-01,\n"
        "cy@x.example,Cy,,NOPE,3,,,\n"
        "ann@x.example,Annie,Lee,C2,3,,,\n"
        "not-an-email,Di,Do,,,,,boss\n"
        "ed@x.example,Ed,Eck,,4,,,\n"
    )
    report = import_contacts(write(tmp_path, text))
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (2, "strength", "relationship strength must be between 1 and 5"),
        (3, "left_on", "a person cannot leave before they started"),
        (4, "account_external_id", "no account has external id NOPE"),
        (4, "last_name", "This field cannot be blank."),
        (5, "first_name", "differs from an earlier row for ann@x.example"),
        (6, "email", "Enter a valid email address."),
        (6, "seniority", "'boss' is not one of executive, director, manager, staff"),
        (7, "account_external_id", "a position needs the account's external id"),
    ]
    assert Contact.objects.count() == 0


def test_a_position_at_a_merged_account_lands_on_the_kept_one(tmp_path, birch):
    AccountAlias.objects.create(account=birch[0], external_id="OLD7")
    text = "email,first_name,last_name,account_external_id\nann@x.example,Ann,Lee,OLD7\n"
    assert import_contacts(write(tmp_path, text)).ok
    assert Position.objects.get().account == birch[0]


# --- Services and the command line ----------------------------------------------------------


def test_upsert_services_name_every_bad_row_by_index():
    with pytest.raises(upserts.RowsRefused) as refused:
        upserts.account_upsert_many(rows=[{"external_id": "C1"}, {"name": "x", "colour": 1}])
    assert [(p.index, p.field) for p in refused.value.problems] == [(0, "name"), (1, "colour")]
    result = upserts.account_upsert_many(rows=[{"external_id": " C1 ", "name": " Birch "}])
    assert (result.created, Account.objects.get().external_id) == (1, "C1")
    result = upserts.contact_upsert_many(
        rows=[{"email": "A@x.example", "first_name": "A", "last_name": "B"}]
    )
    assert result.created == 1
    assert result.positions.created == 0
    assert Contact.objects.get().email == "a@x.example"


def test_import_accounts_command_imports_and_reports(tmp_path):
    out = StringIO()
    call_command("import", "accounts", str(write(tmp_path, ACCOUNTS)), stdout=out)
    assert (
        out.getvalue().strip() == "file.csv: 3 row(s): 3 accounts created, 0 updated, 0 unchanged."
    )


def test_import_accounts_command_refuses_a_bad_file_and_writes_the_rejects(tmp_path):
    path = write(tmp_path, "Id,Company,employees\nC1,Birch,many\n")
    rejects = tmp_path / "rejects.csv"
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\); nothing was written"):
        call_command(
            "import", "accounts", str(path), "--map", "Id=external_id,Company=name",
            "--errors", str(rejects), stdout=out,
        )  # fmt: skip
    assert "line 2, employees: 'many' is not a whole number" in out.getvalue()
    assert rejects.read_text().splitlines() == [
        "line,field,reason",
        "2,employees,'many' is not a whole number",
    ]
    assert Account.objects.count() == 0


def test_argument_wiring_works_in_any_parser(tmp_path):
    parser = argparse.ArgumentParser()
    add_accounts_arguments(parser)
    options = vars(parser.parse_args([str(write(tmp_path, ACCOUNTS)), "--dry-run"]))
    out = StringIO()
    report = handle_accounts(options, OutputWrapper(out))
    assert report.dry_run
    assert report.created == 3
    assert Account.objects.count() == 0
    assert "dry run" in out.getvalue()
