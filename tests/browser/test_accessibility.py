"""Every main page, as a director and as a key account manager, on a desktop (1280×800) and a
phone (390×844): axe-core finds no serious or critical violation, and no page is wider than
the screen.

axe-core is vendored under ``tests/browser/vendor`` (test-only, MPL-2.0, its licence beside
it) and injected into each page; no network is used. One browser context per screen size
and role, logged in once.
"""

from __future__ import annotations

import datetime as dt
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tenure.accounts.models import Position, TeamMembership
from tenure.alerts.services import alerts_run
from tenure.demo.load import DEMO_PASSWORD, load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.ledger.importing import import_orders
from tenure.planning.models import AccountPlan
from tenure.scoring.run import run_scoring
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AS_OF = dt.date(2026, 10, 31)
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
#: Pages for admins and directors only (a manager gets 403 there, as tests/web check).
DIRECTOR_ONLY = {"track record", "surveys"}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ") +
      (v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ""));
}"""

# Controls (links, buttons, fields) in the page's main part that start or end off the screen:
# an action in a table that scrolls sideways, or a row wider than the phone.
OFF_SCREEN = """() => [...document.querySelectorAll("main a, main button, main input, main select")]
  .filter(el => el.offsetParent !== null && el.type !== "hidden")
  .filter(el => { const r = el.getBoundingClientRect();
    return r.width > 1 && (r.left < 0 || r.right > window.innerWidth + 1); })
  .map(el => `${el.tagName.toLowerCase()} "${(el.innerText || el.name || "").trim().slice(0, 30)}"`)
"""


@dataclass(frozen=True)
class Book:
    manager: str
    pages: dict[str, str]


@pytest.fixture
def book(tmp_path, settings, live_server):
    """A scored demo portfolio with tasks raised, and the pages worth visiting in it."""
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    world = build_world(DemoConfig(accounts=40, seed=7, as_of=AS_OF))
    result = load_world(world, home=tmp_path, progress=lambda _: None)
    import_orders(result.order_lines_path, source="demo-erp", unknown_accounts="reject")
    run_scoring(as_of=AS_OF, progress=lambda _: None)
    alerts_run(as_of=AS_OF)
    plan = AccountPlan.objects.select_related("account").order_by("pk").first()
    assert plan is not None, "the demo gives plans"
    account = plan.account
    kam = TeamMembership.objects.filter(account=account, role="kam").select_related("user").get()
    position = Position.objects.filter(account=account).order_by("pk").first()
    assert position is not None, "the demo gives stakeholders"
    word = account.name.split()[0][:4]
    pages = {
        "home": "/",
        "accounts": "/accounts/",
        "key accounts": "/accounts/?key=1",
        "account": f"/accounts/{account.pk}/",
        "brief": f"/accounts/{account.pk}/brief/",
        "reviews": f"/accounts/{account.pk}/reviews/",
        "plan": f"/plans/{plan.pk}/",
        "people": "/accounts/contacts/",
        "person": f"/accounts/contacts/{position.contact_id}/",
        "tasks": "/tasks/?assignee=all",
        "calendar": "/calendar/",
        "cadence": "/cadence/",
        "portfolio": "/portfolio/",
        "track record": "/portfolio/track-record/",
        "whitespace": "/growth/whitespace/",
        "feedback": "/feedback/",
        "surveys": "/feedback/campaigns/",
        "search": f"/search/?q={word}",
        "search, nothing found": "/search/?q=zzzz",
        "tokens": "/me/tokens/",
    }
    # The live server's first answer can outlast a page's timeout on a busy machine.
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=120).read()
    return Book(manager=kam.user.username, pages=pages)


def check_every_page(browser, base_url: str, username: str, pages: dict[str, str]) -> list[str]:
    """Visit each page at each size; return what is wrong, one line per page and problem."""
    problems: list[str] = []
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            page.goto(f"{base_url}/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base_url}/")
            if username == "director":  # the documentation's pictures of the header
                page.screenshot(path=str(SCREENSHOTS / f"nav-{size}.png"))
            for name, path in pages.items():
                response = page.goto(f"{base_url}{path}")
                assert response is not None
                if response.status != 200:
                    problems.append(f"{size} {name} ({path}): HTTP {response.status}")
                    continue
                page.add_script_tag(path=str(AXE))
                for violation in page.evaluate(RUN_AXE):
                    problems.append(f"{size} {name} ({path}): {violation}")
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    problems.append(f"{size} {name} ({path}): {wide} px wide, screen {width} px")
                off = page.evaluate(OFF_SCREEN)
                if off:
                    problems.append(f"{size} {name} ({path}): off screen: {', '.join(off[:5])}")
                done = page.get_by_role("button", name="Done", exact=True).first
                if name == "tasks" and not done.is_visible():
                    problems.append(f"{size} tasks: no Done button in sight")
        finally:
            context.close()
    return problems


def test_every_main_page_is_accessible_and_fits_the_screen_for_a_director_and_a_manager(
    browser, live_server, book
):
    # One portfolio for both roles: building and scoring it is most of the test's time.
    problems = [
        f"{username}: {problem}"
        for username in ("director", book.manager)
        for problem in check_every_page(
            browser,
            live_server.url,
            username,
            {
                name: path
                for name, path in book.pages.items()
                if username == "director" or name not in DIRECTOR_ONLY
            },
        )
    ]
    assert not problems, "\n".join(problems)


def test_the_checks_report_a_violation_a_wide_page_and_an_action_off_screen(browser):
    """The checks above can fail: an image without a text alternative is critical for axe,
    a 600 px block makes a 390 px page too wide, and a button at the far end of a table
    that scrolls sideways is off screen."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<div style="width:600px">wide</div>'
            '<div style="overflow-x:auto"><div style="width:900px;text-align:right">'
            "<button>Far</button></div></div></main></body></html>"
        )
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
        assert any(v.startswith("image-alt (critical)") for v in violations), violations
        assert page.evaluate("document.documentElement.scrollWidth") > 390
        assert page.evaluate(OFF_SCREEN) == ['button "Far"']
    finally:
        context.close()
