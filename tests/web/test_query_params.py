"""Whatever is typed into the address bar, a page answers 200, 302, 400 or 404, never 500.

A 25-digit number overflowed SQLite's INTEGER and ``²`` passed ``str.isdigit`` but not
``int``: 14 pages answered 500. Every page reads its ids through
`tenure.core.query_params`; this walks every URL pattern (the admin and the API excepted,
which validate their own parameters) as a logged-in director.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.core.query_params import BadQueryParameter, int_list_param, int_param
from tests.accounts.factories import AccountFactory, PositionFactory, TeamMembershipFactory
from tests.alerts.factories import make_task
from tests.feedback.factories import make_campaign
from tests.planning.factories import AccountPlanFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

#: Every query parameter a page reads.
PARAMS = (
    "manager", "account", "assignee", "contacts", "closed", "page", "tier", "status",
    "sort", "key", "q", "state", "occurred_at", "rule",
)  # fmt: skip
BAD_VALUES = (
    "9" * 25,
    "9223372036854775808",  # one above the largest id
    "²",
    "١٢",  # Arabic-Indic digits: int() takes them
    "-1",
    "abc",
    "\x00",
)


def _routes(patterns=None, prefix: str = "", namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}"


ROUTES = [r for r in _routes() if not r[0].startswith(("admin/", "api/"))]


@pytest.fixture
def director_client(client, user):
    client.force_login(user)
    client.raise_request_exception = False
    return client


@pytest.fixture
def ids(user) -> dict[str, int]:
    """An existing object for each path parameter, so the page reaches its query parameters."""
    account = AccountFactory()
    TeamMembershipFactory(account=account, user=user, role="kam")
    position = PositionFactory(account=account)
    plan = AccountPlanFactory(account=account)
    milestone = MilestoneFactory(account=account)
    task = make_task(account, user)
    campaign = make_campaign(account=account)
    return {
        "account": account.pk,
        "contact": position.contact_id,
        "position": position.pk,
        "plan": plan.pk,
        "milestone": milestone.pk,
        "task": task.pk,
        "campaign": campaign.pk,
    }


def _path(route: str, name: str, ids: dict[str, int], filler: str | None = None) -> str:
    """``route`` with its parameters filled by existing ids (or by ``filler``)."""
    owner = {
        "accounts:contact": "contact",
        "accounts:contact_export": "contact",
        "accounts:contact_erase": "contact",
        "accounts:position_left": "position",
        "planning:plan": "plan",
        "planning:milestone_resolve": "milestone",
        "alerts:close": "task",
        "alerts:reopen": "task",
    }.get(name, "campaign" if name.startswith("feedback:campaign") else "account")

    def fill(match: re.Match[str]) -> str:
        converter, parameter = match.group(1), match.group(2)
        if filler is not None:
            return filler if converter == "int" else "x" + filler
        if converter == "str":
            return "not-a-token"
        if parameter == "contact_id":
            return str(ids["contact"])
        return str(ids["account"] if parameter == "account_id" else ids.get(owner, 1))

    return "/" + re.sub(r"<(\w+):(\w+)>", fill, route)


def _assert_no_server_error(client, url: str, query: dict[str, str]) -> int:
    response = client.get(url, query)
    assert response.status_code != 500, (url, query)
    if response.status_code == 400:
        # The 400 page says which parameter is wrong.
        assert any(name in response.content.decode() for name in query), (url, query)
    return response.status_code


def _refused(response, query: dict[str, str]) -> set[str]:
    """The parameters a 400 page names as wrong (its message starts ``name: ``)."""
    text = response.content.decode()
    return {name for name in query if re.search(rf"(?<![\w-]){re.escape(name)}: ", text)}


@pytest.mark.parametrize("value", BAD_VALUES, ids=lambda v: repr(v)[:12])
def test_no_page_answers_500_to_a_bad_query_parameter(director_client, ids, value):
    for route, name in ROUTES:
        url = _path(route, name, ids)
        query = dict.fromkeys(PARAMS, value)
        # The first refused parameter may hide another's failure: drop the one the page
        # names and ask again, until the page takes what is left.
        while query:
            response = director_client.get(url, query)
            assert response.status_code != 500, (url, query)
            if response.status_code != 400:
                break
            refused = _refused(response, query)
            assert refused, (url, query, "the 400 page names no parameter")
            for param in refused:
                del query[param]


def test_no_page_answers_500_to_an_out_of_range_id_in_its_path(director_client, ids):
    for route, name in ROUTES:
        if "<int:" in route:
            url = _path(route, name, ids, filler="9" * 25)
            assert director_client.get(url).status_code != 500, url


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    param=st.sampled_from(PARAMS),
    value=st.one_of(st.text(max_size=30), st.integers().map(str)),
)
def test_fuzzed_query_parameters_never_answer_500(director_client, ids, route, param, value):
    _assert_no_server_error(director_client, _path(*route, ids), {param: value})


def test_a_bad_manager_id_answers_400_naming_the_parameter(director_client):
    response = director_client.get("/", {"manager": "9" * 25})
    assert response.status_code == 400
    assert "manager: “9999999999999999999999999” is not a valid id" in response.content.decode()


def test_a_superscript_assignee_answers_400_not_500(director_client):
    response = director_client.get("/tasks/", {"assignee": "²"})
    assert response.status_code == 400
    assert "assignee: “²” is not a valid id" in response.content.decode()


@pytest.mark.usefixtures("ids")
def test_assignee_words_still_choose_whose_tasks(director_client, user):
    page = director_client.get("/tasks/", {"assignee": "all"})
    assert page.status_code == 200
    assert page.context["filters"].assignee == "all"
    mine = director_client.get("/tasks/", {"assignee": str(user.pk)})
    assert mine.context["filters"].assignee == str(user.pk)


def test_int_param_reads_ids_and_refuses_everything_else(rf):
    params = rf.get("/", {"a": " 42 ", "b": "", "c": "²", "d": str(2**63)}).GET
    assert int_param(params, "a") == 42
    assert int_param(params, "b") is None
    assert int_param(params, "missing") is None
    for name in ("c", "d"):
        with pytest.raises(BadQueryParameter, match=f"^{name}: "):
            int_param(params, name)
    with pytest.raises(BadQueryParameter, match="from 1 to 10"):
        int_param(rf.get("/", {"n": "11"}).GET, "n", maximum=10)


def test_int_list_param_refuses_the_list_when_one_value_is_bad(rf):
    assert int_list_param(rf.get("/?c=1&c=&c=3").GET, "c") == [1, 3]
    with pytest.raises(BadQueryParameter, match="contacts"):
        int_list_param(rf.get("/?contacts=1&contacts=%C2%B2").GET, "contacts")


def test_a_nul_in_a_search_answers_400_on_every_database(director_client):
    # PostgreSQL refuses NUL in any string: the search pages answered 500 there.
    for url in ("/", "/accounts/", "/accounts/contacts/"):
        response = director_client.get(url, {"q": "Birch\x00"})
        assert response.status_code == 400, url
        assert "q: the text holds a NUL character" in response.content.decode()
