"""Importing answers collected elsewhere: checked by line, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tenure.core.errors import DomainError
from tenure.feedback.choices import InvitationSource
from tenure.feedback.models import Answer, Invitation, Response
from tenure.feedback.selectors import Scope, survey_figures
from tenure.feedback.services import QuestionSpec
from tenure.feedback.survey_import import ImportRejected, responses_import
from tests.accounts.factories import AccountFactory, PositionFactory
from tests.feedback.factories import (
    NOW,
    invite,
    make_campaign,
    make_template,
    open_campaign,
    respond,
)

pytestmark = pytest.mark.django_db

HEADER = "email,answered_at,score,comment,consent"


@pytest.fixture
def campaign():
    account = AccountFactory(name="Birch Foods")
    for email in ("ina@birch.example", "ola@birch.example", "per@birch.example"):
        PositionFactory(account=account, contact__email=email)
    return open_campaign(account=account)


def _lines(*rows: str) -> list[str]:
    return [line + "\n" for line in (HEADER, *rows)]


GOOD = (
    "ina@birch.example,2026-03-02,9,Reliable,yes",
    'OLA@birch.example,2026-03-03 14:30,4,"Late, again",no',
    "per@birch.example,2026-03-04T09:00:00+01:00,10,,",
)


def test_import_creates_responses_with_answers_consent_and_dates(campaign):
    report = responses_import(campaign=campaign, lines=_lines(*GOOD))
    assert (report.created, report.unchanged) == (3, 0)
    ina = Response.objects.get(invitation__contact__email="ina@birch.example")
    assert ina.consent_to_share
    assert ina.invitation.source == InvitationSource.IMPORT
    assert ina.invitation.sent_at is None  # not emailed; it counts as surveyed when answered
    assert ina.answered_at.date() == dt.date(2026, 3, 2)
    assert sorted(ina.answers.values_list("question__key", "score", "text")) == [
        ("nps", 9, ""),
        ("nps_why", None, "Reliable"),
    ]
    ola = Response.objects.get(invitation__contact__email="ola@birch.example")
    assert not ola.consent_to_share
    assert ola.answers.get(question__key="nps_why").text == "Late, again"


def test_the_same_file_twice_adds_nothing(campaign):
    responses_import(campaign=campaign, lines=_lines(*GOOD))
    again = responses_import(campaign=campaign, lines=_lines(*GOOD))
    assert (again.created, again.unchanged) == (0, 3)
    assert Response.objects.count() == 3
    assert Answer.objects.count() == 5
    assert Invitation.objects.count() == 3


def test_bad_rows_are_named_by_line_and_nothing_is_written(campaign):
    lines = _lines(
        GOOD[0],
        "nobody@birch.example,2026-03-02,9,,",
        "per@birch.example,2026-03-02,11,,",
        "ola@birch.example,yesterday,5,,",
        "ina@birch.example,2026-03-05,7,,",
        "ola@birch.example,2099-01-01,5,,maybe",
    )
    with pytest.raises(ImportRejected) as rejected:
        responses_import(campaign=campaign, lines=lines)
    errors = rejected.value.errors
    assert errors == [
        "line 3: no contact has the email address nobody@birch.example",
        "line 4: score '11' must be a whole number from 0 to 10",
        "line 5: answered_at 'yesterday' is not a date (YYYY-MM-DD[ HH:MM])",
        "line 6: ina@birch.example already appears on line 2",
        "line 7: consent 'maybe' must be yes or no",
    ]
    assert not Response.objects.exists()
    assert not Invitation.objects.exists()


def test_dates_in_the_future_and_overlong_comments_are_refused(campaign):
    tomorrow = (NOW + dt.timedelta(days=2)).date().isoformat()
    with pytest.raises(ImportRejected, match="lies in the future"):
        responses_import(campaign=campaign, lines=_lines(f"ina@birch.example,{tomorrow},9,,"))
    long = "x" * 2001
    with pytest.raises(ImportRejected, match="longer than 2000"):
        responses_import(campaign=campaign, lines=_lines(f"ina@birch.example,2026-01-01,9,{long},"))


def test_a_changed_answer_for_someone_who_already_answered_is_refused(campaign):
    responses_import(campaign=campaign, lines=_lines(GOOD[0]))
    with pytest.raises(ImportRejected, match=r"line 2: .* different answers"):
        responses_import(campaign=campaign, lines=_lines(GOOD[0].replace(",9,", ",3,")))


def test_an_import_attaches_to_an_emailed_invitation_without_an_answer(campaign):
    contact = campaign.account.positions.first().contact
    invitation, _ = invite(campaign, contact=contact)
    responses_import(campaign=campaign, lines=_lines(f"{contact.email},2026-03-02,8,,"))
    assert Response.objects.get().invitation == invitation


def test_people_outside_the_campaign_are_refused(campaign):
    stranger = PositionFactory(contact__email="out@elsewhere.example").contact
    with pytest.raises(ImportRejected, match="holds no position at an account this campaign"):
        responses_import(campaign=campaign, lines=_lines(f"{stranger.email},2026-03-02,8,,"))


def test_missing_and_unknown_columns_are_refused():
    campaign = open_campaign()
    with pytest.raises(ImportRejected, match=r"missing column.*score"):
        responses_import(campaign=campaign, lines=["email,answered_at\n"])
    with pytest.raises(ImportRejected, match=r"unknown column.*colour"):
        responses_import(campaign=campaign, lines=["email,answered_at,score,colour\n"])
    with pytest.raises(ImportRejected, match="empty"):
        responses_import(campaign=campaign, lines=[])


def test_a_survey_without_an_nps_question_cannot_take_scores():
    template = make_template(questions=[QuestionSpec("better", "text", "Better?")])
    campaign = make_campaign(template=template)
    with pytest.raises(DomainError, match="no likelihood-to-recommend question"):
        responses_import(campaign=campaign, lines=_lines(GOOD[0]))


def test_import_command_reports_and_is_idempotent(campaign, tmp_path, capsys):
    path = tmp_path / "answers.csv"
    path.write_text("\ufeff" + "".join(_lines(*GOOD)), encoding="utf-8")
    call_command("survey", "import", str(path), "--campaign", str(campaign.pk))
    assert "3 answer(s) imported, 0 already there" in capsys.readouterr().out
    call_command("survey", "import", str(path), "--campaign", str(campaign.pk))
    assert "0 answer(s) imported, 3 already there" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(_lines("ina@birch.example,2026-03-02,x,,")), encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: score 'x'"):
        call_command("survey", "import", str(bad), "--campaign", str(campaign.pk))
    with pytest.raises(CommandError, match="cannot read"):
        call_command(
            "survey", "import", str(tmp_path / "missing.csv"), "--campaign", str(campaign.pk)
        )


def test_import_command_refuses_latin_1_naming_the_line_and_imports_nothing(campaign, tmp_path):
    path = tmp_path / "answers.csv"
    rows = _lines(GOOD[0], "ola@birch.example,2026-03-03,8,Schön,yes")
    path.write_bytes("".join(rows).encode("latin-1"))
    with pytest.raises(CommandError, match=r"answers.csv, line 3: not UTF-8 text"):
        call_command("survey", "import", str(path), "--campaign", str(campaign.pk))
    assert not Response.objects.exists()


def test_imported_answers_count_in_the_figures(campaign):
    respond(campaign, score=10)
    responses_import(campaign=campaign, lines=_lines(*GOOD))
    figures = survey_figures(scope=Scope(account_id=campaign.account_id), today=dt.date(2026, 6, 1))
    assert figures.portfolio.n == 4


def test_an_imported_answer_counts_in_the_contact_budget():
    """Answered on 10 Oct 2026 through an imported wave: not surveyed again on 7 Dec."""
    from tenure.engagement.cadence import contact_events
    from tenure.feedback import services

    account = AccountFactory(name="Granite Industries BV")
    person = PositionFactory(account=account, contact__email="ina@granite.example").contact
    october = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)
    wave = open_campaign(account=account, now=october, name="Imported wave")
    responses_import(
        campaign=wave,
        lines=_lines("ina@granite.example,2026-10-10,8,,"),
        now=october + dt.timedelta(days=20),
    )
    december = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    report = services.campaign_send(
        campaign=make_campaign(account=account, now=december),
        base_url="https://tenure.example",
        now=december,
    )
    assert report.sent == []
    [skip] = report.skipped
    assert skip.contact == person
    assert skip.reason == "surveyed fewer than 90 days ago"
    assert "10-10" not in skip.reason  # the day of an anonymous answer, with the person's name
    # The cadence budget (calls, meetings and surveys together) counts it too.
    events = contact_events([person.pk], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [(e.on, e.channel) for e in events[person.pk]] == [(dt.date(2026, 10, 10), "survey")]
