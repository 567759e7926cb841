"""Benchmark server time of the main pages and API lists on a large store, SQLite or PostgreSQL.

Seeds a fresh store in bulk (``_pages_seed.py``) — 5,000 accounts by default, 10 managers,
1–3 people per account with positions, 100 interactions per account on average over three
years (lognormal account sizes, a third with people present), open and closed tasks, and a
real scoring run (tiers, key-list proposals, health rows) — then times requests in-process with
Django's test ``Client`` (``force_login``), after a warm-up:

- ``home`` as a key account manager (his ~10 % of the accounts) and as a director (the team);
- the accounts list, the account page (random accounts and the 20 with the most
  interactions; timeline paginated by 20, as shipped) and its Timeline tab;
- the portfolio, the tasks page as a manager and as a director (the team's open tasks);
- the API lists: accounts (first and last page), tasks, an account's interactions, contacts,
  scores.

Each row gives p50 and p95 of wall time and p95 of CPU time (``time.process_time``: on a
shared machine wall time includes waiting for a core). Where there is an obvious alternative
it is measured in the same run and the ratio printed: the account page with the whole
timeline on one page, and the director's home with the team's figures counted the way they
were before (``_workload_before``: a distinct count over each manager's joined roles, and
the recent contacts counted through the ``logged_by`` index). For one request of a few pages
the slowest queries are printed, each re-run alone and fetched to the end (SQLite does most
of a query's work while rows are fetched, so timing ``execute`` alone hides it).

Usage::

    TENURE_HTTPS=0 python benchmarks/bench_pages.py
    TENURE_HTTPS=0 python benchmarks/bench_pages.py --accounts 50000 --interactions 5000000
    TENURE_HTTPS=0 python benchmarks/bench_pages.py --postgres        # a throwaway cluster
    TENURE_HTTPS=0 python benchmarks/bench_pages.py --postgres-url postgres://…/db  # empty db
    # seed once into a kept folder, time again later (after a change) without re-seeding:
    TENURE_HTTPS=0 python benchmarks/bench_pages.py --accounts 50000 --interactions 5000000 \
        --keep /var/tmp/pages-50k

Budget (issue 20 and issue 18, 2 cores): p95 < 100 ms for every page and list timed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _pages_seed import BOOK

BUDGET_MS = 100.0
WORLD_FILE = "bench-pages-world.json"
ROOT = Path(__file__).resolve().parent.parent
THROWAWAY_POSTGRES = ROOT / "scripts" / "throwaway_postgres.py"


def _django(home: Path, database_url: str | None) -> None:
    os.environ.update(
        TENURE_HOME=str(home),
        TENURE_HTTPS="0",
        TENURE_ALLOWED_HOSTS="testserver,localhost",
        DJANGO_SETTINGS_MODULE="tenure.settings",
    )
    os.environ.pop("TENURE_DATABASE_URL", None)
    if database_url:
        os.environ["TENURE_DATABASE_URL"] = database_url
    os.environ.pop("TENURE_DEBUG", None)
    import django
    from _store import migrate

    django.setup()
    migrate(home)


def _time(client: Any, paths: list[str]) -> list[tuple[float, float]]:
    """Wall and CPU milliseconds of each request."""
    times = []
    for path in paths:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _profile(client: Any, path: str, top: int = 3) -> list[str]:
    """The slowest queries of one request, each re-run alone and fetched to the end."""
    from django.db import connection

    queries: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append((sql, params))
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(capture):
        client.get(path)
    total_ms = (time.perf_counter() - started) * 1000
    timed = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            begun = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timed.append(((time.perf_counter() - begun) * 1000, sql))
    sql_ms = sum(t for t, _ in timed)
    lines = [f"{path}: {total_ms:.1f} ms, {len(queries)} queries, {sql_ms:.1f} ms in SQL"]
    for ms, sql in sorted(timed, reverse=True)[:top]:
        lines.append(f"    {ms:7.1f} ms  {sql[:150]}{'…' if len(sql) > 150 else ''}")
    return lines


class _OnePage:
    """The alternative: the whole timeline on one page."""

    def __new__(cls, object_list, per_page, *args, **kwargs):  # type: ignore[no-untyped-def]  # noqa: ARG004
        from django.core.paginator import Paginator

        return Paginator(object_list, 10**9, *args, **kwargs)


def _workload_before(*, today: dt.date, weeks: int = 4) -> list[dict[str, object]]:
    """The alternative: the director's workload table as it was counted before (one distinct
    count over every manager's joined team roles and accounts, contacts counted per logger)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.utils import timezone

    from tenure.engagement.models import Interaction
    from tenure.planning.choices import ActionStatus
    from tenure.planning.models import Action

    since = today - dt.timedelta(weeks=weeks)
    managers = (
        get_user_model()
        .objects.filter(account_roles__role="kam")
        .annotate(
            accounts=Count("account_roles", filter=Q(account_roles__role="kam"), distinct=True),
            key_accounts=Count(
                "account_roles",
                filter=Q(account_roles__role="kam", account_roles__account__is_key_account=True),
                distinct=True,
            ),
        )
        .order_by("username")
    )
    overdue = dict(
        Action.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    contacts = dict(
        Interaction.objects.filter(
            occurred_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min)),
            logged_by__isnull=False,
        )
        .order_by()
        .values("logged_by_id")
        .annotate(n=Count("pk"))
        .values_list("logged_by_id", "n")
    )
    return [
        {
            "manager": m,
            "accounts": m.accounts,
            "key_accounts": m.key_accounts,
            "overdue_actions": overdue.get(m.pk, 0),
            "contacts_per_week": round(contacts.get(m.pk, 0) / weeks, 1),
        }
        for m in managers
    ]


def _pages(world: dict[str, Any], rng: random.Random, args: argparse.Namespace) -> list[Any]:
    """(label, client, paths, alternative) for every row of the table."""
    from django.test import Client

    manager_client, director_client = Client(), Client()
    manager_client.force_login(world["manager"])
    director_client.force_login(world["director"])
    ids = world["account_ids"]
    n = args.requests
    heavy = [f"/accounts/{pk}/" for pk, _ in world["heaviest"]]
    accounts = heavy + [f"/accounts/{pk}/" for pk in rng.choices(ids, k=2 * n - len(heavy))]
    rng.shuffle(accounts)
    last = -(-len(ids) // 25)
    timeline = [f"{path}?tab=timeline" for path in accounts[:n]]
    interactions = [f"/api/v1/accounts/{pk}/interactions" for pk in rng.choices(ids, k=n)]
    return [
        (f"home (manager, {world['mine']:,} accounts)", manager_client, ["/"] * n, None),
        ("home (director)", director_client, ["/"] * n, "workload"),
        ("accounts list (director)", director_client, ["/accounts/"] * n, None),
        ("account page (20 per page)", director_client, accounts, None),
        ("  the 20 heaviest", director_client, heavy, None),
        ("account page, Timeline tab", director_client, timeline, "timeline"),
        ("portfolio (director)", director_client, ["/portfolio/"] * n, None),
        ("tasks (manager)", manager_client, ["/tasks/"] * n, None),
        ("tasks (director, team)", director_client, ["/tasks/?assignee=all"] * n, None),
        ("API accounts, page 1", director_client, ["/api/v1/accounts"] * n, None),
        ("API accounts, last page", director_client, [f"/api/v1/accounts?page={last}"] * n, None),
        ("API tasks (director)", director_client, ["/api/v1/tasks?assignee=all"] * n, None),
        ("API interactions of an account", director_client, interactions, None),
        ("API contacts", director_client, ["/api/v1/contacts"] * n, None),
        ("API scores", director_client, ["/api/v1/scores"] * n, None),
    ]


def _alternative(kind: str, client: Any, paths: list[str], args: argparse.Namespace) -> list[Any]:
    from tenure.web import account_tabs, team_home

    paths = paths[: args.alternative_requests]
    if kind == "timeline":
        original = account_tabs.Paginator
        account_tabs.Paginator = _OnePage  # type: ignore[assignment,misc]
        try:
            _time(client, paths[:3])
            return _time(client, paths)
        finally:
            account_tabs.Paginator = original  # type: ignore[misc]
    original_workload = team_home.manager_workload
    team_home.manager_workload = _workload_before  # type: ignore[assignment]
    try:
        _time(client, paths[:3])
        return _time(client, paths)
    finally:
        team_home.manager_workload = original_workload  # type: ignore[assignment]


def _world_saved(keep: Path, args: argparse.Namespace) -> dict[str, Any] | None:
    """The world a previous run seeded into ``keep`` for the same sizes, or None."""
    saved = keep / WORLD_FILE
    if not saved.exists():
        return None
    world = json.loads(saved.read_text())
    wanted = [args.accounts, args.interactions, args.managers, args.seed]
    if world.pop("sizes") != wanted:
        raise SystemExit(f"{keep} holds a store seeded with other sizes: use another folder")
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    world["director"] = users.get(username=world["director"])
    world["manager"] = users.get(username=world["manager"])
    world["heaviest"] = [tuple(pair) for pair in world["heaviest"]]
    return world


def _world_save(keep: Path, world: dict[str, Any], args: argparse.Namespace) -> None:
    plain = {
        **world,
        "director": world["director"].username,
        "manager": world["manager"].username,
        "sizes": [args.accounts, args.interactions, args.managers, args.seed],
    }
    (keep / WORLD_FILE).write_text(json.dumps(plain))


def run(args: argparse.Namespace, database_url: str | None) -> int:
    rng = random.Random(args.seed)
    with contextlib.ExitStack() as stack:
        if args.keep:
            home = Path(args.keep).resolve()
            home.mkdir(parents=True, exist_ok=True)
        else:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pages-")))
        started = time.perf_counter()
        _django(home, database_url)
        migrate_seconds = time.perf_counter() - started
        from _pages_seed import seed
        from django.db import connection

        from tenure.accounts.models import TeamMembership
        from tenure.engagement.models import Interaction

        started, cpu = time.perf_counter(), time.process_time()
        world = _world_saved(home, args) if args.keep else None
        if world is None:
            world = seed(args.accounts, args.interactions, args.managers, rng)
            if args.keep:
                _world_save(home, world, args)
        else:
            print(f"reusing the store seeded in {home} (seed timings are that run's)")
        seed_seconds, seed_cpu = time.perf_counter() - started, time.process_time() - cpu
        world["mine"] = TeamMembership.objects.filter(user=world["manager"]).count()
        engine = (
            f"PostgreSQL {connection.cursor().connection.info.server_version}"
            if connection.vendor == "postgresql"
            else f"SQLite {connection.Database.sqlite_version}"
        )
        print(
            f"{args.accounts:,} accounts, {Interaction.objects.count():,} interactions "
            f"({world['with_contacts']:,} with people present), {world['contacts']:,} contacts, "
            f"{world['tasks'][0]:,} open and {world['tasks'][1]:,} closed tasks, {args.managers} "
            f"managers; {os.cpu_count()} cores, Python {sys.version.split()[0]}, {engine}"
        )
        print(
            f"migrate {migrate_seconds:.1f} s; seed {seed_seconds:.1f} s wall, {seed_cpu:.1f} s "
            "CPU of this process ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in world["timings"].items())
            + f"); most interactions on one account: {world['heaviest'][0][1]:,}; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        # Its own generator, so a reused store is timed on the same pages as a fresh one.
        pages = _pages(world, random.Random(args.seed + 1), args)
        for _label, client, paths, _alt in pages:  # warm-up: templates, resolver, caches
            _time(client, paths[:5])
        rows = []
        for label, client, paths, alternative in pages:
            times = _time(client, paths)
            rows.append((label, times, None))
            if alternative is not None:
                other = _alternative(alternative, client, paths, args)
                rows.append((f"  alt: {_ALTERNATIVES[alternative]}", other, times))

        print(f"\nload average {os.getloadavg()[0]:.2f} after timing\n")
        print(
            f"{'server time (ms)':<42} {'n':>5} {'p50':>7} {'p95':>7} {'CPU p95':>8}"
            f" {'max':>7}  budget / ratio"
        )
        ok = True
        for label, times, against in rows:
            wall = [w for w, _ in times]
            cpu = [c for _, c in times]
            p95 = _p95(wall)
            if against is None:
                passed = p95 < BUDGET_MS
                ok = ok and passed
                verdict = f"p95 < {BUDGET_MS:.0f}: {'PASS' if passed else 'FAIL'}"
            else:
                ours = statistics.median(w for w, _ in against[: len(times)])
                verdict = f"p50 {statistics.median(wall) / ours:.1f}× the shipped page"
            print(
                f"{label:<42} {len(times):>5} {statistics.median(wall):7.1f} {p95:7.1f}"
                f" {_p95(cpu):8.1f} {max(wall):7.1f}  {verdict}"
            )

        print("\nslowest queries of one request each (re-run alone, fetched to the end):")
        by_label = {label: (client, paths) for label, client, paths, _ in pages}
        for label in ("home (director)", "portfolio (director)", "tasks (director, team)"):
            client, paths = by_label[label]
            print("\n".join(_profile(client, paths[0])))
        client, paths = by_label["  the 20 heaviest"]
        print("\n".join(_profile(client, paths[0])))
    return 0 if ok else 1


_ALTERNATIVES = {
    "timeline": "Timeline tab, all rows on one page",
    "workload": "director's home, counted as before",
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--interactions", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=100, help="per page (account page 2×)")
    parser.add_argument("--alternative-requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--postgres", action="store_true", help="on a throwaway PostgreSQL cluster (initdb)"
    )
    parser.add_argument(
        "--postgres-url",
        help="on this PostgreSQL database (empty, or seeded by an earlier run with --keep)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="TENURE_HOME kept after the run: seeded on the first run, reused by later ones "
        "with the same sizes (migrations added since are applied; with PostgreSQL, pass the "
        "same --postgres-url)",
    )
    parser.add_argument(
        "--managers",
        type=int,
        help=f"key account managers (default: one per {BOOK} accounts, at least 10)",
    )
    args = parser.parse_args(argv)
    args.managers = args.managers or max(10, round(args.accounts / BOOK))
    if args.keep and args.postgres:
        parser.error("--keep needs a database that outlives the run: --postgres-url")
    inside = os.environ.get("TENURE_BENCH_PAGES_POSTGRES")
    if args.postgres_url:
        return run(args, args.postgres_url)
    if args.postgres and not inside:
        # Start a throwaway cluster and run again inside it (its URL in TENURE_DATABASE_URL).
        return subprocess.call(
            [sys.executable, str(THROWAWAY_POSTGRES), "--", sys.executable, __file__, *argv],
            env={**os.environ, "TENURE_BENCH_PAGES_POSTGRES": "1"},
        )
    if args.postgres:
        return run(args, os.environ["TENURE_DATABASE_URL"])
    return run(args, None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
