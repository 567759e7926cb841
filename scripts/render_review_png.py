#!/usr/bin/env python3
"""Render a quarterly review of a demo key account to PDF, and its first page to PNG.

    .venv/bin/python scripts/render_review_png.py [--out docs/img/review.png] [--keep]

In a throwaway data folder: loads the seeded demo portfolio with its history ending on the
last day of a quarter (so that quarter is complete and has a scoring run), picks the key
account with the most wins and issues in it, and, as its key account manager, reviews the two
quarters before (finalised, so the PDF has earlier quarters to compare with) and starts the
review of that quarter. The manager's words are written from each review's own figures.
The PDF is fetched through the page a user would (``/accounts/<id>/reviews/<id>.pdf``) and
kept beside the PNG with ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The demo's last day: the end of a quarter, so the review covers a complete quarter.
#: Health and risk exist only as of this day (one scoring run), so earlier quarters show
#: revenue and goals but no health.
AS_OF = dt.date(2026, 9, 30)
#: Enough accounts for key accounts whose quarter holds a logged win (60 gives one that
#: met none of its goals, which makes a poorer picture).
ACCOUNTS = 120
SEED = 7


def _configure(home: Path) -> None:
    """Point Tenure at the throwaway folder before Django loads its settings."""
    for name in ("TENURE_DATABASE_URL", "TENURE_LEDGER_URL", "TENURE_SECRET_KEY"):
        os.environ.pop(name, None)
    os.environ.update(
        TENURE_HOME=str(home),
        TENURE_HTTPS="0",
        TENURE_DEBUG="0",
        # The test client's host name, so the PDF is fetched through the real view.
        TENURE_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="tenure.settings",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _pick_account(year: int, quarter: int):  # type: ignore[no-untyped-def]
    """The demo key account with goals in the quarter and the most wins and issues in it."""
    from django.db.models import Count, Q

    from tenure.accounts.models import Account
    from tenure.planning.models import Review

    start, end = Review.bounds(year, quarter)
    in_quarter = Q(milestones__occurred_on__range=(start, end))
    candidates = (
        Account.objects.filter(
            is_key_account=True,
            team__role="kam",
            plans__starts_on__lte=end,
            plans__ends_on__gte=start,
            plans__objectives__goals__isnull=False,
        )
        .annotate(
            wins=Count(
                "milestones", filter=in_quarter & Q(milestones__kind="success"), distinct=True
            ),
            issues=Count(
                "milestones", filter=in_quarter & ~Q(milestones__kind="success"), distinct=True
            ),
        )
        .order_by("-wins", "-issues", "name")
        .distinct()
    )
    for account in candidates:
        if account.wins and account.issues:
            return account
    account = candidates.first()
    if account is None:
        sys.exit(f"no demo key account has goals in {year} Q{quarter}")
    return account


def _manager_words(sheet) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Achievements, improvements and focus written from the review's own figures."""
    f = sheet.figures
    achieved: list[str] = []
    improve: list[str] = []
    focus: list[str] = []
    if f.yoy is not None:
        way = "up" if f.yoy >= 0 else "down"
        line = f"Revenue {way} {abs(f.yoy) * 100:.0f} % on the same months last year."
        (achieved if f.yoy >= 0 else improve).append(line)
    period_end = sheet.review.period_end
    for goal in sheet.goals:
        target = f"{goal.target:.0f} {goal.unit}".strip()
        if goal.current is None:
            improve.append(f"{goal.kpi}: not measured (target {target}).")
            focus.append(f"Measure “{goal.kpi}” every month.")
        elif goal.on_track:
            achieved.append(f"{goal.kpi}: {goal.current:.0f} {goal.unit} — on track.")
        else:
            improve.append(f"{goal.kpi}: {goal.current:.0f} {goal.unit} against {target}.")
            if goal.due_on <= period_end:
                focus.append(
                    f"Agree with the customer how and by when “{goal.kpi}” gets to {target}."
                )
            else:
                focus.append(f"Get “{goal.kpi}” to {target} by {goal.due_on:%-d %B}.")
    achieved += [f"Win: {win.title.lower()}." for win in sheet.wins]
    for issue in sheet.issues:
        if issue.resolved_on is None:
            improve.append(f"Open {issue.kind.lower()}: {issue.title.lower()}.")
            focus.append(f"Close the {issue.kind.lower()} with the customer's operations lead.")
        else:
            achieved.append(f"Resolved: {issue.title.lower()} ({issue.resolved_on:%-d %b}).")
    if sheet.strategic < sheet.transactional:
        improve.append(
            f"Only {sheet.strategic} of {sheet.strategic + sheet.transactional} interactions "
            "were strategic."
        )
        focus.append("Hold a business review with the decision makers.")
    return {
        "achievements": "\n".join(achieved) or "Nothing to report this quarter.",
        "improvements": "\n".join(improve) or "No gaps against the plan this quarter.",
        "next_focus": "\n".join(dict.fromkeys(focus)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "review.png")
    parser.add_argument("--keep", action="store_true", help="also write the PDF beside the PNG")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="tenure-review-"))
    try:
        _configure(home)
        from django.core.management import call_command
        from django.test import Client

        from tenure.accounts.models import TeamMembership
        from tenure.core.pdf import pdf_to_png
        from tenure.planning import reviews
        from tenure.planning.services import review_finalise, review_start, review_update
        from tenure.web.review_figures import quarter_figures

        print(f"Loading the demo ({ACCOUNTS} accounts, seed {SEED}, as of {AS_OF}) into {home}…")
        call_command(
            "demo", no_serve=True, accounts=ACCOUNTS, seed=SEED, as_of=AS_OF, stdout=io.StringIO()
        )
        year, quarter = reviews.last_complete_quarter(AS_OF)
        account = _pick_account(year, quarter)
        manager = TeamMembership.objects.get(account=account, role="kam").user
        before = reviews.previous_quarter(year, quarter)
        for y, q in (reviews.previous_quarter(*before), before, (year, quarter)):
            review = review_start(
                account=account,
                figures=quarter_figures(account=account, year=y, quarter=q, today=AS_OF),
                author=manager,
                today=AS_OF,
            )
            words = _manager_words(reviews.review_sheet(review=review))
            review = review_update(review=review, by=manager, **words)
            if (y, q) != (year, quarter):
                review_finalise(review=review, by=manager)
        client = Client()
        client.force_login(manager)
        response = client.get(f"/accounts/{account.pk}/reviews/{review.pk}.pdf")
        if response.status_code != 200:
            sys.exit(f"the PDF page answered {response.status_code}: {response.content[:300]!r}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(pdf_to_png(response.content, page=0))
        if args.keep:
            args.out.with_suffix(".pdf").write_bytes(response.content)
        print(f"{account.name}, {review.period_label}: page 1 written to {args.out}")
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
