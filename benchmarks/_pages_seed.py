"""Seeding for ``bench_pages.py``: a large CRM store in bulk, on SQLite or PostgreSQL.

At 50,000 accounts and 5,000,000 interactions the per-row services are the bottleneck of the
benchmark, not of what it measures (``interaction_log_many`` builds a model instance per row:
about 2.5 minutes per million on SQLite). The accounts go through the import's bulk service
(``account_create_from_keys``); people, positions, teams, interactions, the people present
and tasks are written as plain rows with ids assigned here — ``executemany`` on SQLite,
``COPY`` on PostgreSQL — after the same checks the services make (every key points at a row
this seed wrote, a due date has a next step, people present hold a position at the account).
The scoring run is the real one (``scoring_run`` and the health rows) on ledger features
drawn from the same account sizes, so the portfolio, the key-list queue, tiers and health
are what a run writes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

#: Accounts per key account manager when ``--managers`` is not given: the book of the
#: 5,000-account default (10 managers). A store ten times larger has ten times the managers.
BOOK = 500
KEY_ACCOUNT_SHARE = 0.08
#: Open tasks per account (about one account in two has one) and closed ones kept as history.
OPEN_TASKS_PER_ACCOUNT = 0.5
CLOSED_TASKS_PER_ACCOUNT = 1.0
CHUNK = 100_000


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _stamp(moments: np.ndarray) -> list[str]:
    """UTC timestamps (numpy ``datetime64[s]``) as the column's text on this database."""
    text = np.datetime_as_string(moments, unit="s")
    suffix = "+00" if _is_postgres() else ""
    return [t.replace("T", " ") + suffix for t in text.tolist()]


def _defaults(model: Any, columns: Sequence[str]) -> dict[str, Any]:
    """The value of every column not given: the field's default, as database text."""
    out: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.attname in columns:
            continue
        value = field.get_default()
        if isinstance(value, dict | list):
            value = json.dumps(value)
        out[field.attname] = value
    return out


def insert(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows (values in ``columns`` order) into ``model``'s table in bulk; returns count.

    SQLite: ``executemany`` in chunks. PostgreSQL: one ``COPY … FROM STDIN`` (text values,
    so timestamps and dates travel as their text).
    """
    from django.db import connection

    fixed = _defaults(model, columns)
    names = [*columns, *fixed]
    extra = tuple(fixed.values())
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    count = 0
    with connection.cursor() as cursor:
        if _is_postgres():
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no ``copy``
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *extra))
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append((*row, *extra))
                if len(batch) >= CHUNK:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def _reset_sequences(models: Sequence[Any]) -> None:
    """After explicit ids, PostgreSQL's sequences must start past them (SQLite needs nothing)."""
    from django.core.management.color import no_style
    from django.db import connection

    if not _is_postgres():
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def seed(
    accounts_n: int, interactions_n: int, managers_n: int, rng: random.Random
) -> dict[str, Any]:
    """The store; returns the users, the accounts' ids, the heaviest accounts and timings."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from tenure.accounts import services as accounts
    from tenure.accounts.choices import TeamRole
    from tenure.accounts.models import Account, Contact, Position, TeamMembership
    from tenure.alerts.choices import AlertRule, TaskStatus
    from tenure.alerts.models import Task
    from tenure.audit.services import audit_record_bulk
    from tenure.engagement.choices import InteractionKind, Sentiment
    from tenure.engagement.models import Interaction

    generator = np.random.default_rng(rng.randrange(2**32))
    timings: dict[str, float] = {}
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    now_text = _stamp(np.array([np.datetime64(now.replace(tzinfo=None), "s")]))[0]
    since = today - dt.timedelta(days=3 * 365)

    started = time.perf_counter()
    user_model = get_user_model()
    password = make_password("bench")
    user_model.objects.bulk_create(
        [user_model(username="director", is_staff=True, password=password)]
        + [user_model(username=f"manager{i:03d}", password=password) for i in range(managers_n)]
    )
    director = user_model.objects.get(username="director")
    managers = list(user_model.objects.filter(username__startswith="manager").order_by("id"))
    manager_ids = np.array([m.pk for m in managers])
    with transaction.atomic():
        accounts.account_create_from_keys(
            rows=[(f"Customer {i:06d} GmbH", f"C{i:07d}", "DE") for i in range(accounts_n)]
        )
        ids = np.array(Account.objects.order_by("external_id").values_list("pk", flat=True))
        owner = manager_ids[np.arange(accounts_n) % managers_n]
        insert(
            TeamMembership,
            ["id", "created_at", "updated_at", "account_id", "user_id", "role"],
            (
                (n + 1, now_text, now_text, int(a), int(u), TeamRole.KEY_ACCOUNT_MANAGER)
                for n, (a, u) in enumerate(zip(ids, owner, strict=True))
            ),
        )
        key = sorted(rng.sample(ids.tolist(), round(accounts_n * KEY_ACCOUNT_SHARE)))
        for start in range(0, len(key), 5_000):
            Account.objects.filter(pk__in=key[start : start + 5_000]).update(
                is_key_account=True, key_account_since=since
            )
        audit_record_bulk(
            model=TeamMembership, action="create", count=accounts_n, note="bulk create"
        )
    timings["accounts"] = time.perf_counter() - started

    # People: 1–3 per account, each with a position (the first a decision maker); their ids
    # are consecutive per account, so the people present at an interaction are drawn by offset.
    started = time.perf_counter()
    people = 1 + (generator.random(accounts_n) < 0.5) + (generator.random(accounts_n) < 0.2)
    first = np.concatenate([[1], 1 + np.cumsum(people)[:-1]])
    contacts_n = int(people.sum())
    account_of_contact = np.repeat(ids, people)
    rank = np.arange(contacts_n) - np.repeat(first - 1, people)  # 0 = first at the account
    since_text = since.isoformat()
    with transaction.atomic():
        insert(
            Contact,
            ["id", "created_at", "updated_at", "first_name", "last_name", "email"],
            (
                (c, now_text, now_text, f"First{c}", f"Person{a}", f"person{c}@c{a}.example")
                for c, a in zip(range(1, contacts_n + 1), account_of_contact.tolist(), strict=True)
            ),
        )
        insert(
            Position,
            [
                "id",
                "created_at",
                "updated_at",
                "contact_id",
                "account_id",
                "title",
                "buying_role",
                "started_on",
            ],
            (
                (
                    c,
                    now_text,
                    now_text,
                    c,
                    a,
                    "Managing Director" if r == 0 else "Head of Purchasing",
                    "decision_maker" if r == 0 else "champion",
                    since_text,
                )
                for c, a, r in zip(
                    range(1, contacts_n + 1),
                    account_of_contact.tolist(),
                    rank.tolist(),
                    strict=True,
                )
            ),
        )
        _reset_sequences([Contact, Position, TeamMembership])
        audit_record_bulk(model=Contact, action="create", count=contacts_n, note="bulk create")
        audit_record_bulk(model=Position, action="create", count=contacts_n, note="bulk create")
    timings["contacts"] = time.perf_counter() - started

    # Interactions: lognormal account sizes (the biggest ~20× the median), over 3 years.
    started = time.perf_counter()
    weights = generator.lognormal(0.0, 1.0, accounts_n)
    counts = np.floor(interactions_n * weights / weights.sum()).astype(np.int64)
    short = interactions_n - int(counts.sum())
    counts[generator.choice(accounts_n, size=short, replace=False)] += 1
    slot = np.repeat(np.arange(accounts_n), counts)  # the account's position in ``ids``
    span = 3 * 365 * 24 * 3600
    moments = np.datetime64(now.replace(tzinfo=None), "s") - generator.integers(
        0, span, interactions_n
    ).astype("timedelta64[s]")
    strategic = generator.random(interactions_n) < 0.35
    kind_pick = generator.integers(0, 6, interactions_n)
    follow_up = generator.random(interactions_n) < 0.02
    strategic_kinds = [
        InteractionKind.MEETING,
        InteractionKind.VIDEO,
        InteractionKind.BUSINESS_REVIEW,
    ]
    other_kinds = [InteractionKind.CALL, InteractionKind.EMAIL]
    due = (moments.astype("datetime64[D]") + np.timedelta64(14, "D")).astype(str).tolist()
    with transaction.atomic():
        insert(
            Interaction,
            [
                "id",
                "created_at",
                "updated_at",
                "account_id",
                "occurred_at",
                "kind",
                "is_strategic",
                "logged_by_id",
                "summary",
                "next_step",
                "next_step_due",
                "sentiment",
            ],
            (
                (
                    n + 1,
                    now_text,
                    now_text,
                    account,
                    moment,
                    strategic_kinds[k % 3] if s else other_kinds[k % 2],
                    s,
                    logger,
                    "Quarterly review of the range and next year's volumes."
                    if s
                    else "Called about an open delivery.",
                    "Send the offer" if f else "",
                    d if f else None,
                    Sentiment.POSITIVE if s else Sentiment.NEUTRAL,
                )
                for n, (account, moment, k, s, logger, f, d) in enumerate(
                    zip(
                        ids[slot].tolist(),
                        _stamp(moments),
                        kind_pick.tolist(),
                        strategic.tolist(),
                        owner[slot].tolist(),
                        follow_up.tolist(),
                        due,
                        strict=True,
                    )
                )
            ),
        )
        # A third with people present: 1 to all of the account's people, from a random one on.
        present = np.flatnonzero(generator.random(interactions_n) < 0.33)
        pool = people[slot[present]]
        how_many = 1 + np.floor(generator.random(present.size) * pool).astype(np.int64)
        offset = np.floor(generator.random(present.size) * pool).astype(np.int64)
        interaction = np.repeat(present, how_many)
        step = np.arange(int(how_many.sum())) - np.repeat(np.cumsum(how_many) - how_many, how_many)
        contact = first[slot[interaction]] + (np.repeat(offset, how_many) + step) % np.repeat(
            pool, how_many
        )
        insert(
            Interaction.contacts.through,
            ["id", "interaction_id", "contact_id"],
            zip(
                range(1, interaction.size + 1),
                (interaction + 1).tolist(),
                contact.tolist(),
                strict=True,
            ),
        )
        _reset_sequences([Interaction, Interaction.contacts.through])
        audit_record_bulk(model=Interaction, action="create", count=interactions_n, note="bulk log")
    timings["interactions"] = time.perf_counter() - started

    # Tasks as the alert run leaves them: open ones (a tenth unassigned, due within ±30 days)
    # and closed ones kept as history.
    started = time.perf_counter()
    rules = list(AlertRule.values)
    open_n = round(accounts_n * OPEN_TASKS_PER_ACCOUNT)
    closed_n = round(accounts_n * CLOSED_TASKS_PER_ACCOUNT)
    task_slot = np.concatenate(
        [
            generator.choice(accounts_n, size=open_n, replace=False),
            generator.integers(0, accounts_n, closed_n),
        ]
    )
    assigned = generator.random(open_n + closed_n) >= 0.1
    due_days = generator.integers(-30, 31, open_n + closed_n)
    rule_pick = generator.integers(0, len(rules), open_n + closed_n)
    with transaction.atomic():
        insert(
            Task,
            [
                "id",
                "created_at",
                "updated_at",
                "account_id",
                "rule",
                "cause_key",
                "assignee_id",
                "title",
                "evidence",
                "due_on",
                "status",
                "raised_on",
                "checked_on",
                "closed_at",
            ],
            (
                (
                    n + 1,
                    now_text,
                    now_text,
                    int(ids[s]),
                    rules[r],
                    "" if n < open_n else f"closed-{n}",
                    int(owner[s]) if a else None,
                    "Look at the account",
                    "The rule's figures, in words.",
                    (today + dt.timedelta(days=int(d))).isoformat(),
                    TaskStatus.OPEN if n < open_n else TaskStatus.DONE,
                    (today - dt.timedelta(days=7)).isoformat(),
                    (today - dt.timedelta(days=1)).isoformat(),
                    None if n < open_n else now_text,
                )
                for n, (s, a, d, r) in enumerate(
                    zip(
                        task_slot.tolist(),
                        assigned.tolist(),
                        due_days.tolist(),
                        rule_pick.tolist(),
                        strict=True,
                    )
                )
            ),
        )
        _reset_sequences([Task])
    timings["tasks"] = time.perf_counter() - started

    started = time.perf_counter()
    _score(ids, weights, today)
    timings["scoring"] = time.perf_counter() - started

    if _is_postgres():
        # What autovacuum would have done by now on a live server. SQLite keeps no
        # statistics unless told (Tenure never runs ANALYZE there), so it plans without.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - started
    heaviest = np.argsort(-counts, kind="stable")[:20]
    return {
        "director": director,
        "manager": managers[0],
        "account_ids": ids.tolist(),
        "heaviest": [(int(ids[i]), int(counts[i])) for i in heaviest],
        "contacts": contacts_n,
        "with_contacts": int(present.size),
        "tasks": (open_n, closed_n),
        "timings": timings,
    }


def _score(ids: np.ndarray, weights: np.ndarray, today: dt.date) -> None:
    """A real scoring run (tiers, key-list proposals, health rows) on ledger features drawn
    from the accounts' sizes: revenue in proportion to them, ±30 % change over the year."""
    import polars as pl
    from django.db import transaction

    from tenure.accounts.models import Account
    from tenure.health.prepare import health_rows_write, prepare_health_and_risk, run_parameters
    from tenure.scoring import services as scoring

    generator = np.random.default_rng(7)
    keys = dict(Account.objects.values_list("pk", "external_id"))
    account_key = [keys[int(pk)] for pk in ids]
    revenue = np.round(weights * 40_000.0, 2)
    previous = np.round(revenue / (1 + generator.uniform(-0.3, 0.3, revenue.size)), 2)
    orders = np.maximum(1, np.round(weights * 12)).astype(np.int64)
    last_days = generator.integers(1, 200, revenue.size)
    as_of = today
    features = pl.DataFrame(
        {
            "account_key": account_key,
            "first_order_date": [today - dt.timedelta(days=900)] * revenue.size,
            "last_order_date": [today - dt.timedelta(days=int(d)) for d in last_days],
            "orders": orders,
            "revenue_total": revenue * 2.5,
            "revenue_t12m": revenue,
            "revenue_prev12m": previous,
            "growth": revenue / previous - 1,
            "product_breadth": generator.integers(1, 12, revenue.size),
            "avg_order_value": revenue / orders,
            "median_interval_days": 365.0 / orders,
            "returns_share": generator.uniform(0, 0.05, revenue.size),
            "days_since_last_order": last_days,
        }
    )
    months = pl.date_range(
        dt.date(today.year - 2, today.month, 1),
        dt.date(today.year, today.month, 1),
        "1mo",
        eager=True,
    )
    monthly = pl.DataFrame(
        {
            "account_key": np.repeat(np.array(account_key), months.len()),
            "month": np.tile(months.to_numpy(), revenue.size),
            "revenue": np.repeat(revenue / 12, months.len()),
        }
    )
    cutoffs = scoring.scoring_settings_current()
    health = prepare_health_and_risk(
        as_of=as_of,
        lines=None,
        features=features,
        a_share=cutoffs.a_share,
        b_share=cutoffs.b_share,
    )
    with transaction.atomic():
        run = scoring.scoring_run(
            as_of=as_of, features=features, monthly=monthly, parameters=run_parameters(health)
        )
        health_rows_write(run_id=run.pk, result=health)
