"""One person asked, one anonymous answer: nothing a director or an analyst can read ties the
answer to the person (issue 15, "Checked by").

A one-invitee campaign on a key account; the person answers anonymously with a detractor
score and a comment nobody else would write; the campaign closes and every alert rule runs.
Then, as a director and as an analyst, this reads every page that takes no id or the
account's, the person's or the campaign's id (walking the URL resolver as
``tests/web/test_query_params.py`` does), every GET endpoint of the API (from its OpenAPI
schema), the answers CSV, the brief's and the quarterly review's PDF, the tasks page and API
and every audit event — and checks that:

* the comment shows nowhere: its group (one anonymous answer) is hidden everywhere;
* nothing that names the person shows the score or the day of the answer.

The person's name is shown legitimately (the stakeholder map, the contact page, the API's
contacts), so the check is on what shows *together with* it.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pypdfium2
import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver

from tenure.access.services import role_assign
from tenure.alerts.services import alerts_run
from tenure.audit.models import AuditEvent
from tenure.feedback.models import Response
from tenure.feedback.services import campaign_close, campaign_send
from tenure.feedback.survey_import import responses_import
from tenure.planning.services import review_start
from tenure.web.review_figures import quarter_figures
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.feedback.factories import make_campaign, open_campaign, respond

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
ANSWERED_AT = dt.datetime(2026, 10, 18, 10, 37, tzinfo=dt.UTC)
NAME = ("Olga", "Zwicky")
COMMENT = "Zebra-striped invoices drive our buyers mad"
SCORE = 3

#: Web routes not read: the admin and the API (read from the schema below), the survey
#: links and the calendar feed (a secret token, no login), and log-in/out.
SKIPPED_PREFIXES = ("admin/", "api/", "login/", "logout/", "feedback/s/", "calendar/<str")
#: Path parameters this sweep can fill (pages taking another object's id are not read).
FILLED = {"pk", "account_id", "contact_id", "campaign_id", "task_id", "position_id"}
#: Whose id a page's ``pk`` is, by the page's name.
PK_OWNERS = (
    ("accounts:contact", "contact"),
    ("accounts:position_left", "position"),
    ("accounts:", "account"),
    ("growth:potential", "account"),
    ("feedback:campaign", "campaign"),
    ("planning:review", "review"),
    ("alerts:", "task"),
)


def _routes(patterns=None, prefix: str = "", namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}"


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(params=["emailed", "imported"])
def world(request, clock):  # noqa: ARG001 - the clock must stand still while the world is built
    """The account, its manager, the one person asked, their answer, tasks and a review."""
    account = AccountFactory(
        name="Granite Industries BV", is_key_account=True, key_account_since=dt.date(2024, 1, 1)
    )
    kam = UserFactory(first_name="Kim", last_name="Manager")
    role_assign(user=kam, role="kam")
    TeamMembershipFactory(account=account, user=kam, role="kam")
    position = PositionFactory(
        account=account,
        contact__first_name=NAME[0],
        contact__last_name=NAME[1],
        contact__email="olga.zwicky@granite.example",
    )
    campaign = open_campaign(
        account=account,
        name="Relationship survey H2 2026: Granite Industries BV",
        now=dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC),
        closes_at=dt.datetime(2026, 11, 1, 18, tzinfo=dt.UTC),
    )
    if request.param == "emailed":
        response = respond(
            campaign,
            contact=position.contact,
            account=account,
            score=SCORE,
            consent=False,
            nps_why=COMMENT,
            at=ANSWERED_AT,
        )
    else:  # collected elsewhere and imported: the invitation is dated by the answer
        responses_import(
            campaign=campaign,
            lines=[
                "email,answered_at,score,comment,consent\n",
                f"olga.zwicky@granite.example,{ANSWERED_AT.isoformat()},{SCORE},{COMMENT},no\n",
            ],
            now=TODAY,
        )
        response = Response.objects.get(invitation__contact=position.contact)
    campaign_close(campaign=campaign, now=dt.datetime(2026, 10, 25, 18, tzinfo=dt.UTC))
    alerts_run(as_of=TODAY.date())
    # A later campaign skips her under the contact budget, and says why.
    later = make_campaign(account=account, name="Winter pulse", now=TODAY)
    campaign_send(campaign=later, base_url="http://tenure.example", now=TODAY)
    review = review_start(
        account=account,
        figures=quarter_figures(account=account, year=2026, quarter=4, today=TODAY.date()),
        author=kam,
        today=TODAY.date(),
    )
    task = account.tasks.first()
    return {
        "account": account,
        "contact": position.contact,
        "position": position,
        "campaign": later,
        "surveyed_in": campaign,
        "response": response,
        "review": review,
        "task": task,
    }


def _ids(world) -> dict[str, int]:
    return {
        "account": world["account"].pk,
        "contact": world["contact"].pk,
        "position": world["position"].pk,
        "campaign": world["campaign"].pk,
        "surveyed_in": world["surveyed_in"].pk,
        "review": world["review"].pk,
        "task": world["task"].pk,
    }


def _page_urls(ids: dict[str, int]) -> list[str]:
    """Every web page taking no id, or the account's, the person's, the campaign's, the
    review's or a task's."""
    urls = []
    for route, name in _routes():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        parameters = re.findall(r"<(\w+):(\w+)>", route)
        if any(p not in FILLED for _, p in parameters):
            continue
        owner = next((o for prefix, o in PK_OWNERS if name.startswith(prefix)), None)
        if owner is None and ("<int:pk>" in route or "<int:account_id>" in route):
            owner = "account" if "<int:pk>" not in route else None
        if "<int:pk>" in route and owner is None:
            continue  # a plan's, a milestone's, an action's, an opportunity's, a token's page
        owner = owner or "account"
        if owner not in ids:
            continue

        def fill(match: re.Match[str], owner: str = owner) -> str:
            parameter = match.group(2)
            if parameter == "pk":
                return str(ids[owner])
            return str(ids[parameter.removesuffix("_id")])

        urls.append("/" + re.sub(r"<(\w+):(\w+)>", fill, route))
    # The lists with every status and assignee, and the survey figures of the account.
    urls += [
        "/tasks/?assignee=all&status=",
        f"/feedback/?account={ids['account']}",
        f"/feedback/answers.csv?account={ids['account']}",
        f"/feedback/campaigns/{ids['surveyed_in']}/",
    ]
    return urls


def _api_urls(client, ids: dict[str, int]) -> list[str]:
    """Every GET endpoint of the API whose path parameters this world can fill."""
    schema = client.get("/api/v1/openapi.json").json()
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations or path.endswith(("openapi.json", "/docs")):
            continue
        parameters = re.findall(r"{(\w+)}", path)
        if any(p.removesuffix("_id") not in ids for p in parameters):
            continue
        urls.append(re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1).removesuffix("_id")]), path))
    urls += [
        "/api/v1/tasks?assignee=all&status=",
        "/api/v1/surveys/figures?since=2026-10-01&until=2026-12-31",
        "/api/v1/surveys/responses?since=2026-10-01",
        f"/api/v1/surveys/campaigns/{ids['surveyed_in']}",
    ]
    return urls


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _read(client, url: str) -> str:
    response = client.get(url)
    content = response.content
    if content.startswith(b"%PDF"):
        return _pdf_text(content)
    return content.decode(errors="replace")


def _answer_day_clues() -> list[str]:
    day = ANSWERED_AT.date()
    return [
        f"{day:%-d %b %Y}",
        f"{day:%-d %B %Y}",
        f"{day:%b %-d}",
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day:%d.%m.%Y}",
        f"{day:%-d %b}",
    ]


def _score_clues() -> list[str]:
    return [
        f"{SCORE}/10",
        f"NPS {SCORE}",
        f"score {SCORE}",
        f"scored {SCORE}",
        f'"score": {SCORE}',
        f'"nps": {SCORE}',
    ]


def _leaks(where: str, text: str, world) -> list[str]:
    found = []
    if COMMENT in text:
        found.append(f"{where}: shows the comment of a hidden one-person group")
    if f"response:{world['response'].pk}" in text:
        found.append(f"{where}: names the response")
    # HTML escapes and JSON both keep the names as typed.
    if NAME[1] in text:
        for clue in _answer_day_clues() + _score_clues():
            if clue in text:
                found.append(f"{where}: shows {NAME[1]} with {clue!r}")
    return found


@pytest.mark.parametrize("role", ["director", "analyst"])
def test_nothing_a_reader_can_reach_ties_a_one_invitee_answer_to_its_person(client, world, role):
    reader = UserFactory()
    role_assign(user=reader, role=role)
    client.force_login(reader)
    client.raise_request_exception = False
    ids = _ids(world)

    # The clock still stands at TODAY (the world's fixture), as pages read it.
    texts = {url: _read(client, url) for url in _page_urls(ids)}
    texts |= {url: _read(client, url) for url in _api_urls(client, ids)}
    # The person's data export is a POST (it is audited); directors only.
    export = f"/accounts/contacts/{ids['contact']}/export/"
    texts[f"POST {export}"] = client.post(export).content.decode(errors="replace")
    events = AuditEvent.objects.order_by("id")
    texts["audit events"] = json.dumps(
        [[e.object_repr, e.before, e.after, e.note] for e in events], default=str
    )

    # The sweep read what it claims to: the pages, the exports, the PDFs and the API.
    for expected in (
        f"/accounts/{ids['account']}/",
        f"/accounts/contacts/{ids['contact']}/",
        f"/accounts/{ids['account']}/brief.pdf",
        f"/accounts/{ids['account']}/reviews/{ids['review']}.pdf",
        "/feedback/answers.csv",
        "/api/v1/surveys/responses",
        f"/api/v1/contacts/{ids['contact']}",
        "/api/v1/tasks",
    ):
        assert expected in texts, expected
    assert NAME[1] in texts[f"/accounts/{ids['account']}/"]  # the stakeholder map names her
    if role == "director":
        assert NAME[1] in texts[f"POST {export}"]
    leaks = [leak for where, text in texts.items() for leak in _leaks(where, text, world)]
    assert leaks == []
